/**
 * A failed dependency in a stack holds back only the services that depend on it: on a real
 * engine, `sick` never becomes healthy, `needs-sick` waits for it, `zindependent` (after both by
 * name) has no depends_on and comes up at once, without waiting for anyone's health.
 */
import { useScope } from '../support/scope';
import { containerIds, destination, inspect, pass, stackDoc, writeDocs } from './e2e';
import { service } from './stack-support';

const NEVER_HEALTHY = { test: ['CMD-SHELL', 'echo not yet; exit 1'], interval: '1s' };

describe('a stack with a dependency that fails', () => {
  const scope = useScope('stack-fail');
  const p = scope.prefix;
  const shop = `${p}shop`;

  it('creates and starts the services that do not depend on it, right away', async () => {
    const dir = scope.specsDir();
    writeDocs(dir, 'dest.yaml', destination(`${p}dest`));
    const services = {
      sick: service('sleep 3600', { healthcheck: NEVER_HEALTHY }),
      'needs-sick': service('sleep 3600', {
        depends_on: { sick: { condition: 'service_healthy' } },
      }),
      'needs-needs-sick': service('sleep 3600', { depends_on: ['needs-sick'] }),
      zindependent: service('sleep 3600'),
    };
    const spec = { destination: `${p}dest`, healthTimeout: '3s', compose: { services } };
    writeDocs(dir, 'shop.yaml', stackDoc(shop, spec));
    const started = Date.now();

    const report = await pass(scope, dir);

    const failed = report.results.filter((r) => !r.ok && !r.skipped);
    expect(failed.map((r) => [r.action.type, r.action.service, r.code])).toEqual([
      ['container-wait', 'needs-sick', 'DEPENDENCY_FAILED'],
    ]);
    const skipped = report.results.filter((r) => r.skipped).map((r) => r.action.service);
    expect(skipped).toEqual(['needs-sick', 'needs-needs-sick']);
    expect(Object.keys(await containerIds(scope.docker, `${shop}-`)).sort()).toEqual([
      `${shop}-sick`,
      `${shop}-zindependent`,
    ]);
    const independent = await inspect(scope.docker, `${shop}-zindependent`);
    expect(independent?.State.Running).toBe(true);
    // Created before the 3 s wait for sick's health ran out: it never waited for it.
    expect(Date.parse(independent?.Created ?? '') - started).toBeLessThan(2500);
  });

  it('fails a service_healthy wait as soon as Docker reports unhealthy, and says so once', async () => {
    const dir = scope.specsDir();
    const shop2 = `${p}shop2`;
    writeDocs(dir, 'dest.yaml', destination(`${p}dest`));
    const services = {
      sick: service('sleep 3600', { healthcheck: { ...NEVER_HEALTHY, retries: 1 } }),
      'needs-sick': service('sleep 3600', {
        depends_on: { sick: { condition: 'service_healthy' } },
      }),
      'needs-needs-sick': service('sleep 3600', { depends_on: ['needs-sick'] }),
    };
    const spec = { destination: `${p}dest`, healthTimeout: '45s', compose: { services } };
    writeDocs(dir, 'shop.yaml', stackDoc(shop2, spec));
    const started = Date.now();

    const report = await pass(scope, dir);

    expect(Date.now() - started).toBeLessThan(30_000);
    const failed = report.results.filter((r) => !r.ok && !r.skipped);
    expect(failed.map((r) => r.error)).toEqual([
      `wait until ${shop2}-sick is healthy: stack ${shop2}: service needs-sick depends on sick ` +
        `(service_healthy), but ${shop2}-sick is not healthy: Docker reports it unhealthy; ` +
        'last check exited 1: not yet; needs-sick was not started',
    ]);
    const skipped = report.results.filter((r) => r.skipped);
    expect(skipped.map((r) => [r.action.service, r.error])).toEqual([
      ['needs-sick', 'skipped: sick is not healthy (see above)'],
      ['needs-needs-sick', 'skipped: it depends on needs-sick, which did not come up (see above)'],
    ]);
  });
});
