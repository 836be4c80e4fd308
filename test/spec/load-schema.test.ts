import { app, destination, load, yaml } from './helpers';

/** Load one application `web` (lines 1-5 are its header, spec lines start at line 6). */
async function webErrors(...specLines: string[]): Promise<string[]> {
  const files = { 'prod.yaml': destination('prod'), 'web.yaml': app('web', specLines) };
  const result = await load(files);
  expect(result.desired.complete).toBe(result.messages.length === 0);
  if (result.messages.length > 0) expect(result.desired.containers).toEqual([]);
  return result.messages;
}

const PORT_FORMS =
  'must look like "80", "8080:80", "127.0.0.1:8080:80" or "[::1]:8080:80", optionally ending ' +
  'in /tcp or /udp (one port each: ranges are not supported)';

describe('documents that break their schema', () => {
  it('names an unknown field at the line of its key, and suggests the near one', async () => {
    const errors = await webErrors(
      'image: nginx',
      'imagePullPolicy: Always',
      'healthcheck:',
      '  test: [NONE]',
      '  intervall: 5s',
    );

    expect(errors).toEqual([
      "specs/web.yaml:7 spec: unknown field 'imagePullPolicy'",
      "specs/web.yaml:10 spec.healthcheck: unknown field 'intervall' (did you mean 'interval'?)",
    ]);
  });

  it('lists the allowed values of an enum', async () => {
    expect(await webErrors('image: nginx', 'pullPolicy: always')).toEqual([
      'specs/web.yaml:7 spec.pullPolicy: must be one of: Always, IfNotPresent, Never ' +
        "(got 'always')",
    ]);
  });

  it('explains the forms of a port, and that ranges are not supported', async () => {
    expect(
      await webErrors(
        'image: nginx',
        'ports:',
        '  - "8000-8010:8000-8010"',
        '  - "8080:80/sctp"',
        '  - "localhost:8080:80"',
        '  - "99999:80"',
        '  - { target: 0, published: http }',
        '  - [80]',
      ),
    ).toEqual([
      `specs/web.yaml:8 spec.ports[0]: ${PORT_FORMS}`,
      `specs/web.yaml:9 spec.ports[1]: ${PORT_FORMS}`,
      `specs/web.yaml:10 spec.ports[2]: ${PORT_FORMS}`,
      'specs/web.yaml:12 spec.ports[4].published: must be a whole number',
      'specs/web.yaml:12 spec.ports[4].target: must be at least 1',
      'specs/web.yaml:13 spec.ports[5]: must be a string or a map',
    ]);
  });

  it('checks port numbers and duplicate host ports once the form is right', async () => {
    expect(
      await webErrors('image: nginx', 'ports: ["99999:80", "8080:80", "8080:81", "[::1]:8080:80"]'),
    ).toEqual([
      "specs/web.yaml:7 spec.ports[0]: '99999:80': port 99999 is out of range (1-65535)",
      'specs/web.yaml:7 spec.ports[2]: host port 8080/tcp is already published by spec.ports[1]',
    ]);
  });

  it('asks for an absolute host path in a bind mount', async () => {
    expect(
      await webErrors(
        'image: nginx',
        'volumes:',
        '  - ./conf:/etc/web:ro',
        '  - conf/web:/etc/web2',
        '  - data',
        '  - data:var/lib',
        '  - /srv/a:/x',
        '  - /srv/b:/x/',
        '  - data:/x:z',
      ),
    ).toEqual([
      'specs/web.yaml:14 spec.volumes[6]: must look like "data:/var/lib/app" (named volume), ' +
        '"/srv/app/conf:/etc/app" (host path) or "/cache" (anonymous volume), optionally ' +
        'ending in :ro or :rw',
    ]);
    expect(
      await webErrors(
        'image: nginx',
        'volumes:',
        '  - ./conf:/etc/web:ro',
        '  - conf/web:/etc/web2',
        '  - data',
        '  - data:var/lib',
        '  - /srv/a:/x',
        '  - /srv/b:/x/',
      ),
    ).toEqual([
      "specs/web.yaml:8 spec.volumes[0]: host path './conf' is relative: write an absolute path, " +
        'like /srv/web/conf',
      "specs/web.yaml:9 spec.volumes[1]: host path 'conf/web' is relative: write an absolute " +
        'path, like /srv/web/conf',
      "specs/web.yaml:10 spec.volumes[2]: 'data' has no target: write data:/path/in/container " +
        'for a named volume',
      "specs/web.yaml:11 spec.volumes[3]: target 'var/lib' must be an absolute path inside the " +
        'container, like /data',
      'specs/web.yaml:13 spec.volumes[5]: /x is already mounted by spec.volumes[4]',
    ]);
  });

  it('says to write command and entrypoint as lists', async () => {
    expect(await webErrors('image: nginx', 'command: nginx -g "daemon off;"')).toEqual([
      'specs/web.yaml:7 spec.command: must be a list of strings like ["nginx", "-g", ' +
        '"daemon off;"]: berth does not split a single string into arguments',
    ]);
  });

  it("refuses labels in berth's own namespace", async () => {
    const errors = await webErrors('image: nginx', 'labels:', '  team: web', '  berth.managed: x');

    expect(errors).toEqual([
      'specs/web.yaml:9 spec.labels["berth.managed"]: label keys starting with \'berth.\' are ' +
        "reserved for berth's own labels: choose another prefix",
    ]);
  });

  it('checks images, durations, restart policies, sizes and CPUs', async () => {
    expect(
      await webErrors(
        'image: Nginx:latest',
        'restart: sometimes',
        'stopGracePeriod: 10',
        'resources: { memory: 12 parsecs, cpus: -1 }',
        'healthcheck: { test: [curl, localhost], timeout: soon }',
      ),
    ).toEqual([
      'specs/web.yaml:6 spec.image: must be an image reference like nginx:1.27-alpine, ' +
        'registry.example.com:5000/team/app:1.0 or app@sha256:<digest> (repository names are ' +
        'lowercase)',
      'specs/web.yaml:7 spec.restart: must be one of: no, always, unless-stopped, on-failure, ' +
        'on-failure:N',
      'specs/web.yaml:8 spec.stopGracePeriod: must be a duration like 500ms, 30s, 5m or 1h',
      'specs/web.yaml:9 spec.resources.cpus: must be a number of CPUs like 0.5 or 2',
      'specs/web.yaml:9 spec.resources.memory: must be a size like 512m, 1g or 256k, or a ' +
        'number of bytes',
      'specs/web.yaml:10 spec.healthcheck.test[0]: must be CMD, CMD-SHELL or NONE, as in ' +
        '["CMD", "wget", "-q", "--spider", "http://localhost/"]',
      'specs/web.yaml:10 spec.healthcheck.timeout: must be a duration like 500ms, 30s, 5m or 1h',
    ]);
  });

  it('checks what the schema cannot: tiny memory, zero CPUs, test beside disable', async () => {
    expect(
      await webErrors(
        'image: nginx',
        'resources: { memory: 1k, cpus: "0" }',
        'healthcheck: { test: [NONE], disable: true }',
      ),
    ).toEqual([
      'specs/web.yaml:7 spec.resources.cpus: must be more than 0',
      'specs/web.yaml:7 spec.resources.memory: must be at least 6m: Docker refuses smaller limits',
      'specs/web.yaml:8 spec.healthcheck.disable: set either test or disable: true, not both',
    ]);
  });

  it('requires a healthcheck test unless the healthcheck is disabled', async () => {
    expect(await webErrors('image: nginx', 'healthcheck:', '  interval: 5s')).toEqual([
      "specs/web.yaml:7 spec.healthcheck: missing required field 'test'",
    ]);
  });

  it('reports repeated aliases at the repeat', async () => {
    expect(await webErrors('image: nginx', 'aliases:', '  - api', '  - www', '  - api')).toEqual([
      "specs/web.yaml:10 spec.aliases[2]: 'api' is listed twice, first as spec.aliases[0]",
    ]);
  });

  it('reports every error of a file, across its documents, in line order', async () => {
    const result = await load({
      'prod.yaml': destination('prod'),
      'all.yaml': [
        app('web', ['image: nginx', 'pullPolicy: Sometimes']),
        app('api', ['image: nginx', 'suspend: maybe']),
        app('ok', ['image: nginx']),
      ].join('---\n'),
    });

    expect(result.messages).toEqual([
      'specs/all.yaml:7 spec.pullPolicy: must be one of: Always, IfNotPresent, Never (got ' +
        "'Sometimes')",
      'specs/all.yaml:15 spec.suspend: must be true or false',
    ]);
    expect(result.desired.containers.map((c) => c.name)).toEqual(['ok']);
    expect(result.desired.complete).toBe(false);
    expect(result.errors.every((e) => e.code === 'SPEC_SCHEMA')).toBe(true);
  });
});

