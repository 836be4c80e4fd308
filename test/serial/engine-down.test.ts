/**
 * Test 4: dockerd stopped under a running agent. It runs on an engine of its own (a private
 * dockerd, see test/support/private-dockerd.ts), never the shared one, and on its own: jest
 * runs test/serial/ after the main suite, one file at a time (jest.serial.config.js).
 *
 * While the engine is down the agent keeps running, `/readyz` fails and `berth_docker_up` is 0;
 * a spec edited meanwhile is applied once it is back. Between two stops the engine runs for a
 * while on another socket, so that the agent stays blind while a container is removed by hand.
 * When the engine is back for the agent: the edit applied, the container that Docker did not
 * bring back (policy `no`) and the one removed while the agent was blind repaired, and every
 * berth container runs on all its networks with its aliases.
 */
import Docker from 'dockerode';

import { AgentProcess, startAgent } from '../support/agent-process';
import { endpointAliases, waitFor } from '../support/dockerx';
import { privateDockerd } from '../support/private-dockerd';
import { createScope } from '../support/scope';
import { application, destination, inspect, writeDocs } from '../e2e/e2e';

describe('berth agent while dockerd stops and comes back', () => {
  const engine = privateDockerd('down');
  const scope = createScope('agent-down', engine.docker);
  let agent: AgentProcess | undefined;

  beforeAll(async () => {
    await engine.start();
    await engine.importTestImage(new Docker());
  }, 120_000);

  afterAll(async () => {
    await agent?.stop();
    // The engine may be down when a test failed: the scope's objects go with its data root.
    if (
      await engine.docker.ping().then(
        () => true,
        () => false,
      )
    )
      await scope.cleanup();
    await engine.destroy();
  }, 120_000);

  const p = scope.prefix;
  const net = `${p}net`;
  const shared = `${p}shared`;
  const keep = `${p}keep`; // unless-stopped: Docker brings it back itself
  const once = `${p}once`; // restart: no: Docker leaves it exited
  const gone = `${p}gone`; // removed while the agent is blind
  const edit = `${p}edit`; // its spec is edited while the engine is down

  it('is not ready while the engine is down, and converges everything once it is back', async () => {
    const dir = scope.specsDir();
    writeDocs(
      dir,
      'dest.yaml',
      destination(`${p}d`, { network: net }),
      destination(`${p}s`, { network: shared }),
    );
    const extra = { aliases: ['api'], extraDestinations: [`${p}s`], destination: `${p}d` };
    writeDocs(dir, 'keep.yaml', application(keep, extra));
    writeDocs(dir, 'once.yaml', application(once, { ...extra, aliases: [], restart: 'no' }));
    writeDocs(dir, 'gone.yaml', application(gone, { destination: `${p}d` }));
    writeDocs(dir, 'edit.yaml', application(edit, { destination: `${p}d`, env: { V: '1' } }));
    agent = await startAgent(scope, dir, { settle: '200ms' }, { DOCKER_HOST: engine.host });
    await agent.ready();
    for (const name of [keep, once, gone, edit]) {
      expect((await inspect(engine.docker, name))?.State.Running).toBe(true);
    }
    expect(await agent.metric('berth_docker_up')).toBe(1);

    await engine.stop();
    await waitFor(async () => (await agent!.readyz()) === 503, 15_000);
    expect(await agent.metric('berth_docker_up')).toBe(0);
    writeDocs(dir, 'edit.yaml', application(edit, { destination: `${p}d`, env: { V: '2' } }));

    // Up on another socket: the agent is still blind while `gone` is removed by hand.
    const aside = await engine.start('aside.sock');
    await aside.getContainer(gone).remove({ force: true });
    expect(await agent.readyz()).toBe(503);
    await engine.stop();
    expect(agent.child.exitCode).toBeNull();

    await engine.start();
    await agent.ready(60_000);
    const all = [keep, once, gone, edit];
    const states = async () => {
      const infos = await Promise.all(all.map((n) => inspect(engine.docker, n)));
      return infos.map(
        (i, n) => `${all[n]} ${i?.State.Status ?? 'missing'} ${i?.Config.Env ?? ''}`,
      );
    };
    await waitFor(async () => {
      const now = await states();
      return now.every((s) => s.includes(' running ')) && now[3].includes('V=2');
    }, 30_000).catch(async (err: Error) => {
      const actions = agent!.logs().filter((l) => l.action !== undefined && Number(l.level) >= 30);
      throw new Error(
        `${err.message}\n${(await states()).join('\n')}\n` +
          actions.map((l) => `${l.msg} ${l.reason ?? ''} ${l.err ?? ''}`).join('\n'),
      );
    });

    expect(await agent.metric('berth_docker_up')).toBe(1);
    // Attached to each of its networks (endpointAliases throws otherwise), aliases restored.
    const networksOf = async (name: string) =>
      Object.keys((await inspect(engine.docker, name))!.NetworkSettings.Networks).sort();
    for (const name of [keep, once]) expect(await networksOf(name)).toEqual([net, shared].sort());
    for (const name of [gone, edit]) expect(await networksOf(name)).toEqual([net]);
    const keepId = (await inspect(engine.docker, keep))!.Id;
    expect(await endpointAliases(engine.docker, keepId, net)).toContain('api');
    expect(await endpointAliases(engine.docker, keepId, shared)).not.toContain('api');
    const status = await agent.status();
    expect(status.resources.filter((r) => r.resource.startsWith(p)).map((r) => r.status)).toEqual([
      'Ready',
      'Ready',
      'Ready',
      'Ready',
    ]);
  }, 240_000);
});
