/**
 * depends_on with service_healthy on a real engine: the dependent waits for this stack's own
 * container and for nothing else. A healthy stray carrying the same `berth.service` label (but
 * another stack's `berth.resource`) on the stack's network does not satisfy the wait: the stack
 * fails after healthTimeout, naming the service and the dependency's last health output.
 */
import { LABEL } from '../../src/labels';
import { TEST_IMAGE, useScope } from '../support/scope';
import { waitFor } from '../support/dockerx';
import { containerIds, converge, destination, pass, stackDoc, writeDocs } from './e2e';
import { service } from './stack-support';

// Many retries: the health stays `starting` (never `unhealthy`, which fails a wait at once), so
// the wait runs into healthTimeout.
const NEVER_HEALTHY = {
  test: ['CMD-SHELL', 'echo not yet; exit 1'],
  interval: '1s',
  retries: 100,
};

describe('a service_healthy dependency that never becomes healthy', () => {
  const scope = useScope('stack-wait');
  const p = scope.prefix;
  const shop = `${p}shop`;
  let dir: string;

  const writeStack = (services: Record<string, unknown>) =>
    writeDocs(
      dir,
      'shop.yaml',
      stackDoc(shop, { destination: `${p}dest`, healthTimeout: '4s', compose: { services } }),
    );
  const db = service('sleep 3600', { healthcheck: NEVER_HEALTHY });

  beforeAll(async () => {
    dir = scope.specsDir();
    writeDocs(dir, 'dest.yaml', destination(`${p}dest`));
    writeStack({ db });
    await converge(scope, dir);
    await startStray(`${shop}_default`);
  });

  /** A healthy container labelled as service db of another stack, answering to `db` there. */
  async function startStray(network: string): Promise<void> {
    const stray = await scope.docker.createContainer({
      name: `${p}other-db`,
      Image: TEST_IMAGE,
      Cmd: ['sleep', '3600'],
      StopTimeout: 1,
      Labels: {
        [LABEL.managed]: 'true',
        [LABEL.server]: scope.server,
        [LABEL.kind]: 'Stack',
        [LABEL.resource]: `${p}other`,
        [LABEL.service]: 'db',
      },
      Healthcheck: { Test: ['CMD', 'true'], Interval: 1e9 },
      HostConfig: { NetworkMode: network },
      NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: ['db'] } } },
    });
    await stray.start();
    await waitFor(async () => (await stray.inspect()).State.Health?.Status === 'healthy', 15_000);
  }

  it('fails after healthTimeout with the last health output; the dependent is not started', async () => {
    writeStack({
      db,
      app: service('sleep 3600', { depends_on: { db: { condition: 'service_healthy' } } }),
    });
    const started = Date.now();

    const report = await pass(scope, dir);

    expect(Date.now() - started).toBeGreaterThanOrEqual(4000);
    const failed = report.results.filter((r) => !r.ok && !r.skipped);
    expect(failed.map((r) => [r.action.type, r.code])).toEqual([
      ['container-wait', 'DEPENDENCY_FAILED'],
    ]);
    expect(failed[0].error).toContain(
      `stack ${shop}: service app depends on db (service_healthy), but ${shop}-db is not ` +
        'healthy after 4s (healthTimeout); health starting, last check exited 1: not yet; ' +
        'app was not started',
    );
    expect(Object.keys(await containerIds(scope.docker, `${shop}-`))).toEqual([`${shop}-db`]);
    // The stray is this server's orphan: it goes, but only in the removal phase after the wait.
    const removed = report.results.filter((r) => r.action.type === 'container-remove');
    expect(removed.map((r) => [r.action.resource, r.ok])).toEqual([[`${p}other`, true]]);
  });
});
