/**
 * The agent at rest, with the default schedule (a periodic pass every 30 s): resident memory
 * with 1 resource spec, with 1,000 resource specs loaded, and with 100 live containers, next
 * to a bare `node -e` and to a node process that requires the agent's modules; and CPU time
 * over a minute idle. Resident memory is sampled every second of that minute: a node
 * process's RSS moves by tens of MB with its garbage collector, so one reading says little.
 *
 * The 1,000 resources are `suspend: true`: the agent loads, validates, hashes and plans every
 * one of them each pass, and keeps a status and a metric series for each, but makes no
 * container for them (a resource whose destination is on another server would be dropped as
 * soon as the specs are resolved, so it would not measure what 1,000 specs cost). The one
 * resource of the smallest agent is suspended too, so that the bench never runs more than the
 * 100 live containers.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { StatusDocument } from '../src/agent/view';
import { BenchAgent, cpuSeconds, residentMb } from './agent-process';
import { Scenario, scenario } from './agent-scenario';
import { docker, median, progress, round, sleep, waitFor } from './common';

const IDLE_SECONDS = 60;
const SPECS = 1000;
const LIVE = 100;

export interface IdleFigures {
  rss_node_mb: number;
  rss_modules_mb: number;
  rss_1_mb: number;
  rss_1000_specs_mb: number;
  rss_1000_specs_max_mb: number;
  rss_1000_specs_peak_mb: number;
  rss_100_live_mb: number;
  rss_100_live_max_mb: number;
  rss_100_live_peak_mb: number;
  rss_1000_specs_per_node: number;
  rss_1000_specs_per_modules: number;
  rss_1000_specs_per_1: number;
  cpu_idle_pct_1: number;
  cpu_idle_pct_1000_specs: number;
  cpu_idle_pct_100_live: number;
  idle_engine_events: number;
}

/** RSS in MB of a node process that only requires `modules` (of dist/src) and waits. */
async function bareNodeMb(modules: string[]): Promise<number> {
  const dist = path.resolve(__dirname, '..', 'src');
  const requires = modules.map((m) => `require(${JSON.stringify(path.join(dist, m))});`);
  const code = `${requires.join('')}setInterval(() => {}, 1e9);`;
  const child = spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
  try {
    await sleep(3000);
    return residentMb(child.pid!).rss;
  } finally {
    child.kill('SIGKILL');
  }
}

/** Resolves once /status shows `count` resources, all with `status`. */
async function settled(agent: BenchAgent, count: number, status: string): Promise<void> {
  await waitFor(
    `${count} resources ${status}`,
    async () => {
      const doc = (await (await agent.get('/status')).json()) as StatusDocument;
      const done = doc.resources.filter((r) => r.status === status).length;
      return done === count ? true : undefined;
    },
    180_000,
    500,
  );
}

/** Counts the container and network events the engine sends meanwhile (every agent gets them). */
async function countEvents(): Promise<{ count: () => number; stop: () => void }> {
  const stream = await docker.getEvents({ filters: { type: ['container', 'network'] } });
  let n = 0;
  stream.on('data', (chunk: Buffer) => (n += chunk.toString().split('\n').length - 1));
  const destroy = () => (stream as unknown as { destroy(): void }).destroy();
  return { count: () => n, stop: destroy };
}

async function startIdle(s: Scenario, specs: number, live: number): Promise<BenchAgent> {
  s.writeSpecs(Array.from({ length: specs }, (_, i) => ({ suspend: i >= live })));
  const agent = await s.start({ logLevel: 'info' });
  await agent.ready(180_000);
  await settled(agent, live, 'Ready');
  await settled(agent, specs - live, 'Suspended');
  // What Prometheus and an operator would ask for, before memory is read.
  await (await agent.get('/metrics')).text();
  await (await agent.get('/status')).text();
  return agent;
}

/** An agent's resident memory over the idle minute, in MB. */
interface Memory {
  median: number;
  max: number;
  /** VmHWM: the most it ever held, start and first pass included. */
  peak: number;
}

