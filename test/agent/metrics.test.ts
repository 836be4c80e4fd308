import {
  ACTION_TYPES,
  DRIFT_REASONS,
  DriftReason,
  Metrics,
  RESOURCE_STATUSES,
  ResourceRef,
} from '../../src/agent/metrics';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

interface Exposition {
  types: Map<string, string>;
  samples: Sample[];
}

/** Parses the Prometheus text format: TYPE lines and samples (label values without escapes). */
function parse(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      types.set(type[1], type[2]);
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparsable line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"/g)) {
      labels[l[1]] = l[2];
    }
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return { types, samples };
}

async function scrape(metrics: Metrics): Promise<Exposition> {
  return parse(await metrics.text());
}

/** The samples of `name` whose labels include `match`. */
function find(e: Exposition, name: string, match: Record<string, string> = {}): Sample[] {
  return e.samples.filter(
    (s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v),
  );
}

function value(e: Exposition, name: string, match: Record<string, string> = {}): number {
  const found = find(e, name, match);
  if (found.length !== 1) {
    throw new Error(`${found.length} samples of ${name} ${JSON.stringify(match)}`);
  }
  return found[0].value;
}

const CONTRACT: [string, string][] = [
  ['berth_reconcile_total', 'counter'],
  ['berth_reconcile_duration_seconds', 'histogram'],
  ['berth_actions_total', 'counter'],
  ['berth_resource_status', 'gauge'],
  ['berth_resource_healthy', 'gauge'],
  ['berth_destination_containers', 'gauge'],
  ['berth_spec_errors', 'gauge'],
  ['berth_drift_corrections_total', 'counter'],
  ['berth_last_success_timestamp_seconds', 'gauge'],
  ['berth_source_revision_info', 'gauge'],
  ['berth_docker_up', 'gauge'],
  ['berth_docker_requests_total', 'counter'],
];

const web: ResourceRef = { kind: 'Application', resource: 'web', destination: 'prod' };

