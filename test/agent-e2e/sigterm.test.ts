/**
 * SIGTERM while a pass is executing: the agent finishes the actions in flight, starts no new
 * one, exits 0 within 10 s (the bound), and every container is left running with no
 * `<name>--next` behind. The signal is sent only once the pass is seen half done: some recreates
 * logged as finished, others not.
 */
import { AgentProcess, startAgent, useAgentScope } from '../support/agent-process';
import { waitFor } from '../support/dockerx';
import { application, containerIds, destination, inspect, writeDocs } from '../e2e/e2e';

const COUNT = 10;

describe('berth agent stopped by SIGTERM in the middle of a pass', () => {
  const scope = useAgentScope('agent-sigterm');
  let agent: AgentProcess;
  const names = Array.from({ length: COUNT }, (_, i) => `${scope.prefix}app${i}`);
  const running = async () => {
    const infos = await Promise.all(names.map((n) => inspect(scope.docker, n)));
    return infos.every((i) => i?.State.Running);
  };
  const recreatesLogged = () =>
    agent.logs().filter((l) => l.action === 'container-recreate').length;

  it('finishes the actions in flight, exits 0 within 10 s and leaves every container running', async () => {
    const dir = scope.specsDir();
    const dest = destination(`${scope.prefix}d`, { network: `${scope.prefix}net` });
    // `sleep` ignores SIGTERM: each recreate waits out the grace period, so the pass is slow.
    const apps = (mode: string) =>
      names.map((n) => application(n, { stopGracePeriod: '2s', env: { MODE: mode } }));
    writeDocs(dir, 'specs.yaml', dest, ...apps('old'));
    agent = await startAgent(scope, dir);
    await agent.ready();
    await waitFor(running, 60_000);

    writeDocs(dir, 'specs.yaml', dest, ...apps('new'));
    await waitFor(() => recreatesLogged() > 0, 60_000);
    const done = recreatesLogged();
    expect(done).toBeLessThan(COUNT); // started and not finished: this is the middle of it

    const signalled = Date.now();
    const code = await agent.stop(20_000);
    const tookMs = Date.now() - signalled;

    expect(code).toBe(0);
    expect(tookMs).toBeLessThan(10_000);
    expect(Object.keys(await containerIds(scope.docker, scope.prefix)).sort()).toEqual(
      [...names].sort(),
    );
    expect(await running()).toBe(true);
    // What it finished runs the new spec; the rest still runs the old one.
    const modes = await Promise.all(
      names.map(async (n) =>
        (await inspect(scope.docker, n))?.Config.Env.find((e) => /^MODE=/.test(e)),
      ),
    );
    expect(modes.filter((m) => m === 'MODE=new').length).toBe(recreatesLogged());
    expect(modes.filter((m) => m !== 'MODE=new').every((m) => m === 'MODE=old')).toBe(true);
    expect(agent.logs().some((l) => l.msg === 'agent stopped; the workloads keep running')).toBe(
      true,
    );
  });
});
