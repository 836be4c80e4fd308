/**
 * The agent's speed in `npm run bench`, against the real engine, the agent as a real process:
 *
 * - drift repair: a berth container removed by hand (`docker rm -f`) until its replacement
 *   runs, with the periodic pass once an hour so that the engine's events do the work, next to
 *   a plain `docker run` of the same container;
 * - spec edit: an env value changed in the spec file until a container with it runs, next to
 *   `settle` and the time dockerode takes to start, and to replace, the same container;
 * - resident memory and idle CPU (see agent-idle.ts).
 */
import { execFileSync } from 'node:child_process';
import { idleFigures, IdleFigures } from './agent-idle';
import { BenchAgent } from './agent-process';
import { metricSum, QUICK_STOP, Scenario, scenario } from './agent-scenario';
import { docker, DOCKER_HOST, IMAGE, median, progress, round, sleep, waitFor } from './common';

const TRIALS = 10;
const BASELINE_RUNS = 5;
/** Once an hour: in these measurements only the events and the watched folder make passes. */
const HOURLY = '0 0 * * * *';
/** Polls of `docker inspect` while waiting for a container. */
const POLL_MS = 20;
/** The agent's default `settle`, which the spec edit runs with. */
const SETTLE = '1s';
const SETTLE_MS = 1000;

export interface AgentFigures extends IdleFigures {
  drift_median_ms: number;
  drift_worst_ms: number;
  drift_corrections: number;
  drift_per_docker_run: number;
  edit_median_ms: number;
  edit_worst_ms: number;
  edit_settle_ms: number;
  edit_per_replace: number;
  docker_run_ms: number;
  start_ms: number;
  replace_ms: number;
}

/** What Docker takes by hand, measured in the same run: the baselines of the figures. */
interface Baseline {
  /** `docker run -d` of the container, CLI included. */
  dockerRun: number;
  /** dockerode create and start. */
  start: number;
  /** dockerode replacing a running container in berth's order. */
  replace: number;
}

/** The ID of the container `name` if it runs with every one of `env` (`K=V`); else undefined. */
async function runningId(name: string, env: string[] = []): Promise<string | undefined> {
  try {
    const c = await docker.getContainer(name).inspect();
    const has = (kv: string) => (c.Config.Env ?? []).includes(kv);
    return c.State.Running && env.every(has) ? c.Id : undefined;
  } catch {
    return undefined; // not there (yet): 404
  }
}

type DriftFigures = Pick<AgentFigures, `drift_${string}` & keyof AgentFigures>;

/** The drift corrections the agent counted, once it counted `expected` or after 5 s. */
async function driftCounted(agent: BenchAgent, expected: number): Promise<number> {
  const counted = async () =>
    metricSum(await (await agent.get('/metrics')).text(), 'berth_drift_corrections_total');
  // The pass counts a repair after it observed the engine again, a moment after it ran.
  const enough = async () => ((await counted()) >= expected ? true : undefined);
  await waitFor('drift corrections counted', enough, 5000, 100).catch(() => undefined);
  return counted();
}

async function driftRepair(base: Baseline): Promise<DriftFigures> {
  return scenario('drift', async (s) => {
    s.writeSpecs([{}]);
    const agent = await s.start({ schedule: HOURLY });
    await agent.ready();
    const name = s.name(0);
    let id = await waitFor(`${name} running`, () => runningId(name), 30_000, POLL_MS);
    const times: number[] = [];
    for (let i = 0; i < TRIALS; i++) {
      await sleep(1000); // a person takes longer than that between two removals
      const t0 = performance.now();
      await docker.getContainer(id).remove({ force: true });
      const old = id;
      id = await waitFor(
        `${name} replaced`,
        async () => {
          const now = await runningId(name);
          return now !== old ? now : undefined;
        },
        30_000,
        POLL_MS,
      );
      times.push(performance.now() - t0);
      progress(`drift repair ${i + 1} of ${TRIALS}: ${Math.round(times[i])} ms`);
    }
    return {
      drift_median_ms: round(median(times), 0),
      drift_worst_ms: round(Math.max(...times), 0),
      drift_corrections: await driftCounted(agent, TRIALS),
      drift_per_docker_run: round(median(times) / base.dockerRun),
    };
  });
}

/** Container config of an application of the scenario, as dockerode would give it by hand. */
function rawConfig(name: string, network: string, env: string) {
  return {
    name,
    Image: IMAGE,
    Cmd: QUICK_STOP,
    Env: [env],
    StopTimeout: 1,
    HostConfig: { NetworkMode: network, RestartPolicy: { Name: 'unless-stopped' } },
  };
}

