/**
 * examples/stacks, run for real under a test scope's names: the stack without the destination
 * connection stays off the destination's network, the one with it answers there to
 * `<stack>-<service>` only, and a second pass has nothing to do.
 */
import { endpointAliases, waitFor } from '../support/dockerx';
import { useScope } from '../support/scope';
import { containerIds, converge, inspect, network, sh } from './e2e';
import { copyScoped } from './example';

describe('examples/stacks', () => {
  const scope = useScope('stack-example');
  const p = scope.prefix;
  const dest = `${p}stacks-prod`;
  let dir: string;
  let port: number;

  beforeAll(async () => {
    dir = scope.specsDir();
    port = await scope.port();
    await copyScoped('stacks', dir, scope, [
      [/^( {2}name: )demo-(monitoring|shop)$/gm, `$1${p}$2`],
      [/^( {2}name: )production$/gm, `$1${p}production`],
      [/^( {2}network: )demo-stacks-prod$/gm, `$1${dest}`],
      [/^( {2}destination: )production$/gm, `$1${p}production`],
      [/"127\.0\.0\.1:18081:8080"/g, `"127.0.0.1:${port}:8080"`],
    ]);
  });

  it('converges: only the connected stack is on the destination network', async () => {
    await converge(scope, dir);

    const ids = await containerIds(scope.docker, p);
    const attached = Object.keys((await network(scope.docker, dest))?.Containers ?? {}).sort();
    expect(attached).toEqual([ids[`${p}shop-db`], ids[`${p}shop-web`]].sort());
    const web = ids[`${p}shop-web`];
    expect(await endpointAliases(scope.docker, web, dest)).toEqual([web.slice(0, 12)]);
    expect(await sh(scope.docker, web, 'wget -q -O - http://db:5432/')).toBe('stock\n');
    expect(await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text())).toBe('shop\n');

    const probe = `${p}monitoring-probe`;
    expect(
      Object.keys((await inspect(scope.docker, probe))?.NetworkSettings.Networks ?? {}),
    ).toEqual([`${p}monitoring_default`]);
    const board = async () => (await inspect(scope.docker, `${p}monitoring-board`))?.State;
    await waitFor(async () => (await board())?.Health?.Status === 'healthy', 20_000);
    expect((await inspect(scope.docker, probe))?.State.Running).toBe(true);
  });

  it('a second pass has nothing to do', async () => {
    const again = await converge(scope, dir);

    expect(again.plan.actions).toEqual([]);
  });
});
