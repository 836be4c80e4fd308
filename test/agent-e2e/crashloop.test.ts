/**
 * Test 9: a container in a crash loop under `restart: unless-stopped`. Docker's restart policy
 * goes first: the agent shows the resource `Degraded` the whole time, also while the container
 * runs between two crashes, and makes no repairs for it: no start, create or recreate, the same
 * container ID, no drift counted, while Docker's restart count goes up.
 */
import { AgentProcess, startAgent, useAgentScope } from '../support/agent-process';
import { waitFor } from '../support/dockerx';
import { application, destination, inspect, writeDocs } from '../e2e/e2e';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('berth agent and a crash loop', () => {
  const scope = useAgentScope('agent-crash');
  let agent: AgentProcess;
  const loop = `${scope.prefix}loop`;

  it('shows Degraded throughout and leaves the restarting to Docker', async () => {
    const dir = scope.specsDir();
    writeDocs(dir, 'dest.yaml', destination(`${scope.prefix}d`, { network: `${scope.prefix}net` }));
    writeDocs(
      dir,
      'loop.yaml',
      application(loop, { command: ['sh', '-c', 'sleep 1; exit 3'], restart: 'unless-stopped' }),
    );
    agent = await startAgent(scope, dir);
    await agent.ready();
    const first = await inspect(scope.docker, loop);
    // Twice restarted by Docker: a loop by now, whatever the state at this moment.
    await waitFor(
      async () => ((await inspect(scope.docker, loop))?.RestartCount ?? 0) >= 2,
      30_000,
    );
    const status = async () => (await agent.status()).resources.find((r) => r.resource === loop);
    await waitFor(async () => (await status())?.status === 'Degraded', 10_000);

    // Several crashes more, sampled often enough to catch it running between two of them.
    const seen: { state: string; status: string; id: string }[] = [];
    const until = Date.now() + 8000;
    while (Date.now() < until) {
      const info = await inspect(scope.docker, loop);
      const s = await status();
      seen.push({
        state: info?.State.Status ?? 'gone',
        status: s?.status ?? '',
        id: info?.Id ?? '',
      });
      await sleep(200);
    }

    expect(seen.map((s) => s.state)).toContain('running');
    expect(seen.map((s) => s.state)).toContain('restarting');
    expect(new Set(seen.map((s) => s.status))).toEqual(new Set(['Degraded']));
    expect((await status())?.reason).toMatch(/exited \d+ times in the last 5 minutes.*code 3/);
    expect(new Set(seen.map((s) => s.id))).toEqual(new Set([first?.Id]));
    expect((await inspect(scope.docker, loop))?.RestartCount).toBeGreaterThan(2);

    // Applied actions are info lines with an `action` (Docker events are debug lines with theirs).
    const actions = agent.logs().filter((l) => l.action !== undefined && Number(l.level) >= 30);
    expect(actions.map((l) => l.action)).toEqual(['network-create', 'container-create']);
    // Logged while it stands, not at every pass its crashes make: once at its first restart
    // (it runs again in between), once when it is a loop.
    const warned = agent
      .logs()
      .filter((l) => Number(l.level) === 40 && l.msg === `Application ${loop} is Degraded`);
    expect(warned.length).toBeGreaterThanOrEqual(1);
    expect(warned.length).toBeLessThanOrEqual(2);
    const drift = (await agent.metrics()).split('\n').filter((l) => /^berth_drift.*loop/.test(l));
    expect(drift.every((l) => l.endsWith(' 0'))).toBe(true);
  });
});
