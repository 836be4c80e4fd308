/**
 * A burst of edits to one spec folds into at most two passes that change it: one that was
 * already running on an early version, and one more for the rest. It ends with exactly one
 * container for the spec, running its last edit, and no `<name>--next` left behind.
 */
import { AgentProcess, startAgent, useAgentScope } from '../support/agent-process';
import { waitFor } from '../support/dockerx';
import { LABEL } from '../../src/labels';
import { application, containerIds, destination, inspect, isRunning, writeDocs } from '../e2e/e2e';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('berth agent under a burst of edits', () => {
  const scope = useAgentScope('agent-burst');
  let agent: AgentProcess;
  const web = `${scope.prefix}web`;
  const mark = `${scope.prefix}mark`;

  it('ends 50 edits within a second with one container of the last edit', async () => {
    const dir = scope.specsDir();
    writeDocs(dir, 'dest.yaml', destination(`${scope.prefix}d`, { network: `${scope.prefix}net` }));
    writeDocs(dir, 'web.yaml', application(web, { env: { EDIT: '0' } }));
    // A settle shorter than the pauses below: some versions settle while a recreate of an
    // earlier one runs (`sleep` ignores SIGTERM, so each recreate waits its 1 s grace period).
    agent = await startAgent(scope, dir, { settle: '100ms' });
    await agent.ready();
    await waitFor(() => isRunning(scope.docker, web));

    const started = Date.now();
    for (let edit = 1; edit <= 50; edit++) {
      writeDocs(dir, 'web.yaml', application(web, { env: { EDIT: String(edit) } }));
      await sleep(edit % 10 === 0 ? 150 : 5);
    }
    expect(Date.now() - started).toBeLessThan(1500); // the burst itself, not berth
    await waitFor(async () => {
      const info = await inspect(scope.docker, web);
      return info?.State.Running && info.Config.Env.includes('EDIT=50');
    }, 30_000);
    // A later file: once its container runs, every pass the burst asked for has ended.
    const passes = agent
      .logs()
      .filter((l) => l.msg === 'pass started' && Number(l.time) >= started);
    writeDocs(dir, 'mark.yaml', application(mark));
    await waitFor(() => isRunning(scope.docker, mark), 20_000);

    expect(Object.keys(await containerIds(scope.docker, scope.prefix)).sort()).toEqual([mark, web]);
    const recreates = await agent.metric(
      'berth_actions_total{action="container-recreate",result="ok"}',
    );
    expect(recreates).toBeGreaterThanOrEqual(1);
    expect(recreates).toBeLessThanOrEqual(2);
    // Versions that settle during a pass fold into one more (a follow-up pass may come after).
    expect(passes.length).toBeLessThanOrEqual(3);
    expect(await agent.metric('berth_actions_total{action="container-create",result="ok"}')).toBe(
      2, // web at the start, then the marker: no second container for web
    );
    const info = await inspect(scope.docker, web);
    const status = (await agent.status()).resources.find((r) => r.resource === web);
    expect(status).toMatchObject({
      status: 'Ready',
      specHash: info?.Config.Labels[LABEL.specHash],
    });
  });
});