/** CPU share of a core, and resident memory sampled every second, of each agent. */
async function idleMinute(agents: BenchAgent[]): Promise<{ cpu: number[]; memory: Memory[] }> {
  const before = agents.map((a) => cpuSeconds(a.pid));
  const samples: number[][] = agents.map(() => []);
  const t0 = performance.now();
  for (let i = 0; i < IDLE_SECONDS; i++) {
    await sleep(1000);
    agents.forEach((a, k) => samples[k].push(residentMb(a.pid).rss));
  }
  const wall = (performance.now() - t0) / 1000;
  const cpu = agents.map((a, k) => ((cpuSeconds(a.pid) - before[k]) / wall) * 100);
  const memory = agents.map((a, k) => ({
    median: median(samples[k]),
    max: Math.max(...samples[k]),
    peak: residentMb(a.pid).peak,
  }));
  return { cpu, memory };
}

/** Memory and idle CPU of three agents side by side (each its own server), and the baselines. */
export async function idleFigures(): Promise<IdleFigures> {
  const node = await bareNodeMb([]);
  const modules = await bareNodeMb(['docker/lean.js', 'agent/run.js', 'commands.js']);
  return scenario('one', (one) =>
    scenario('specs1k', (specs) =>
      scenario('live100', async (live) => {
        progress('agent idle: 1 suspended resource spec');
        const a1 = await startIdle(one, 1, 0);
        progress(`agent idle: ${SPECS} suspended resource specs`);
        const aSpecs = await startIdle(specs, SPECS, 0);
        progress(`agent idle: ${LIVE} live containers`);
        const aLive = await startIdle(live, LIVE, LIVE);
        await sleep(5000);

        progress(`agent idle: CPU time and memory over ${IDLE_SECONDS} s`);
        const events = await countEvents();
        const { cpu, memory } = await idleMinute([a1, aSpecs, aLive]);
        events.stop();
        return figures({ node, modules }, memory, cpu, events.count());
      }),
    ),
  );
}

function figures(
  bare: { node: number; modules: number },
  [m1, mSpecs, mLive]: Memory[],
  [c1, cSpecs, cLive]: number[],
  events: number,
): IdleFigures {
  const f: IdleFigures = {
    rss_node_mb: round(bare.node, 1),
    rss_modules_mb: round(bare.modules, 1),
    rss_1_mb: round(m1.median, 1),
    rss_1000_specs_mb: round(mSpecs.median, 1),
    rss_1000_specs_max_mb: round(mSpecs.max, 1),
    rss_1000_specs_peak_mb: round(mSpecs.peak, 1),
    rss_100_live_mb: round(mLive.median, 1),
    rss_100_live_max_mb: round(mLive.max, 1),
    rss_100_live_peak_mb: round(mLive.peak, 1),
    rss_1000_specs_per_node: round(mSpecs.median / bare.node),
    rss_1000_specs_per_modules: round(mSpecs.median / bare.modules),
    rss_1000_specs_per_1: round(mSpecs.median / m1.median),
    cpu_idle_pct_1: round(c1),
    cpu_idle_pct_1000_specs: round(cSpecs),
    cpu_idle_pct_100_live: round(cLive),
    idle_engine_events: events,
  };
  console.log(
    `agent resident memory, median over ${IDLE_SECONDS} s idle (most; peak since start): ` +
      `${f.rss_1_mb} MB with 1 spec, ${f.rss_1000_specs_mb} MB with ${SPECS} specs ` +
      `(${f.rss_1000_specs_max_mb}; ${f.rss_1000_specs_peak_mb}), ${f.rss_100_live_mb} MB with ` +
      `${LIVE} live containers (${f.rss_100_live_max_mb}; ${f.rss_100_live_peak_mb}); ` +
      `${SPECS} specs = ${f.rss_1000_specs_per_node}× a bare node -e (${f.rss_node_mb} MB), ` +
      `${f.rss_1000_specs_per_modules}× node with the agent's modules loaded ` +
      `(${f.rss_modules_mb} MB); target: under 90 MB with ${SPECS} specs`,
  );
  console.log(
    `agent idle CPU over ${IDLE_SECONDS} s (a pass every 30 s): ${f.cpu_idle_pct_1}% of a core ` +
      `with 1 spec, ${f.cpu_idle_pct_1000_specs}% with ${SPECS} specs, ${f.cpu_idle_pct_100_live}% ` +
      `with ${LIVE} containers (target: under 1%; the engine sent ${events} container and ` +
      `network events meanwhile)`,
  );
  return f;
}
