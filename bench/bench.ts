/**
 * `npm run bench`: berth's speed figures, each next to a baseline measured in the same run.
 *
 * - idle pass: Docker calls (counted by a recording proxy, not by berth) and time of a pass
 *   with nothing to do, in a process that has already seen the containers, at 10 and 100;
 * - planner: time on 1,000 and 5,000 in-memory resources;
 * - cold converge: 50 new containers until all run, by berth, by dockerode straight through
 *   (create and start, one network, the same parallelism), and by Debian's docker-compose;
 * - the agent as a process: drift repair, spec edit, resident memory, idle CPU (agent.ts).
 * Medians of 3 runs. The last line is one JSON object with the figures. `node
 * dist/bench/bench.js agent` measures the agent only.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { AliasCache } from '../src/docker/observe';
import { inPool } from '../src/execute/context';
import { createLogger } from '../src/log';
import { runPass } from '../src/pass';
import { DEFAULT_PRUNE_GUARD, plan } from '../src/plan/plan';
import { app, converged, dest, desiredOf } from '../test/plan/build';
import { startRecordingProxy } from '../test/support/recording-proxy';
import { agentFigures } from './agent';
import { docker, IMAGE, median, progress, round } from './common';

const SERVER = 'bench';
const PARALLELISM = 8;
const RUNS = 3;

function writeSpecs(n: number, prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-bench-'));
  const docs = [
    `apiVersion: berth/v1\nkind: Destination\nmetadata:\n  name: ${prefix}dest\nspec: {}\n`,
  ];
  for (let i = 0; i < n; i++) {
    docs.push(
      `apiVersion: berth/v1\nkind: Application\nmetadata:\n  name: ${prefix}c${i}\n` +
        `spec:\n  image: ${IMAGE}\n  pullPolicy: Never\n  command: ["sleep", "3600"]\n` +
        `  stopGracePeriod: 1s\n`,
    );
  }
  fs.writeFileSync(path.join(dir, 'specs.yaml'), docs.join('---\n'));
  return dir;
}

async function cleanup(prefix: string): Promise<void> {
  const all = await docker.listContainers({ all: true });
  const mine = all.filter((c) => c.Names.some((n) => n.startsWith(`/${prefix}`)));
  await inPool(mine, PARALLELISM, async (c) => {
    await docker.getContainer(c.Id).remove({ force: true });
  });
  for (const n of await docker.listNetworks()) {
    if (n.Name.startsWith(prefix)) await docker.getNetwork(n.Id).remove();
  }
}

function passOptions(client: Docker, specs: string, aliases: AliasCache) {
  return {
    docker: client,
    server: SERVER,
    specs,
    log: createLogger('silent'),
    aliases,
    pruneGuard: DEFAULT_PRUNE_GUARD,
    allowMassPrune: false,
    parallelism: PARALLELISM,
    dryRun: false,
  };
}

/** Calls and milliseconds of an idle pass with n live containers, in a warm process. */
async function idlePass(n: number): Promise<{ calls: number; ms: number }> {
  const prefix = `bench-idle${n}-`;
  const specs = writeSpecs(n, prefix);
  const proxy = await startRecordingProxy();
  const client = new Docker({ socketPath: proxy.socketPath });
  const aliases = new AliasCache();
  try {
    const first = await runPass(passOptions(client, specs, aliases));
    const made = first.results.filter((r) => r.ok && r.action.type === 'container-create');
    if (made.length !== n) throw new Error(`idle pass set-up made ${made.length} of ${n}`);
    await runPass(passOptions(client, specs, aliases));
    const calls: number[] = [];
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      proxy.reset();
      const t0 = performance.now();
      const report = await runPass(passOptions(client, specs, aliases));
      times.push(performance.now() - t0);
      calls.push(proxy.calls.length);
      if (report.plan.actions.length > 0) throw new Error('idle pass planned actions');
    }
    return { calls: median(calls), ms: median(times) };
  } finally {
    progress(`idle pass at ${n}: cleaning up`);
    await proxy.close();
    await cleanup(prefix);
    fs.rmSync(specs, { recursive: true, force: true });
  }
}

/**
 * Median milliseconds the planner takes on n resources with one change in ten: `cold` on a
 * freshly loaded desired state (every spec hashed once), `warm` on one already planned (what
 * the agent's periodic pass sees while the specs do not change).
 */
function plannerMs(n: number): { cold: number; warm: number } {
  const prod = dest('prod');
  const apps = Array.from({ length: n }, (_, i) => app(`app-${i}`, prod));
  const observed = converged(desiredOf([prod], apps));
  const changed = apps.map((a, i) =>
    i % 10 === 0 ? { ...a, config: { ...a.config, command: ['sleep', '1'] } } : a,
  );
  const opts = { server: 'web-1', pruneGuard: DEFAULT_PRUNE_GUARD, allowMassPrune: false };
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < 7; i++) {
    const desired = desiredOf([prod], structuredClone(changed));
    let t0 = performance.now();
    plan(desired, observed, opts);
    cold.push(performance.now() - t0);
    t0 = performance.now();
    plan(desired, observed, opts);
    warm.push(performance.now() - t0);
  }
  return { cold: median(cold.slice(2)), warm: median(warm.slice(2)) };
}

