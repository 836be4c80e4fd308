/**
 * Small helpers for tests that check what berth did to a real Docker engine: run a command in a
 * container, look a name up in Docker's DNS, read endpoint aliases, start a foreign peer
 * container, hold a host port from another process, and wait for a condition.
 */

import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import { PassThrough } from 'node:stream';

import Docker from 'dockerode';

import { Scope, TEST_IMAGE } from './scope';

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `cmd` in a running container and waits for it (at most `timeoutMs`). Output arrives
 * demultiplexed; the exit code comes from the exec's inspect once it stopped running.
 */
export async function execIn(
  docker: Docker,
  containerId: string,
  cmd: string[],
  timeoutMs = 30_000,
): Promise<ExecResult> {
  const exec = await docker.getContainer(containerId).exec({
    Cmd: cmd,
    AttachStdout: true,
    AttachStderr: true,
  });
  const stream = await exec.start({ hijack: true, stdin: false });
  const stdout = collect();
  const stderr = collect();
  docker.modem.demuxStream(stream, stdout.sink, stderr.sink);

  try {
    await withTimeout(endOf(stream), timeoutMs, `exec ${cmd.join(' ')} in ${containerId}`);
  } finally {
    (stream as NodeJS.ReadableStream & { destroy(): void }).destroy();
  }
  const exitCode = await waitFor(async () => {
    const info = await exec.inspect();
    return info.Running ? undefined : (info.ExitCode ?? -1);
  }, 5_000);
  return { exitCode, stdout: stdout.text(), stderr: stderr.text() };
}

function collect(): { sink: PassThrough; text: () => string } {
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { sink, text: () => Buffer.concat(chunks).toString('utf8') };
}

function endOf(stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', reject);
  });
}

/**
 * True when `name` resolves in Docker's embedded DNS (127.0.0.11) as seen from `peerId`.
 *
 * Rule, so that no DNS query ever leaves the machine: Docker forwards names it does not know to
 * outside resolvers unless every network of the asking container is `internal`. So a name may be
 * looked up only if Docker knows it on one of the peer's networks (a container name, an alias,
 * a short ID, or `<name>.<network>`), or if all of the peer's networks are internal (then
 * unknown names just time out, after `timeoutSec`). Anything else throws before a query is made.
 * The name is sent fully qualified (trailing dot) so that no search domain is appended.
 */
export async function resolvesFrom(
  docker: Docker,
  peerId: string,
  name: string,
  timeoutSec = 2,
): Promise<boolean> {
  const query = name.toLowerCase().replace(/\.$/, '');
  await assertQueryStaysLocal(docker, peerId, query);

  const args = [`-timeout=${timeoutSec}`, '-retry=1', `${query}.`, '127.0.0.11'];
  const result = await execIn(docker, peerId, ['nslookup', ...args]);
  return result.exitCode === 0 && /^Name:\s/m.test(result.stdout);
}

async function assertQueryStaysLocal(docker: Docker, peerId: string, query: string): Promise<void> {
  const peer = await docker.getContainer(peerId).inspect();
  const networkNames = Object.keys(peer.NetworkSettings.Networks ?? {});
  const networks = await Promise.all(networkNames.map((n) => docker.getNetwork(n).inspect()));
  if (networks.length > 0 && networks.every((n) => n.Internal)) return;

  const known = new Set<string>();
  for (const network of networks) {
    for (const name of await namesOn(docker, network)) {
      known.add(name);
      known.add(`${name}.${network.Name.toLowerCase()}`);
    }
  }
  if (known.has(query)) return;

  throw new Error(
    `resolvesFrom: "${query}" is not a name Docker knows on ${networkNames.join(', ')}, and ` +
      `${peer.Name} is on a non-internal network, so the query could leave the machine. ` +
      'Ask from a peer whose networks are all internal.',
  );
}

