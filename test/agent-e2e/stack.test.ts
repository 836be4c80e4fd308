/**
 * The agent with a stack: /status shows the stack with each service; a service detached from
 * the stack's own network by hand is put back (the stack network's events are watched) and
 * counted as the stack's drift; an unhealthy long-running service makes the stack Degraded.
 */
import { AgentProcess, startAgent, useAgentScope } from '../support/agent-process';
import { waitFor } from '../support/dockerx';
import {
  containerIds,
  destination,
  inspect,
  sh,
  stackDoc,
  writeCompose,
  writeDocs,
} from '../e2e/e2e';
import { service } from '../e2e/stack-support';

describe('berth agent with a stack', () => {
  const scope = useAgentScope('agent-stack');
  const p = scope.prefix;
  const shop = `${p}shop`;
  let agent: AgentProcess;
  let dir: string;

  const stackOf = async () => (await agent.status()).resources.find((r) => r.resource === shop);

  beforeAll(async () => {
    dir = scope.specsDir();
    writeDocs(dir, 'dest.yaml', destination(`${p}dest`));
    const healthy = { test: ['CMD-SHELL', 'test -f /tmp/ok'], interval: '1s', retries: 2 };
    writeDocs(
      dir,
      'shop.yaml',
      stackDoc(shop, {
        destination: `${p}dest`,
        healthTimeout: '30s',
        composeFile: 'compose.yaml',
      }),
    );
    writeCompose(dir, 'compose.yaml', {
      services: {
        db: service("sh -c 'touch /tmp/ok && exec sleep 3600'", { healthcheck: healthy }),
        app: service('sleep 3600', { depends_on: { db: { condition: 'service_healthy' } } }),
        job: service('true', { restart: 'no' }),
      },
    });
    agent = await startAgent(scope, dir);
    await agent.ready();
  });

  it('/status shows the stack Ready with each service, the finished job too', async () => {
    const stack = await waitFor(async () => {
      const s = await stackOf();
      const job = s?.containers.find((c) => c.service === 'job');
      return s?.status === 'Ready' && job?.state === 'exited' && s;
    }, 30_000);

    expect(stack.kind).toBe('Stack');
    expect(stack.containers.map((c) => `${c.service} ${c.name} ${c.state}`)).toEqual([
      `app ${shop}-app running`,
      `db ${shop}-db running`,
      `job ${shop}-job exited`,
    ]);
  });

  it('puts back a service detached from the stack network, as the stack drift', async () => {
    const drift = 'berth_drift_corrections_total{kind="Stack",reason="network-detached"}';
    const net = `${shop}_default`;
    await scope.docker.getNetwork(net).disconnect({ Container: `${shop}-app` });

    await waitFor(
      async () => (await inspect(scope.docker, `${shop}-app`))?.NetworkSettings.Networks[net],
      10_000,
    );
    await waitFor(async () => (await agent.metric(drift)) === 1, 5000);
  });

  it('is Degraded, naming the service, while a long-running service is unhealthy', async () => {
    await sh(scope.docker, `${shop}-db`, 'rm /tmp/ok');

    const stack = await waitFor(async () => {
      const s = await stackOf();
      return s?.status === 'Degraded' && s;
    }, 20_000);

    expect(stack.reason).toBe(`service db (container ${shop}-db) is unhealthy`);
  });

  it('a compose file saved broken makes the stack Invalid; its containers run on', async () => {
    const before = await containerIds(scope.docker, `${shop}-`);
    writeCompose(dir, 'compose.yaml', { services: { app: service('sleep 1', { build: '.' }) } });

    const stack = await waitFor(async () => {
      const s = await stackOf();
      return s?.status === 'Invalid' && s;
    }, 20_000);

    expect(stack.reason).toMatch(
      new RegExp(
        `compose\\.yaml:\\d+ services\\.app\\.build: stack '${shop}' service 'app': build is refused`,
      ),
    );
    expect(stack.reason).toMatch(/\(its last good spec runs\)$/);
    expect(await containerIds(scope.docker, `${shop}-`)).toEqual(before);
  });
});