async function untilRunning(prefix: string, n: number): Promise<void> {
  for (;;) {
    const running = await docker.listContainers({ filters: { name: [prefix] } });
    const count = running.filter((c) => c.State === 'running').length;
    if (count >= n) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function coldBerth(n: number): Promise<number> {
  const prefix = 'bench-cold-';
  const specs = writeSpecs(n, prefix);
  const t0 = performance.now();
  const report = await runPass(passOptions(docker, specs, new AliasCache()));
  const failed = report.results.filter((r) => !r.ok);
  if (failed.length > 0 || report.specErrors.length > 0) {
    throw new Error(
      `berth's cold pass failed: ${failed[0]?.error ?? report.specErrors[0].message}`,
    );
  }
  await untilRunning(prefix, n);
  const s = (performance.now() - t0) / 1000;
  await cleanup(prefix);
  fs.rmSync(specs, { recursive: true, force: true });
  return s;
}

async function coldRaw(n: number): Promise<number> {
  const prefix = 'bench-raw-';
  const t0 = performance.now();
  const net = await docker.createNetwork({ Name: `${prefix}dest`, CheckDuplicate: true });
  const names = Array.from({ length: n }, (_, i) => `${prefix}c${i}`);
  await inPool(names, PARALLELISM, async (name) => {
    const c = await docker.createContainer({
      name,
      Image: IMAGE,
      Cmd: ['sleep', '3600'],
      HostConfig: { NetworkMode: net.id, RestartPolicy: { Name: 'unless-stopped' } },
    });
    await c.start();
  });
  await untilRunning(prefix, n);
  const s = (performance.now() - t0) / 1000;
  await cleanup(prefix);
  return s;
}

function coldCompose(n: number): number | null {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-bench-compose-'));
  const services = Array.from(
    { length: n },
    (_, i) =>
      `  c${i}:\n    image: ${IMAGE}\n    command: ["sleep", "3600"]\n    restart: unless-stopped\n`,
  );
  fs.writeFileSync(
    path.join(dir, 'docker-compose.yml'),
    `version: "3"\nservices:\n${services.join('')}`,
  );
  // docker-compose 1.29 hangs with COMPOSE_PARALLEL_LIMIT=8 and 50 services (seen here), so it
  // runs with its own default parallelism (64): the comparison favours compose.
  const args = ['-p', 'benchcompose', '-f', path.join(dir, 'docker-compose.yml')];
  const run = (...more: string[]) =>
    execFileSync('docker-compose', [...args, ...more], { stdio: 'ignore', timeout: 300_000 });
  try {
    const t0 = performance.now();
    run('up', '-d');
    const s = (performance.now() - t0) / 1000;
    run('down', '-t', '1');
    return s;
  } catch (err) {
    progress(`docker-compose failed: ${(err as Error).message}`);
    return null;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  execFileSync('bash', ['scripts/docker-up.sh'], { stdio: 'inherit' });
  if (process.argv[2] === 'agent') {
    console.log(JSON.stringify(await agentFigures()));
    return;
  }
  const hasCompose = (() => {
    try {
      execFileSync('docker-compose', ['version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  const planner1000 = plannerMs(1000);
  const planner5000 = plannerMs(5000);
  console.log(
    `planner: ${round(planner1000.warm)} ms at 1,000 resources, ${round(planner5000.warm)} ms ` +
      `at 5,000 (first plan after loading, hashing every spec: ${round(planner1000.cold)} ms ` +
      `and ${round(planner5000.cold)} ms)`,
  );
  const idle10 = await idlePass(10);
  const idle100 = await idlePass(100);
  console.log(
    `idle pass: ${idle10.calls} calls / ${round(idle10.ms)} ms at 10 containers, ` +
      `${idle100.calls} calls / ${round(idle100.ms)} ms at 100`,
  );
  const berth: number[] = [];
  const raw: number[] = [];
  const compose: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    progress(`cold converge, run ${i + 1} of ${RUNS}`);
    // Alternate who goes first, so that neither always inherits the engine's clean-up work.
    if (i % 2 === 0) {
      raw.push(await coldRaw(50));
      berth.push(await coldBerth(50));
    } else {
      berth.push(await coldBerth(50));
      raw.push(await coldRaw(50));
    }
    if (hasCompose) {
      const c = coldCompose(50);
      if (c !== null) compose.push(c);
    }
  }
  const coldS = median(berth);
  const rawS = median(raw);
  const composeS = compose.length ? median(compose) : null;
  console.log(
    `cold converge of 50 containers: berth ${round(coldS)} s, dockerode straight through ` +
      `${round(rawS)} s (berth/raw = ${round(coldS / rawS)}×)` +
      (composeS === null
        ? ', docker-compose not installed (apt-get install docker-compose)'
        : `, docker-compose ${round(composeS)} s (berth/compose = ${round(coldS / composeS)}×)`),
  );
  const agent = await agentFigures();
  console.log(
    JSON.stringify({
      idle_calls_10: idle10.calls,
      idle_calls_100: idle100.calls,
      idle_ms_100: round(idle100.ms),
      planner_ms_1000: round(planner1000.warm),
      planner_ms_5000: round(planner5000.warm),
      planner_cold_ms_1000: round(planner1000.cold),
      planner_cold_ms_5000: round(planner5000.cold),
      cold_s: round(coldS),
      cold_raw_s: round(rawS),
      cold_compose_s: composeS === null ? null : round(composeS),
      ...agent,
    }),
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
