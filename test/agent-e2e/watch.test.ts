/**
 * The agent as a real process on a watched folder: a spec written brings its container up, an
 * edit converges, a deletion removes the container and keeps its volume; drift made by hand is
 * put back within seconds with the drift counter naming the reason.
 */
import { AgentProcess, startAgent, useAgentScope } from '../support/agent-process';
import { waitFor } from '../support/dockerx';
import { application, database, destination, inspect, removeFile, writeDocs } from '../e2e/e2e';

const SECRET = 's3cret-token-value';

describe('berth agent on a watched folder', () => {
  // useAgentScope: the agent stops before the scope's cleanup, or it repairs what that removes.
  const scope = useAgentScope('agent-watch');
  let agent: AgentProcess;
  const net = `${scope.prefix}net`;
  const web = `${scope.prefix}web`;
  const db = `${scope.prefix}db`;

  afterAll(async () => {
    // Rule 7: the env values of the specs never reach the logs or the status.
    expect(JSON.stringify(agent.logs())).not.toContain(SECRET);
    expect(agent.stderr()).not.toContain(SECRET);
  });

  it('creates, updates and removes containers as spec files change', async () => {
    const dir = scope.specsDir();
    writeDocs(dir, 'dest.yaml', destination(`${scope.prefix}d`, { network: net }));
    agent = await startAgent(scope, dir);
    await agent.ready();

    writeDocs(dir, 'web.yaml', application(web, { env: { MODE: 'one', TOKEN: SECRET } }));
    const first = await waitFor(
      async () => (await inspect(scope.docker, web))?.State.Running && inspect(scope.docker, web),
    );
    expect(first && first.Config.Env).toContain('MODE=one');

    writeDocs(dir, 'web.yaml', application(web, { env: { MODE: 'two', TOKEN: SECRET } }));
    await waitFor(async () => (await inspect(scope.docker, web))?.Config.Env.includes('MODE=two'));
    expect((await inspect(scope.docker, web))?.State.Running).toBe(true);
    const status = await agent.status();
    expect(status.resources.find((r) => r.resource === web)?.envKeys).toEqual(['MODE', 'TOKEN']);
    expect(JSON.stringify(status)).not.toContain(SECRET);

    writeDocs(dir, 'db.yaml', database(db, { volumes: ['data:/data'] }));
    await waitFor(async () => (await inspect(scope.docker, db))?.State.Running);
    removeFile(dir, 'db.yaml');
    await waitFor(async () => (await inspect(scope.docker, db)) === null);
    const volume = await scope.docker.getVolume(`${db}_data`).inspect();
    expect(volume.Name).toBe(`${db}_data`);
    expect(await agent.metric('berth_actions_total{action="container-remove",result="ok"}')).toBe(
      1,
    );
  });

  it('repairs a container removed, a container stopped and a network detached by hand', async () => {
    const reason = (r: string) => `berth_drift_corrections_total{kind="Application",reason="${r}"}`;
    const before = await inspect(scope.docker, web);
    await scope.docker.getContainer(web).remove({ force: true });
    await waitFor(async () => (await inspect(scope.docker, web))?.State.Running, 10_000);
    expect((await inspect(scope.docker, web))?.Id).not.toBe(before?.Id);
    await waitFor(async () => (await agent.metric(reason('container-missing'))) === 1, 5000);

    await scope.docker.getContainer(web).stop({ t: 0 });
    await waitFor(async () => (await inspect(scope.docker, web))?.State.Running, 10_000);
    await waitFor(async () => (await agent.metric(reason('container-stopped'))) === 1, 5000);

    await scope.docker.getNetwork(net).disconnect({ Container: web });
    await waitFor(
      async () => (await inspect(scope.docker, web))?.NetworkSettings.Networks[net],
      10_000,
    );
    await waitFor(async () => (await agent.metric(reason('network-detached'))) === 1, 5000);
    const drift = (await agent.metrics()).split('\n').filter((l) => l.startsWith('berth_drift'));
    expect(drift.filter((l) => !l.endsWith(' 0')).sort()).toEqual(
      ['container-missing', 'container-stopped', 'network-detached'].map((r) => `${reason(r)} 1`),
    );
  });
});
