/**
 * The agent as a real process for end-to-end tests: `node dist/src/cli.js agent` with a config
 * file written for the scope (its server, its specs folder, a free loopback port, its own lock
 * folder), its JSON log lines collected, and helpers to read `/metrics`, `/status` and `/readyz`.
 */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

import { ROOT } from '../e2e/e2e';
import { StatusDocument } from '../../src/agent/view';
import { waitFor } from './dockerx';
import { createScope, portIsFree, Scope } from './scope';

const CLI = path.join(ROOT, 'dist', 'src', 'cli.js');

/** Agent config keys to set besides server, specs and listen. */
export type AgentSettings = Record<string, unknown>;

export interface AgentProcess {
  /** host:port of its HTTP endpoint. */
  listen: string;
  /** Its BERTH_LOCK_DIR: a one-shot CLI run with the same one shares the agent's lock. */
  lockDir: string;
  /** The config file it was started with. */
  configFile: string;
  child: ChildProcess;
  /** Every JSON log line so far, parsed. */
  logs(): Record<string, unknown>[];
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** Resolves with the exit code (or the signal's name) once it exited. */
  exited: Promise<number | string>;
  metrics(): Promise<string>;
  /** The value of one series, e.g. `berth_docker_up` or `berth_reconcile_total{result="changed"}`; 0 when absent. */
  metric(series: string): Promise<number>;
  status(): Promise<StatusDocument>;
  /** HTTP status of `/readyz`, or 0 when nothing answers. */
  readyz(): Promise<number>;
  /** Resolves once `/readyz` says ready. */
  ready(timeoutMs?: number): Promise<void>;
  /** Sends SIGTERM and waits for the exit; SIGKILL after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<number | string>;
  kill(): Promise<number | string>;
}

/** The agents started for each scope, so that its cleanup can stop them first. */
const agentsOf = new WeakMap<Scope, AgentProcess[]>();

/**
 * `useScope` for agent tests: one `afterAll` that first stops every agent started for the scope
 * and then cleans it up. (Two hooks would run in the order they were declared, and an agent still
 * running repairs what the cleanup removes.)
 */
export function useAgentScope(label: string): Scope {
  const scope = createScope(label);
  afterAll(async () => {
    for (const agent of agentsOf.get(scope) ?? []) await agent.stop();
    await scope.cleanup();
  });
  return scope;
}

/** A loopback port inside the scope's block that nothing listens on. */
async function freePort(scope: Scope): Promise<number> {
  for (;;) {
    const port = await scope.port();
    if (await portIsFree(port)) return port;
  }
}

/**
 * Starts the agent for `scope` on `specs`. `settings` go into its config file (schedule, settle,
 * logLevel, ...); defaults here: logLevel debug, settle 300ms, a periodic pass once an hour so
 * that only the triggers under test make passes.
 */
export async function startAgent(
  scope: Scope,
  specs: string,
  settings: AgentSettings = {},
  env: Record<string, string> = {},
): Promise<AgentProcess> {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const dir = scope.specsDir(); // a temp folder the scope removes: config and lock live here
  const listen = `127.0.0.1:${await freePort(scope)}`;
  const config = path.join(dir, 'agent.yaml');
  const lockDir = env.BERTH_LOCK_DIR ?? path.join(dir, 'locks');
  const body = {
    server: scope.server,
    specs,
    listen,
    logLevel: 'debug',
    settle: '300ms',
    schedule: '0 0 * * * *',
    ...settings,
  };
  fs.writeFileSync(config, YAML.stringify(body));

  const child = spawn(process.execPath, [CLI, 'agent', '--config', config], {
    env: { ...process.env, BERTH_LOCK_DIR: lockDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let partial = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    partial += chunk.toString();
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        lines.push({ msg: line, unparsed: true });
      }
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );

  const base = `http://${listen}`;
  const get = async (p: string) => fetch(`${base}${p}`, { signal: AbortSignal.timeout(5000) });
  const agent: AgentProcess = {
    listen,
    lockDir,
    configFile: config,
    child,
    logs: () => lines,
    stderr: () => stderr,
    exited,
    metrics: async () => (await get('/metrics')).text(),
    metric: async (series) => metricValue(await agent.metrics(), series),
    status: async () => (await (await get('/status')).json()) as StatusDocument,
    readyz: async () =>
      get('/readyz').then(
        (r) => r.status,
        () => 0,
      ),
    ready: async (timeoutMs = 30_000) => {
      await waitFor(async () => {
        if (child.exitCode !== null) throw new Error(`agent exited: ${stderr}`);
        return (await agent.readyz()) === 200;
      }, timeoutMs);
    },
    stop: async (timeoutMs = 15_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      return exited.finally(() => clearTimeout(timer));
    },
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return exited;
    },
  };
  agentsOf.set(scope, [...(agentsOf.get(scope) ?? []), agent]);
  return agent;
}

/** The value of `series` in a Prometheus exposition (labels as written); 0 when absent. */
export function metricValue(text: string, series: string): number {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return 0;
}
