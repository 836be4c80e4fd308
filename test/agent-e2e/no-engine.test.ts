/**
 * The agent started while no Docker engine answers: it runs, says why it is not ready, and
 * already shows every declared resource's series (as Progressing) and every drift reason at 0.
 */
import { AgentProcess, startAgent } from '../support/agent-process';
import { waitFor } from '../support/dockerx';
import { useScope } from '../support/scope';
import { application, destination, writeDocs } from '../e2e/e2e';

describe('berth agent without a Docker engine', () => {
  const scope = useScope('agent-noengine');
  let agent: AgentProcess;

  afterAll(() => agent?.stop());

  it('keeps running, not ready, with the series of every known resource', async () => {
    const dir = scope.specsDir();
    const d = `${scope.prefix}d`;
    writeDocs(dir, 'specs.yaml', destination(d), application(`${scope.prefix}web`));
    const socket = `unix://${scope.specsDir()}/no-docker.sock`;
    agent = await startAgent(scope, dir, {}, { DOCKER_HOST: socket });

    await waitFor(async () => (await agent.readyz()) === 503);
    const status = await agent.status();
    expect(status.docker.up).toBe(false);
    expect(status.ready).toBe(false);
    expect(await agent.metric('berth_docker_up')).toBe(0);
    const series = (s: string) =>
      `berth_resource_status{kind="Application",resource="${scope.prefix}web",` +
      `destination="${d}",status="${s}"}`;
    expect(await agent.metric(series('Progressing'))).toBe(1);
    expect((await agent.metrics()).split('\n')).toContain(`${series('Ready')} 0`);
    const drift = 'berth_drift_corrections_total{kind="Application",reason="container-missing"}';
    expect((await agent.metrics()).split('\n')).toContain(`${drift} 0`);
    expect(agent.child.exitCode).toBeNull();
    expect(await agent.stop()).toBe(0);
  });
});
