import { resourceStatuses, StatusInput } from '../../src/agent/status';
import { LABEL } from '../../src/labels';
import { DesiredContainer, ObservedContainer, ObservedState } from '../../src/model';
import { Problem } from '../../src/plan/types';
import { app, converged, dest, desiredOf, foreign, SERVER, stackService } from '../plan/build';

const prod = dest('prod');

/** The status input of a perfect apply of `containers`, bent by `bend` on each container. */
function input(
  containers: DesiredContainer[],
  bend: (c: ObservedContainer) => Partial<ObservedContainer> = () => ({}),
  over: Partial<StatusInput> = {},
): StatusInput {
  const observed = converged(desiredOf([prod], containers));
  observed.containers = observed.containers.map((c) => ({ ...c, ...bend(c) }));
  return {
    server: SERVER,
    containers,
    observed,
    failed: new Map(),
    invalid: new Map(),
    problems: [],
    ...over,
  };
}

/** `resource: Status (reason)` per resource, as one reads a status table. */
function statuses(i: StatusInput): string[] {
  return resourceStatuses(i).map((v) => `${v.resource}: ${v.status} (${v.reason})`);
}

const web = app('web', prod);

describe('resourceStatuses', () => {
  it('a running container without a healthcheck is Ready and healthy', () => {
    const [view] = resourceStatuses(input([web]));

    expect(view).toMatchObject({ status: 'Ready', reason: '', healthy: true });
    expect(view.containers).toEqual([
      { name: 'web', id: expect.any(String), state: 'running', health: null, exitCode: null },
    ]);
  });

  it('a running, healthy container is Ready; a starting healthcheck is Progressing', () => {
    expect(statuses(input([web], () => ({ health: 'healthy' })))).toEqual(['web: Ready ()']);
    expect(statuses(input([web], () => ({ health: 'starting' })))).toEqual([
      'web: Progressing (container web: healthcheck starting)',
    ]);
  });

  it('an unhealthy running container is Degraded and not healthy', () => {
    const [view] = resourceStatuses(input([web], () => ({ health: 'unhealthy' })));

    expect(view).toMatchObject({
      status: 'Degraded',
      reason: 'container web is unhealthy',
      healthy: false,
    });
  });

  it('a container that Docker is restarting (a crash loop) is Degraded', () => {
    expect(statuses(input([web], () => ({ state: 'restarting' })))).toEqual([
      'web: Degraded (container web keeps exiting; Docker is restarting it)',
    ]);
  });

  it('a running container that exited twice within the window is Degraded: a crash loop', () => {
    const looping = (count: number) =>
      input([web], () => ({}), { exits: () => ({ count, lastCode: 1 }) });

    expect(statuses(looping(1))).toEqual(['web: Ready ()']);
    expect(statuses(looping(3))).toEqual([
      'web: Degraded (container web exited 3 times in the last 5 minutes, last with code 1; ' +
        'Docker is restarting it)',
    ]);
  });

  it('a container that exited under unless-stopped is Degraded, even with exit code 0', () => {
    for (const exitCode of [0, 137]) {
      const i = input([web], () => ({ state: 'exited', exitCode }));
      expect(statuses(i)).toEqual([`web: Degraded (container web exited (code ${exitCode}))`]);
    }
  });

  it('a one-shot container that exited 0 is Completed and healthy', () => {
    for (const restart of ['no', 'on-failure'] as const) {
      const job = app('job', prod, {}, { restart });
      const [view] = resourceStatuses(input([job], () => ({ state: 'exited', exitCode: 0 })));
      expect(view).toMatchObject({
        status: 'Completed',
        reason: 'container job ran to completion',
        healthy: true,
      });
    }
  });

  it('a one-shot container that exited non-zero is Degraded, not Completed', () => {
    const job = app('job', prod, {}, { restart: 'no' });

    expect(statuses(input([job], () => ({ state: 'exited', exitCode: 1 })))).toEqual([
      'job: Degraded (container job exited (code 1))',
    ]);
  });

  it('a missing or created-only container is Progressing', () => {
    const missing = input([web]);
    missing.observed.containers = [];

    expect(statuses(missing)).toEqual(['web: Progressing (container web is not created yet)']);
    expect(statuses(input([web], () => ({ state: 'created' })))).toEqual([
      'web: Progressing (container web is created, not started)',
    ]);
  });

  it('a paused container is Degraded and says so', () => {
    expect(statuses(input([web], () => ({ state: 'paused' })))).toEqual([
      'web: Degraded (container web is paused)',
    ]);
  });

  it("another server's or a foreign container of the same name counts as missing", () => {
    const other = input([web], (c) => ({ labels: { ...c.labels, [LABEL.server]: 'web-2' } }));
    const byHand = input([web]);
    byHand.observed.containers = [foreign('web', ['prod-net'])];

    for (const i of [other, byHand]) {
      expect(statuses(i)).toEqual(['web: Progressing (container web is not created yet)']);
    }
  });

  it('a failed change is Failed with its reason, whatever the container shows', () => {
    const failed = new Map([['web', 'start failed: port 8080 is already allocated']]);

    expect(statuses(input([web], () => ({}), { failed }))).toEqual([
      'web: Failed (start failed: port 8080 is already allocated)',
    ]);
  });

  it('a resource whose file is invalid now is Invalid, before Failed', () => {
    const invalid = new Map([['web', 'specs/web.yaml:7 spec.imgae: unknown field']]);
    const failed = new Map([['web', 'start failed']]);

    expect(statuses(input([web], () => ({}), { invalid, failed }))).toEqual([
      'web: Invalid (specs/web.yaml:7 spec.imgae: unknown field)',
    ]);
  });

  it('a resource waiting on its destination is Pending; another error problem is Failed', () => {
    const blocked: Problem = {
      level: 'error',
      code: 'DESTINATION_BLOCKED',
      resource: 'web',
      kind: 'Application',
      message: 'waiting: destination prod: network prod-net exists but is not berth',
    };
    const clash: Problem = { ...blocked, code: 'NAME_CLASH', message: 'container web exists' };
    const warning: Problem = { ...clash, level: 'warning', message: 'just a warning' };

    expect(statuses(input([web], () => ({}), { problems: [blocked] }))).toEqual([
      `web: Pending (${blocked.message})`,
    ]);
    expect(statuses(input([web], () => ({}), { problems: [clash] }))).toEqual([
      'web: Failed (container web exists)',
    ]);
    expect(statuses(input([web], () => ({}), { problems: [warning] }))).toEqual(['web: Ready ()']);
  });

  it("problems of a destination or the server with the resource's name are not its own", () => {
    // Destinations, resources and the server name live in namespaces of their own.
    const problems: Problem[] = [
      { level: 'error', code: 'NAME_CLASH', resource: 'web', kind: 'Destination', message: 'n' },
      { level: 'error', code: 'MASS_PRUNE', resource: 'web', kind: 'Server', message: 'm' },
      {
        level: 'error',
        code: 'DESTINATION_BLOCKED',
        resource: 'web',
        kind: 'Application',
        message: 'waiting: destination web',
      },
    ];

    expect(statuses(input([web], () => ({}), { problems }))).toEqual([
      'web: Pending (waiting: destination web)',
    ]);
    expect(statuses(input([web], () => ({}), { problems: problems.slice(0, 2) }))).toEqual([
      'web: Ready ()',
    ]);
  });

  it('a suspended resource is Suspended whatever its container shows or its file says', () => {
    const held = app('held', prod, { suspend: true });
    const invalid = new Map([['held', 'bad file']]);
    const i = input([held], () => ({ state: 'exited', exitCode: 1 }), { invalid });

    expect(statuses(i)).toEqual(['held: Suspended (suspend: true)']);
  });

  it('the worst container decides: Degraded before Progressing before Ready', () => {
    const a = app('stack', prod, { name: 'stack-a' });
    const b = app('stack', prod, { name: 'stack-b' });
    const c = app('stack', prod, { name: 'stack-c' });
    const state: Record<string, Partial<ObservedContainer>> = {
      'stack-a': { health: 'starting' },
      'stack-b': { state: 'restarting' },
    };

    const views = resourceStatuses(input([a, b, c], (o) => state[o.name] ?? {}));

    expect(views.map((v) => `${v.resource}: ${v.status} (${v.reason})`)).toEqual([
      'stack: Degraded (container stack-b keeps exiting; Docker is restarting it)',
    ]);
    expect(views[0].containers.map((x) => x.name)).toEqual(['stack-a', 'stack-b', 'stack-c']);
  });

  it('some containers running and others missing is Degraded; all missing is Progressing', () => {
    const a = app('stack', prod, { name: 'stack-a' });
    const b = app('stack', prod, { name: 'stack-b' });
    const observed = input([a, b]);
    observed.observed.containers = observed.observed.containers.filter((c) => c.name !== 'stack-b');

    expect(statuses(observed)).toEqual(['stack: Degraded (container stack-b is missing)']);
    observed.observed.containers = [];
    expect(statuses(observed)).toEqual([
      'stack: Progressing (container stack-a is not created yet)',
    ]);
  });

  it('a resource is Completed only when every container completed', () => {
    const job = (name: string) => app('batch', prod, { name }, { restart: 'no' });
    const exited: Partial<ObservedContainer> = { state: 'exited', exitCode: 0 };

    const all = input([job('batch-a'), job('batch-b')], () => exited);
    const some = input([job('batch-a'), job('batch-b')], (o) =>
      o.name === 'batch-a' ? exited : {},
    );

    expect(statuses(all)).toEqual(['batch: Completed (container batch-a ran to completion)']);
    expect(statuses(some)).toEqual(['batch: Ready ()']);
  });

  it('resources come sorted by name, each with its kind and destination', () => {
    const db = app('db', prod, { kind: 'Database' });
    const views = resourceStatuses(input([web, db]));

    expect(views.map((v) => [v.kind, v.resource, v.destination])).toEqual([
      ['Database', 'db', 'prod'],
      ['Application', 'web', 'prod'],
    ]);
  });

  it('an empty observed state leaves every resource Progressing, none thrown away', () => {
    const empty: ObservedState = { containers: [], networks: [], volumes: [], images: {} };

    expect(statuses(input([web], () => ({}), { observed: empty }))).toEqual([
      'web: Progressing (container web is not created yet)',
    ]);
  });
});