describe('Metrics', () => {
  it('declares every contract metric with its type from the start', async () => {
    const e = await scrape(new Metrics());
    for (const [name, type] of CONTRACT) expect([name, e.types.get(name)]).toEqual([name, type]);
  });

  it('uses exactly the contract label names', async () => {
    const m = new Metrics();
    m.setResource(web, 'Ready', true);
    m.destinationContainers('prod', 'prod_net', 2);
    m.specErrors({ 'a.yaml': 1 });
    m.revision('abc');
    m.dockerRequest('containerList', true);
    const e = await scrape(m);
    const labelsOf = (name: string) => Object.keys(find(e, name)[0].labels).sort();
    expect(labelsOf('berth_reconcile_total')).toEqual(['result']);
    expect(labelsOf('berth_actions_total')).toEqual(['action', 'result']);
    expect(labelsOf('berth_resource_status')).toEqual([
      'destination',
      'kind',
      'resource',
      'status',
    ]);
    expect(labelsOf('berth_resource_healthy')).toEqual(['destination', 'kind', 'resource']);
    expect(labelsOf('berth_destination_containers')).toEqual(['destination', 'network']);
    expect(labelsOf('berth_spec_errors')).toEqual(['file']);
    expect(labelsOf('berth_drift_corrections_total')).toEqual(['kind', 'reason']);
    expect(labelsOf('berth_source_revision_info')).toEqual(['revision']);
    expect(labelsOf('berth_docker_requests_total')).toEqual(['operation', 'result']);
    expect(labelsOf('berth_last_success_timestamp_seconds')).toEqual([]);
    expect(labelsOf('berth_docker_up')).toEqual([]);
  });

  it('creates the fixed label combinations at zero from the start', async () => {
    const e = await scrape(new Metrics());
    for (const result of ['changed', 'unchanged', 'error']) {
      expect(value(e, 'berth_reconcile_total', { result })).toBe(0);
    }
    expect(ACTION_TYPES).toContain('container-create');
    expect(ACTION_TYPES).toContain('endpoint-connect');
    for (const action of ACTION_TYPES) {
      for (const result of ['ok', 'failed']) {
        expect(value(e, 'berth_actions_total', { action, result })).toBe(0);
      }
    }
    for (const kind of ['Application', 'Database']) {
      for (const reason of DRIFT_REASONS) {
        expect(value(e, 'berth_drift_corrections_total', { kind, reason })).toBe(0);
      }
    }
    expect(value(e, 'berth_reconcile_duration_seconds_count')).toBe(0);
    expect(value(e, 'berth_docker_up')).toBe(0);
    expect(value(e, 'berth_last_success_timestamp_seconds')).toBe(0);
  });

  it('creates every status of the known resources at start, only the given one at 1', async () => {
    const m = new Metrics();
    m.knownResources([
      { ...web, status: 'Pending' },
      { kind: 'Database', resource: 'db', destination: 'prod', status: 'Ready', healthy: true },
    ]);
    const e = await scrape(m);
    for (const status of RESOURCE_STATUSES) {
      expect(value(e, 'berth_resource_status', { resource: 'web', status })).toBe(
        status === 'Pending' ? 1 : 0,
      );
      expect(value(e, 'berth_resource_status', { resource: 'db', status })).toBe(
        status === 'Ready' ? 1 : 0,
      );
    }
    expect(value(e, 'berth_resource_healthy', { resource: 'web' })).toBe(0);
    expect(value(e, 'berth_resource_healthy', { resource: 'db', kind: 'Database' })).toBe(1);
  });

  it('leaves exactly one status at 1 after setResource changes it', async () => {
    const m = new Metrics();
    m.setResource(web, 'Progressing', false);
    m.setResource(web, 'Degraded', false);
    m.setResource(web, 'Ready', true);
    const e = await scrape(m);
    const series = find(e, 'berth_resource_status', { resource: 'web' });
    expect(series).toHaveLength(RESOURCE_STATUSES.length);
    expect(series.filter((s) => s.value === 1).map((s) => s.labels.status)).toEqual(['Ready']);
    expect(series.every((s) => s.value === 0 || s.value === 1)).toBe(true);
    expect(value(e, 'berth_resource_healthy', { resource: 'web' })).toBe(1);
  });

  it('removes a forgotten resource and keeps the others', async () => {
    const m = new Metrics();
    const api: ResourceRef = { ...web, resource: 'api' };
    m.setResource(web, 'Ready', true);
    m.setResource(api, 'Failed', false);
    m.forgetResource(web);
    const e = await scrape(m);
    expect(find(e, 'berth_resource_status', { resource: 'web' })).toHaveLength(0);
    expect(find(e, 'berth_resource_healthy', { resource: 'web' })).toHaveLength(0);
    expect(value(e, 'berth_resource_status', { resource: 'api', status: 'Failed' })).toBe(1);
  });

  it('replaces the spec errors: fixed files disappear', async () => {
    const m = new Metrics();
    m.specErrors({ 'a.yaml': 2, 'b.yaml': 1 });
    let e = await scrape(m);
    expect(value(e, 'berth_spec_errors', { file: 'a.yaml' })).toBe(2);
    expect(value(e, 'berth_spec_errors', { file: 'b.yaml' })).toBe(1);
    m.specErrors(new Map([['b.yaml', 3]]));
    e = await scrape(m);
    expect(find(e, 'berth_spec_errors', { file: 'a.yaml' })).toHaveLength(0);
    expect(value(e, 'berth_spec_errors', { file: 'b.yaml' })).toBe(3);
    m.specErrors({});
    e = await scrape(m);
    expect(find(e, 'berth_spec_errors')).toHaveLength(0);
    expect(e.types.get('berth_spec_errors')).toBe('gauge');
  });

  it('counts drift corrections and throws on an unknown reason', async () => {
    const m = new Metrics();
    m.drift('Application', 'container-stopped');
    expect(() => m.drift('Application', 'cosmic-rays' as DriftReason)).toThrow(/cosmic-rays/);
    const e = await scrape(m);
    expect(
      value(e, 'berth_drift_corrections_total', {
        kind: 'Application',
        reason: 'container-stopped',
      }),
    ).toBe(1);
    expect(find(e, 'berth_drift_corrections_total', { reason: 'cosmic-rays' })).toHaveLength(0);
  });

  it('counts passes, actions and Docker requests and records their state', async () => {
    const m = new Metrics();
    m.reconciled('changed', 1.5);
    m.reconciled('unchanged', 0.2);
    m.action('container-create', true);
    m.action('container-create', false);
    m.action('container-create', true);
    m.dockerUp(true);
    m.dockerRequest('containerList', true);
    m.dockerRequest('containerList', false);
    m.destinationContainers('prod', 'prod_net', 4);
    m.lastSuccess(new Date('2024-01-01T00:00:00Z'));
    const e = await scrape(m);
    expect(value(e, 'berth_reconcile_total', { result: 'changed' })).toBe(1);
    expect(value(e, 'berth_reconcile_total', { result: 'unchanged' })).toBe(1);
    expect(value(e, 'berth_reconcile_total', { result: 'error' })).toBe(0);
    expect(value(e, 'berth_reconcile_duration_seconds_count')).toBe(2);
    expect(value(e, 'berth_reconcile_duration_seconds_sum')).toBeCloseTo(1.7);
    expect(value(e, 'berth_actions_total', { action: 'container-create', result: 'ok' })).toBe(2);
    expect(value(e, 'berth_actions_total', { action: 'container-create', result: 'failed' })).toBe(
      1,
    );
    expect(value(e, 'berth_docker_up')).toBe(1);
    expect(value(e, 'berth_docker_requests_total', { result: 'ok' })).toBe(1);
    expect(value(e, 'berth_docker_requests_total', { result: 'failed' })).toBe(1);
    expect(value(e, 'berth_destination_containers', { network: 'prod_net' })).toBe(4);
    expect(value(e, 'berth_last_success_timestamp_seconds')).toBe(1704067200);
  });

  it('keeps only the current source revision', async () => {
    const m = new Metrics();
    m.revision('aaa111');
    m.revision('bbb222');
    const e = await scrape(m);
    const series = find(e, 'berth_source_revision_info');
    expect(series.map((s) => [s.labels.revision, s.value])).toEqual([['bbb222', 1]]);
  });

  it('gives two instances separate series', async () => {
    const a = new Metrics();
    const b = new Metrics();
    a.reconciled('error', 0.1);
    a.setResource(web, 'Ready', true);
    const ea = await scrape(a);
    const eb = await scrape(b);
    expect(value(ea, 'berth_reconcile_total', { result: 'error' })).toBe(1);
    expect(value(eb, 'berth_reconcile_total', { result: 'error' })).toBe(0);
    expect(find(eb, 'berth_resource_status')).toHaveLength(0);
  });

  it('exposes process and Node.js metrics with a Prometheus content type', async () => {
    const m = new Metrics();
    const e = await scrape(m);
    expect(e.types.get('process_resident_memory_bytes')).toBe('gauge');
    expect([...e.types.keys()].some((n) => n.startsWith('nodejs_'))).toBe(true);
    expect(m.contentType).toMatch(/^text\/plain/);
  });
});
