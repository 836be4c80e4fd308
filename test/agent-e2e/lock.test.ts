/**
 * The agent holds its server's lock: a one-shot `berth apply` for the same server (same lock
 * folder) refuses with LOCKED and changes nothing while the agent runs, and works once it stopped.
 */
import { AgentProcess, startAgent, useAgentScope } from '../support/agent-process';
import { waitFor } from '../support/dockerx';
import { application, cli, destination, idOf, inspect, isRunning, writeDocs } from '../e2e/e2e';

describe('berth agent and the server lock', () => {
  const scope = useAgentScope('agent-lock');
  let agent: AgentProcess | undefined;
  const web = `${scope.prefix}web`;

  it('makes berth apply for the same server refuse with LOCKED while it runs', async () => {
    const dir = scope.specsDir();
    const dest = destination(`${scope.prefix}d`, { network: `${scope.prefix}net` });
    writeDocs(dir, 'specs.yaml', dest, application(web));
    agent = await startAgent(scope, dir);
    await agent.ready();
    await waitFor(() => isRunning(scope.docker, web));
    const id = await idOf(scope.docker, web);
    // Specs the agent does not watch, with a change that apply would make if it ran.
    const other = scope.specsDir();
    writeDocs(other, 'specs.yaml', dest, application(web, { env: { BY: 'apply' } }));
    const apply = ['apply', other, '--server', scope.server];
    const env = { BERTH_LOCK_DIR: agent.lockDir };

    const refused = await cli(apply, env);

    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/\[LOCKED\]/);
    expect(refused.stderr).toContain(`server '${scope.server}' is locked by berth agent`);
    expect(await idOf(scope.docker, web)).toBe(id);

    // The refusal was the lock's: once the agent stopped, the same apply goes through.
    expect(await agent.stop()).toBe(0);
    const applied = await cli(apply, env);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect((await inspect(scope.docker, web))?.Config.Env).toContain('BY=apply');
  });
});