/** Every name Docker's DNS answers for on one network: container names, aliases, short IDs. */
async function namesOn(docker: Docker, network: Docker.NetworkInspectInfo): Promise<string[]> {
  const names: string[] = [];
  for (const id of Object.keys(network.Containers ?? {})) {
    const info = await docker.getContainer(id).inspect();
    const endpoint = info.NetworkSettings.Networks?.[network.Name];
    names.push(info.Name.replace(/^\//, ''), id.slice(0, 12), ...(endpoint?.Aliases ?? []));
  }
  return names.map((n) => n.toLowerCase());
}

/**
 * The aliases of a container's endpoint on a network, sorted, as Docker reports them. Docker
 * 20.10 lists the container's short ID among them on user-defined networks. Throws when the
 * container is not attached to that network.
 */
export async function endpointAliases(
  docker: Docker,
  containerId: string,
  networkName: string,
): Promise<string[]> {
  const info = await docker.getContainer(containerId).inspect();
  const endpoint = info.NetworkSettings.Networks?.[networkName];
  if (!endpoint) {
    const attached = Object.keys(info.NetworkSettings.Networks ?? {}).join(', ') || 'none';
    throw new Error(`${info.Name} is not attached to ${networkName} (attached: ${attached})`);
  }
  return [...(endpoint.Aliases ?? [])].sort();
}

export interface PeerOptions {
  /** Name after the scope prefix; default `peer-<random>`. */
  name?: string;
  /** Extra DNS names on `network`. */
  aliases?: string[];
  /** Command; default `sleep 3600`. */
  cmd?: string[];
}

export interface Peer {
  id: string;
  name: string;
}

/**
 * Starts a foreign container (no berth labels, name under the scope prefix, so the scope's
 * cleanup removes it) running `berth-busybox:latest` `sleep 3600` on `network`.
 */
export async function runPeer(
  scope: Pick<Scope, 'docker' | 'prefix'>,
  network: string,
  opts: PeerOptions = {},
): Promise<Peer> {
  const name = scope.prefix + (opts.name ?? `peer-${crypto.randomBytes(2).toString('hex')}`);
  const container = await scope.docker.createContainer({
    name,
    Image: TEST_IMAGE,
    Cmd: opts.cmd ?? ['sleep', '3600'],
    HostConfig: { NetworkMode: network },
    NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: opts.aliases ?? [] } } },
  });
  await container.start();
  return { id: container.id, name };
}

export interface HeldPort {
  port: number;
  /** The process that holds the port. */
  pid: number;
  /** Releases the port: stops the holding process and waits until it exited. */
  close(): Promise<void>;
}

const HOLDER = `
const server = require('net').createServer((s) => s.destroy());
server.on('error', (err) => { console.error(err.message); process.exit(3); });
server.listen(Number(process.argv[1]), '127.0.0.1', () => console.log('listening'));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

/**
 * Holds `port` on 127.0.0.1 from a separate Node process, as a port taken by some other program
 * would be. The holder exits when `close()` is called or when this process goes away.
 */
export async function holdPort(port: number): Promise<HeldPort> {
  const child = spawn(process.execPath, ['-e', HOLDER, String(port)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening')) resolve();
    });
    child.once('exit', (code) => {
      reject(new Error(`holdPort ${port}: holder exited ${code}: ${stderr.trim()}`));
    });
  });

  return {
    port,
    pid: child.pid ?? -1,
    close: async () => {
      child.stdin.end();
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * Polls `fn` every `intervalMs` until it returns something other than undefined, null or false,
 * and returns that. A throw counts as "not yet"; on timeout the last error is part of the message.
 */
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  timeoutMs = 10_000,
  intervalMs = 100,
): Promise<Exclude<T, undefined | null | false>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined && value !== null && value !== false) {
        return value as Exclude<T, undefined | null | false>;
      }
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const detail = lastError ? `; last error: ${(lastError as Error).message}` : '';
      throw new Error(`waitFor: condition not met within ${timeoutMs} ms${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
