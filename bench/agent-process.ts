/**
 * `berth agent` as a process for the bench: `node dist/src/cli.js agent` with a config file in
 * a folder of the caller's (its own lock folder, a free loopback port, its log lines in a file
 * there), and what the kernel says of its memory and CPU time.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import YAML from 'yaml';
import { DOCKER_HOST, waitFor } from './common';

/** dist/bench/agent-process.js → dist/src/cli.js */
const CLI = path.resolve(__dirname, '..', 'src', 'cli.js');

export interface BenchAgent {
  pid: number;
  /** GET on the agent's HTTP endpoint, e.g. `/metrics`. */
  get(urlPath: string): Promise<Response>;
  /** Resolves once `/readyz` answers 200 (the first complete pass is done). */
  ready(timeoutMs?: number): Promise<void>;
  /** SIGTERM, SIGKILL after 15 s; resolves once it exited. */
  stop(): Promise<void>;
}

/** A loopback port that nothing listened on a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Starts the agent with `config` (server, specs, schedule, ...) from the folder `dir`. */
export async function startAgent(
  dir: string,
  config: Record<string, unknown>,
): Promise<BenchAgent> {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const listen = `127.0.0.1:${await freePort()}`;
  const file = path.join(dir, 'agent.yaml');
  fs.writeFileSync(file, YAML.stringify({ listen, ...config }));
  const log = fs.openSync(path.join(dir, 'agent.log'), 'a');
  const child = spawn(process.execPath, [CLI, 'agent', '--config', file], {
    env: { ...process.env, DOCKER_HOST, BERTH_LOCK_DIR: path.join(dir, 'locks') },
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running = () => child.exitCode === null && child.signalCode === null;
  const get = (urlPath: string) =>
    fetch(`http://${listen}${urlPath}`, { signal: AbortSignal.timeout(5000) });

  return {
    pid: child.pid!,
    get,
    ready: async (timeoutMs = 120_000) => {
      await waitFor(
        `agent in ${dir} ready`,
        async () => {
          if (!running()) throw new Error(`agent exited; its log is ${dir}/agent.log`);
          const status = await get('/readyz').then(
            (r) => r.status,
            () => 0,
          );
          return status === 200 ? true : undefined;
        },
        timeoutMs,
        100,
      );
    },
    stop: async () => {
      if (!running()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resident set now and at its peak, in MB (VmRSS and VmHWM of /proc/PID/status). */
export function residentMb(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)![1]);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

let ticksPerSecond: number | null = null;

/** User plus system CPU seconds the process used so far (/proc/PID/stat utime + stime). */
export function cpuSeconds(pid: number): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces: state is 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  return (utime + stime) / ticksPerSecond;
}
