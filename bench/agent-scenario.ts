/**
 * One measurement's world for the agent's bench: its own berth server name (which is also its
 * destination's and network's name, and the prefix of its containers), a temp folder with the
 * specs and the agents' config, logs and locks, and a clean-up that removes every container,
 * network and volume it made and the folder, also when the measurement failed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { inPool } from '../src/execute/context';
import { LABEL } from '../src/labels';
import { BenchAgent, startAgent } from './agent-process';
import { docker, IMAGE, progress } from './common';

/** Exits at once on SIGTERM, unlike `sleep` as PID 1, which waits out the stop grace period. */
export const QUICK_STOP = ['sh', '-c', "trap 'exit 0' TERM; sleep 3600 & wait"];
const SLEEP = ['sleep', '3600'];

export interface AppSpec {
  env?: Record<string, string>;
  suspend?: boolean;
  command?: string[];
}

export interface Scenario {
  server: string;
  specs: string;
  /** Docker name of the n-th application (`<server>-c<n>`). */
  name(n: number): string;
  /** Writes the destination and one application per entry into specs/apps.yaml. */
  writeSpecs(apps: AppSpec[]): void;
  /** Starts an agent on the specs; settings override the config keys (schedule, settle, ...). */
  start(settings?: Record<string, unknown>): Promise<BenchAgent>;
}

function specText(server: string, apps: AppSpec[]): string {
  const doc = (kind: string, name: string, spec: object) =>
    YAML.stringify({ apiVersion: 'berth/v1', kind, metadata: { name }, spec });
  const docs = [doc('Destination', server, {})];
  apps.forEach((a, i) =>
    docs.push(
      doc('Application', `${server}-c${i}`, {
        image: IMAGE,
        pullPolicy: 'Never',
        command: a.command ?? SLEEP,
        stopGracePeriod: '1s',
        ...(a.env ? { env: a.env } : {}),
        ...(a.suspend ? { suspend: true } : {}),
      }),
    ),
  );
  return docs.join('---\n');
}

/** Every container, network and volume of `server`: by berth's label, or by name prefix. */
async function removeObjects(server: string): Promise<void> {
  const mine = (name: string, labels: Record<string, string> | null | undefined) =>
    name === server || name.startsWith(`${server}-`) || labels?.[LABEL.server] === server;
  const containers = await docker.listContainers({ all: true });
  const gone = containers.filter((c) => mine(c.Names[0]?.slice(1) ?? '', c.Labels));
  await inPool(gone, 8, (c) => docker.getContainer(c.Id).remove({ force: true }));
  for (const n of await docker.listNetworks()) {
    if (mine(n.Name, n.Labels)) await docker.getNetwork(n.Id).remove();
  }
  const { Volumes } = await docker.listVolumes();
  for (const v of Volumes ?? []) {
    if (mine(v.Name, v.Labels)) await docker.getVolume(v.Name).remove();
  }
}

/** The clean-ups of the scenarios under way, for a bench stopped by Ctrl-C or SIGTERM. */
const underWay = new Set<() => Promise<void>>();
let hooked = false;

/** On the first SIGINT or SIGTERM: clean up every scenario under way, then exit 130. */
function cleanUpOnSignal(): void {
  if (hooked) return;
  hooked = true;
  const onSignal = (signal: NodeJS.Signals) => {
    progress(`${signal}: stopping the agents and removing what the bench made`);
    void Promise.allSettled([...underWay].map((clean) => clean())).then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}

/** Runs `body` in a scenario named `bench-ag-<tag>` and cleans up after it. */
export async function scenario<T>(tag: string, body: (s: Scenario) => Promise<T>): Promise<T> {
  const server = `bench-ag-${tag}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `berth-bench-${tag}-`));
  const specs = path.join(dir, 'specs');
  fs.mkdirSync(specs);
  const agents: BenchAgent[] = [];
  const s: Scenario = {
    server,
    specs,
    name: (n) => `${server}-c${n}`,
    writeSpecs: (apps) => fs.writeFileSync(path.join(specs, 'apps.yaml'), specText(server, apps)),
    start: async (settings = {}) => {
      const home = fs.mkdtempSync(path.join(dir, 'agent-'));
      const agent = await startAgent(home, { server, specs, ...settings });
      agents.push(agent);
      return agent;
    },
  };
  const cleanUp = async () => {
    underWay.delete(cleanUp);
    await Promise.all(agents.map((a) => a.stop()));
    await removeObjects(server);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  cleanUpOnSignal();
  underWay.add(cleanUp);
  try {
    return await body(s);
  } finally {
    await cleanUp();
  }
}

/** The value of every series of `metric` in a Prometheus exposition, summed. */
export function metricSum(text: string, metric: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${metric}{`) || line.startsWith(`${metric} `)) {
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return sum;
}