describe('resourceStatuses of a stack', () => {
  const db = stackService('shop', 'db', prod);
  const migrate = stackService('shop', 'migrate', prod, {}, { restart: 'no' });
  const app = stackService('shop', 'app', prod);
  const done: Partial<ObservedContainer> = { state: 'exited', exitCode: 0 };

  it('each container names its service; a completed one-shot service keeps it Ready', () => {
    const i = input([db, migrate, app], (o) =>
      o.name === 'shop-migrate' ? done : o.name === 'shop-db' ? { health: 'healthy' } : {},
    );

    const [view] = resourceStatuses(i);

    expect(`${view.kind} ${view.resource}: ${view.status}`).toBe('Stack shop: Ready');
    expect(view.containers.map((c) => `${c.service} ${c.name} ${c.state}`)).toEqual([
      'db shop-db running',
      'migrate shop-migrate exited',
      'app shop-app running',
    ]);
  });

  it('is Degraded when a long-running service has exited or is unhealthy', () => {
    const exited = input([db, migrate, app], (o) =>
      o.name === 'shop-app'
        ? { state: 'exited', exitCode: 1 }
        : o.name === 'shop-migrate'
          ? done
          : {},
    );
    const unhealthy = input([db, app], (o) =>
      o.name === 'shop-db' ? { health: 'unhealthy' } : {},
    );

    expect(statuses(exited)).toEqual([
      'shop: Degraded (service app (container shop-app) exited (code 1))',
    ]);
    expect(statuses(unhealthy)).toEqual([
      'shop: Degraded (service db (container shop-db) is unhealthy)',
    ]);
  });
});
