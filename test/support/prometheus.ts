/**
 * A real Prometheus for tests: Debian's `prometheus` binary, scraping one target on loopback
 * every second, so that a test reads the agent's metrics the way an operator's Prometheus does
 * (names, labels, exposition format) instead of parsing `/metrics` itself.
 *
 * Each instance gets a temp folder for its config and storage and its own loopback port;
 * `stop()` ends the process and removes the folder. Only loopback is ever contacted: the target
 * must be 127.0.0.1, and Prometheus listens and is queried on 127.0.0.1 only.
 */

import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { stringify } from 'yaml';

import { waitFor } from './dockerx';

export interface PrometheusOptions {
  /** The one target to scrape, `127.0.0.1:PORT`; its `/metrics` is read every second. */
  target: string;
  /** The scrape job's name; default `berth`, the job that deploy/prometheus's rules select. */
  job?: string;
  /** Rule files to load (e.g. deploy/prometheus/berth-alerts.yml), evaluated every second. */
  ruleFiles?: string[];
  /** Port to listen on (127.0.0.1); default a free one the kernel picks. */
  port?: number;
  /** The binary; default `prometheus` on PATH, from Debian's `prometheus` package. */
  binary?: string;
  /** How long to wait until Prometheus says it is ready; default 30 s. */
  readyTimeoutMs?: number;
}

/** One series of an instant query: its labels (`__name__` included) and value. */
export interface Sample {
  metric: Record<string, string>;
  value: number;
}

export interface StartedPrometheus {
  /** `http://127.0.0.1:PORT`, the HTTP API and web UI. */
  url: string;
  /** The temp folder of config and storage; gone after `stop()`. */
  dir: string;
  /** Runs an instant query now; a scalar result comes back as one sample without labels. */
  query(expr: string): Promise<Sample[]>;
  /**
   * Repeats `query` until it returns a sample (default up to 15 s). The first scrape comes
   * about 5 s after start: Prometheus hands discovered targets to its scraper every 5 s.
   */
  waitForSamples(expr: string, timeoutMs?: number): Promise<Sample[]>;
  /** The last lines Prometheus logged, for failure messages. */
  logs(): string;
  /** Ends Prometheus (SIGTERM, SIGKILL after 10 s) and removes its folder; safe to repeat. */
  stop(): Promise<void>;
}

const LOOPBACK_TARGET = /^127\.0\.0\.1:\d{1,5}$/;
const KEPT_LOG_LINES = 40;
// Removed from Prometheus's environment, so that no proxy setting can route a scrape off loopback.
const PROXY_VARIABLES = ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'NO_PROXY'];

/** Starts Prometheus scraping `options.target` and resolves once it is ready to answer. */
export async function startPrometheus(options: PrometheusOptions): Promise<StartedPrometheus> {
  if (!LOOPBACK_TARGET.test(options.target)) {
    throw new Error(
      `prometheus helper: target '${options.target}' is not 127.0.0.1:PORT; tests scrape ` +
        'loopback only',
    );
  }
  const binary = findBinary(options.binary ?? 'prometheus');

  // A port the kernel handed out may be taken again before Prometheus binds it: try anew.
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freeLoopbackPort());
    try {
      return await launch(binary, port, options);
    } catch (err) {
      const taken = err instanceof PortTakenError;
      if (!taken || options.port !== undefined || attempt === 3) throw err;
    }
  }
}

class PortTakenError extends Error {}

/** The binary's path, or an error that says how to install it. */
function findBinary(name: string): string {
  const dirs = name.includes('/') ? [''] : (process.env.PATH ?? '').split(path.delimiter);
  for (const dir of dirs) {
    const candidate = dir ? path.join(dir, name) : name;
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here; look further
    }
  }
  throw new Error(
    `prometheus helper: no executable '${name}' on PATH; install Debian's package ` +
      '(apt-get install prometheus, as .ci/run does), or pass its path as `binary`',
  );
}

