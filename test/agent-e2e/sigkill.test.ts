/**
 * The agent killed with SIGKILL in the middle of converging 20 containers, first while creating
 * them and then while recreating them, and started again on the same lock folder: the end state
 * matches the specs, one container per resource, no `--next` container left.
 */
import path from 'node:path';

import { LABEL, NEXT_SUFFIX } from '../../src/labels';
import { AgentProcess, startAgent } from '../support/agent-process';
import { waitFor } from '../support/dockerx';
import { createScope, Scope } from '../support/scope';
import { application, destination, Doc, inspect, writeDocs } from '../e2e/e2e';

const COUNT = 20;

interface Listed {
  name: string;
  state: string;
}

interface Seen {
  name: string;
  resource: string;
  running: boolean;
  env: string[];
  /** `network=alias,alias` for each network it is on (Docker's short-ID alias left out). */
  networks: string[];
}

/** The scope's berth containers by name and state, from one list call. */
async function listed(scope: Scope): Promise<Listed[]> {
  const list = await scope.docker.listContainers({
    all: true,
    filters: { label: [`${LABEL.server}=${scope.server}`] },
  });
  return list.map((c) => ({ name: (c.Names[0] ?? '').replace(/^\//, ''), state: c.State }));
}

/** The scope's berth containers with their resource label, state, env and aliases. */
async function seen(scope: Scope): Promise<Seen[]> {
  const out: Seen[] = [];
  for (const c of await listed(scope)) {
    const info = await inspect(scope.docker, c.name);
    if (!info) continue; // a create that the killed agent left half done, and Docker undid
    const networks = Object.entries(info.NetworkSettings.Networks ?? {}).map(([net, e]) => {
      const aliases = (e.Aliases ?? []).filter((a: string) => !info.Id.startsWith(a));
      return `${net}=${aliases.sort().join(',')}`;
    });
    out.push({
      name: c.name,
      resource: info.Config.Labels?.[LABEL.resource] ?? '',
      running: info.State.Running,
      env: info.Config.Env ?? [],
      networks: networks.sort(),
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** Polls the engine every 20 ms until `when` holds for its list; returns that list. */
function watchFor(scope: Scope, when: (list: Listed[]) => boolean): Promise<Listed[]> {
  return waitFor(
    async () => {
      const list = await listed(scope);
      return when(list) && list;
    },
    60_000,
    20,
  );
}

describe('berth agent killed with SIGKILL while converging 20 containers', () => {
  const scope = createScope('agent-sigkill');
  const p = scope.prefix;
  const apps = Array.from({ length: COUNT }, (_, i) => `${p}app${String(i).padStart(2, '0')}`);
  const dir = scope.specsDir();
  // One lock folder for every run: the killed agent's stale lock must not keep the next one out.
  const lockEnv = { BERTH_LOCK_DIR: path.join(scope.specsDir(), 'locks') };
  let agent: AgentProcess | undefined;

  // `sleep` ignores SIGTERM, so each stop takes the whole grace period: recreates are slow
  // enough to be caught half done.
  const write = (mode: string) => {
    const docs: Doc[] = apps.map((name) =>
      application(name, { env: { MODE: mode }, stopGracePeriod: '2s', aliases: [`${name}-a`] }),
    );
    writeDocs(dir, 'apps.yaml', destination(`${p}d`, { network: `${p}net` }), ...docs);
  };

  /** Starts the agent again and waits until the engine holds exactly the specs in `mode`. */
  const restartAndSettle = async (mode: string) => {
    const again = await startAgent(scope, dir, {}, lockEnv);
    agent = again;
    await again.ready(60_000);
    const done = await waitFor(async () => {
      const now = await seen(scope);
      const good = now.filter((c) => c.running && c.env.includes(`MODE=${mode}`));
      return now.length === COUNT && good.length === COUNT && now;
    }, 60_000);

    expect(done.map((c) => c.name)).toEqual(apps);
    expect(done.map((c) => c.resource)).toEqual(apps);
    expect(done.map((c) => c.networks)).toEqual(apps.map((a) => [`${p}net=${a}-a`]));
    const ready = JSON.stringify(apps.map((a) => `${a} Ready`));
    await waitFor(async () => {
      const { resources } = await again.status();
      return JSON.stringify(resources.map((r) => `${r.resource} ${r.status}`).sort()) === ready;
    });
  };

  // jest runs afterAll hooks in the order they are declared: the agent must be gone before the
  // cleanup, or it puts back what the cleanup removes.
  afterAll(async () => {
    await agent?.stop();
    await scope.cleanup();
  });

  it('finishes an interrupted cold start after a restart', async () => {
    write('one');
    agent = await startAgent(scope, dir, {}, lockEnv);

    // Started and not finished: some of the containers run, not all of them.
    const running = (list: Listed[]) => list.filter((c) => c.state === 'running').length;
    const atKill = await watchFor(scope, (list) => running(list) >= 1);
    await agent.kill();
    expect(running(atKill)).toBeLessThan(COUNT);
    expect((await seen(scope)).filter((c) => c.running).length).toBeLessThan(COUNT);

    await restartAndSettle('one');
    await agent.stop();
  });

  it('finishes or undoes interrupted recreates after a restart', async () => {
    write('two');
    agent = await startAgent(scope, dir, {}, lockEnv);

    // Started and not finished: a replacement exists (for 300 ms by now, so its create is
    // complete) while old containers are still being stopped.
    const firstSeen = new Map<string, number>();
    const replacementMade = (list: Listed[]) =>
      list
        .filter((c) => c.name.endsWith(NEXT_SUFFIX))
        .some((c) => {
          if (!firstSeen.has(c.name)) firstSeen.set(c.name, Date.now());
          return Date.now() - firstSeen.get(c.name)! >= 300;
        });
    await watchFor(scope, replacementMade);
    await agent.kill();
    const after = await seen(scope);
    expect(after.filter((c) => c.name.endsWith(NEXT_SUFFIX)).length).toBeGreaterThanOrEqual(1);
    expect(after.filter((c) => c.env.includes('MODE=one')).length).toBeGreaterThanOrEqual(1);

    await restartAndSettle('two');
  });
});