/** Milliseconds of a plain `docker run -d` of the drift bench's container. */
function dockerRun(name: string, network: string): number {
  const args = ['run', '-d', '--pull', 'never', '--name', name, '--network', network];
  const t0 = performance.now();
  execFileSync('docker', [...args, '--restart', 'unless-stopped', IMAGE, 'sleep', '3600'], {
    env: { ...process.env, DOCKER_HOST },
    stdio: 'ignore',
  });
  return performance.now() - t0;
}

/**
 * Medians of doing by hand what the agent needs of Docker: `docker run` of the container that
 * drift repair brings back; dockerode creating and starting the edited container (`start`),
 * and replacing a running one in berth's order (create the replacement, stop the old one,
 * start the replacement, remove the old one, rename; `replace`).
 */
async function byHand(): Promise<Baseline> {
  return scenario('raw', async (s) => {
    const network = s.server;
    await docker.createNetwork({ Name: network, CheckDuplicate: true });
    const name = s.name(0);
    const runs: number[] = [];
    const starts: number[] = [];
    const replaces: number[] = [];
    for (let i = 0; i < BASELINE_RUNS; i++) {
      runs.push(dockerRun(name, network));
      await docker.getContainer(name).remove({ force: true });

      let t0 = performance.now();
      const old = await docker.createContainer(rawConfig(name, network, `BENCH_EDIT=${i}`));
      await old.start();
      starts.push(performance.now() - t0);
      await sleep(200);

      t0 = performance.now();
      const next = await docker.createContainer(rawConfig(`${name}--next`, network, 'BENCH=x'));
      await old.stop({ t: 1 });
      await next.start();
      await old.remove();
      await next.rename({ name });
      replaces.push(performance.now() - t0);
      await next.remove({ force: true });
    }
    return { dockerRun: median(runs), start: median(starts), replace: median(replaces) };
  });
}

type EditFigures = Omit<AgentFigures, keyof IdleFigures | keyof DriftFigures>;

async function specEdit(base: Baseline): Promise<EditFigures> {
  return scenario('edit', async (s) => {
    const edit = (i: number) =>
      s.writeSpecs([{ command: QUICK_STOP, env: { BENCH_EDIT: `${i}` } }]);
    edit(0);
    const agent = await s.start({ schedule: HOURLY, settle: SETTLE });
    await agent.ready();
    const name = s.name(0);
    await waitFor(`${name} running`, () => runningId(name, ['BENCH_EDIT=0']), 30_000, POLL_MS);
    const times: number[] = [];
    for (let i = 1; i <= TRIALS; i++) {
      await sleep(500);
      const t0 = performance.now();
      edit(i);
      const env = [`BENCH_EDIT=${i}`];
      await waitFor(`${name} with ${env[0]}`, () => runningId(name, env), 30_000, POLL_MS);
      times.push(performance.now() - t0);
      progress(`spec edit ${i} of ${TRIALS}: ${Math.round(times[i - 1])} ms`);
    }
    return {
      edit_median_ms: round(median(times), 0),
      edit_worst_ms: round(Math.max(...times), 0),
      edit_settle_ms: SETTLE_MS,
      edit_per_replace: round((median(times) - SETTLE_MS) / base.replace),
      docker_run_ms: round(base.dockerRun, 0),
      start_ms: round(base.start, 0),
      replace_ms: round(base.replace, 0),
    };
  });
}

/** Every agent figure; prints a line for each and returns them for the bench's JSON line. */
export async function agentFigures(): Promise<AgentFigures> {
  progress('agent: the same work by hand');
  const base = await byHand();
  progress('agent: drift repair');
  const drift = await driftRepair(base);
  console.log(
    `agent drift repair (container removed by hand until its replacement runs): median ` +
      `${drift.drift_median_ms} ms, worst ${drift.drift_worst_ms} ms of ${TRIALS}, ` +
      `${drift.drift_per_docker_run}× a plain docker run of it (${round(base.dockerRun, 0)} ms; ` +
      `target: median under 1500 ms; ${drift.drift_corrections} drift corrections counted)`,
  );
  progress('agent: spec edit');
  const edit = await specEdit(base);
  const budget = edit.edit_settle_ms + 1000 + edit.start_ms;
  console.log(
    `agent spec edit until the changed container runs: median ${edit.edit_median_ms} ms, ` +
      `worst ${edit.edit_worst_ms} ms of ${TRIALS} (settle ${edit.edit_settle_ms} ms; dockerode ` +
      `by hand: start ${edit.start_ms} ms, replace ${edit.replace_ms} ms; median less settle ` +
      `= ${edit.edit_per_replace}× replace; target: settle + 1 s + start = ${budget} ms)`,
  );
  const idle = await idleFigures();
  return { ...drift, ...edit, ...idle };
}