describe('document envelopes', () => {
  it('requires apiVersion berth/v1, a kind, metadata.name and spec', async () => {
    const result = await load({
      'prod.yaml': destination('prod'),
      'x.yaml': yaml('apiVersion: v1', 'kind: Application', 'metadata: { labels: {} }'),
    });

    expect(result.messages).toEqual([
      "specs/x.yaml:1: missing required field 'spec'",
      "specs/x.yaml:1 apiVersion: must be 'berth/v1' (got 'v1')",
      "specs/x.yaml:3 metadata: missing required field 'name'",
      "specs/x.yaml:3 metadata: unknown field 'labels'",
    ]);
  });

  it('lists the supported kinds for an unknown kind', async () => {
    const result = await load({
      'prod.yaml': destination('prod'),
      'x.yaml': [
        yaml('apiVersion: berth/v1', 'kind: Deployment', 'metadata: { name: x }', 'spec: {}'),
        yaml('apiVersion: berth/v1', 'kind: Stack', 'metadata: { name: mon }', 'spec: {}'),
        yaml('apiVersion: berth/v1', 'metadata: { name: y }', 'spec: {}'),
      ].join('---\n'),
    });

    expect(result.messages).toEqual([
      'specs/x.yaml:2 kind: must be one of: Destination, Application, Database, Stack ' +
        "(got 'Deployment')",
      "specs/x.yaml:9 spec.composeFile: stack 'mon': set composeFile (a compose file, relative " +
        'to this file) or compose (the document inline)',
      "specs/x.yaml:11: missing required field 'kind'",
    ]);
  });

  it('refuses a document that is not a map', async () => {
    const result = await load({ 'prod.yaml': destination('prod'), 'x.yaml': '- a\n- b\n' });

    expect(result.messages).toEqual([
      'specs/x.yaml:1: a spec document must be a map with apiVersion, kind, metadata and spec',
    ]);
  });

  it('requires names to be DNS labels of at most 63 characters', async () => {
    const long = 'a'.repeat(64);
    const result = await load({
      'prod.yaml': destination('prod'),
      'x.yaml': [app('Web_1', ['image: nginx']), app(long, ['image: nginx'])].join('---\n'),
    });

    expect(result.messages).toEqual([
      "specs/x.yaml:4 metadata.name: must be a DNS label: lowercase letters, digits and '-', " +
        'starting and ending with a letter or digit',
      'specs/x.yaml:11 metadata.name: must be at most 63 characters long',
    ]);
  });
});