async function launch(
  binary: string,
  port: number,
  options: PrometheusOptions,
): Promise<StartedPrometheus> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-prometheus-'));
  const config = path.join(dir, 'prometheus.yml');
  fs.writeFileSync(config, configText(options));
  const listen = `127.0.0.1:${port}`;
  const args = [
    `--config.file=${config}`,
    `--storage.tsdb.path=${path.join(dir, 'data')}`,
    `--web.listen-address=${listen}`,
    '--log.level=warn',
  ];
  const child = spawn(binary, args, { env: withoutProxies(), stdio: ['ignore', 'pipe', 'pipe'] });
  const state = watch(child);

  const url = `http://${listen}`;
  const stop = stopper(child, dir);
  try {
    await untilReady(state, url, options.readyTimeoutMs ?? 30_000);
  } catch (err) {
    await stop();
    throw err;
  }

  const query = (expr: string) => instantQuery(url, expr);
  const waitForSamples = async (expr: string, timeoutMs = 15_000) => {
    try {
      return await waitFor(async () => {
        const samples = await query(expr);
        return samples.length > 0 ? samples : null;
      }, timeoutMs);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new Error(`prometheus: no sample of '${expr}' (${why}); log:\n${state.logs()}`);
    }
  };
  return { url, dir, query, waitForSamples, logs: state.logs, stop };
}

function withoutProxies(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of PROXY_VARIABLES) {
    delete env[name];
    delete env[name.toLowerCase()];
  }
  return env;
}

/** What the process said, and why it ended (null while it runs). */
interface ProcessState {
  logs(): string;
  ended(): string | null;
}

function watch(child: ChildProcess): ProcessState {
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - KEPT_LOG_LINES));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  let ended: string | null = null;
  child.once('exit', (code, signal) => {
    ended = code !== null ? `exit code ${code}` : `signal ${signal}`;
  });
  // Without a listener, a failed spawn or kill would throw from the event emitter.
  child.on('error', (err) => {
    ended ??= err.message;
  });
  return { logs: () => lines.join('\n'), ended: () => ended };
}

/** The config: one job with one static target, scraped and evaluated every second. */
function configText(options: PrometheusOptions): string {
  const config = {
    // The timeout may not exceed the interval: Prometheus refuses such a config.
    global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
    rule_files: (options.ruleFiles ?? []).map((f) => path.resolve(f)),
    scrape_configs: [
      { job_name: options.job ?? 'berth', static_configs: [{ targets: [options.target] }] },
    ],
  };
  return stringify(config);
}

/** Resolves once /-/ready answers 200; rejects, with the log, when the process ends first. */
async function untilReady(state: ProcessState, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ended = state.ended();
    if (ended !== null) {
      const log = state.logs();
      if (log.includes('address already in use')) throw new PortTakenError(log);
      throw new Error(`prometheus helper: prometheus ended at start (${ended}); log:\n${log}`);
    }
    if (await answersReady(url)) return;
    if (Date.now() > deadline) {
      throw new Error(
        `prometheus helper: ${url} not ready within ${timeoutMs} ms; log:\n${state.logs()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function answersReady(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false; // not listening yet
  }
}

/** `stop()`: ends the process and removes its folder, once, however often it is called. */
function stopper(child: ChildProcess, dir: string): () => Promise<void> {
  // A test that fails before its afterAll must not leave a Prometheus running behind jest.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let stopping: Promise<void> | null = null;

  return () => {
    stopping ??= (async () => {
      process.off('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        const ended = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await ended;
        clearTimeout(timer);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    })();
    return stopping;
  };
}

interface QueryResponse {
  status: 'success' | 'error';
  errorType?: string;
  error?: string;
  data?: { resultType: string; result: unknown };
}

type VectorResult = { metric: Record<string, string>; value: [number, string] }[];

async function instantQuery(url: string, expr: string): Promise<Sample[]> {
  const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`, {
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json()) as QueryResponse;
  if (body.status !== 'success' || !body.data) {
    throw new Error(`prometheus query '${expr}' failed: ${body.errorType}: ${body.error}`);
  }

  const { resultType, result } = body.data;
  if (resultType === 'vector') {
    return (result as VectorResult).map((s) => ({ metric: s.metric, value: Number(s.value[1]) }));
  }
  if (resultType === 'scalar') return [{ metric: {}, value: Number((result as string[])[1]) }];
  throw new Error(`prometheus query '${expr}' gave a ${resultType}; ask for an instant vector`);
}

/** A port on 127.0.0.1 that is free now: the kernel's choice, outside the scopes' blocks. */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
