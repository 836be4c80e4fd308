/**
 * A container that is not running has an empty EndpointID on every network it is on. The agent
 * remembers aliases by endpoint between passes: a finished one-shot on two networks, aliased on
 * one of them, must not have the aliases of one network taken for the other's, or every pass
 * would disconnect and reconnect it to "fix" them.
 */
import { AgentProcess, startAgent, useAgentScope } from '../support/agent-process';
import { endpointAliases, waitFor } from '../support/dockerx';
import { application, destination, inspect, isRunning, writeDocs } from '../e2e/e2e';

describe('berth agent and a finished one-shot on two networks', () => {
  const scope = useAgentScope('agent-exited');
  let agent: AgentProcess;
  const p = scope.prefix;

  it('leaves its aliases alone pass after pass', async () => {
    const dir = scope.specsDir();
    writeDocs(
      dir,
      'dest.yaml',
      destination(`${p}d`, { network: `${p}net` }),
      destination(`${p}s`, { network: `${p}shared` }),
    );
    const job = application(`${p}job`, {
      destination: `${p}d`,
      extraDestinations: [`${p}s`],
      aliases: ['migrate'],
      command: ['true'],
      restart: 'no',
    });
    writeDocs(dir, 'job.yaml', job);
    agent = await startAgent(scope, dir);
    await agent.ready();
    await waitFor(async () => (await inspect(scope.docker, `${p}job`))?.State.Status === 'exited');

    // Each new file makes a pass that observes the exited job again.
    for (const name of ['one', 'two', 'three']) {
      writeDocs(dir, `${name}.yaml`, application(`${p}${name}`, { destination: `${p}d` }));
      await waitFor(() => isRunning(scope.docker, `${p}${name}`));
    }

    const actions = agent.logs().filter((l) => l.action !== undefined && Number(l.level) >= 30);
    expect(actions.filter((l) => l.action === 'endpoint-realias')).toEqual([]);
    expect(await agent.metric('berth_actions_total{action="endpoint-realias",result="ok"}')).toBe(
      0,
    );
    const id = (await inspect(scope.docker, `${p}job`))!.Id;
    expect(await endpointAliases(scope.docker, id, `${p}net`)).toContain('migrate');
    expect(await endpointAliases(scope.docker, id, `${p}shared`)).not.toContain('migrate');
  });
});
