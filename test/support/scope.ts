/**
 * Per-test isolation on one shared Docker engine (contract: "Testing").
 *
 * Container, network and volume names are global on an engine, and jest runs several workers
 * (and people may run several jest processes) against the same engine. A scope gives a test its
 * own berth server name, its own name prefix, host ports and subnets that nobody else uses, and a
 * cleanup that removes exactly what belongs to it: objects labelled with its server name, and
 * objects whose names start with its prefix (foreign objects the test made on purpose).
 */

import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import Docker from 'dockerode';

import { LABEL } from '../../src/labels';

/** The image every test container runs: built offline by scripts/docker-up.sh. */
export const TEST_IMAGE = process.env.BERTH_TEST_IMAGE ?? 'berth-busybox:latest';

/** Upper bound for a scope's server name (it is a DNS label and becomes part of names). */
export const MAX_SERVER_LENGTH = 30;

/** Host ports each jest worker draws from: a block of its own, below Linux's ephemeral range. */
export const PORT_BASE = 20000;
export const PORT_BLOCK = 1000;
const PORT_WORKER_SLOTS = 10;

/** Subnets are `10.<SUBNET_OCTET_BASE + worker>.<n>.0/24`; Docker's own pool is 10.200.0.0/16. */
export const SUBNET_OCTET_BASE = 209;
const SUBNET_WORKER_SLOTS = 40;

/** What a cleanup removed, by Docker name. */
export interface CleanupReport {
  containers: string[];
  networks: string[];
  volumes: string[];
}

export interface Scope {
  /** berth server name for this test, e.g. `t1-proxy-k3x9`: a DNS label of at most 30 chars. */
  server: string;
  /** Prefix for every Docker name the test makes (resources, networks, foreign peers). */
  prefix: string;
  /** The engine the environment names (`DOCKER_HOST`, else the local socket), unless given. */
  docker: Docker;
  /** A host port that no other worker is given and that is free on 127.0.0.1 right now. */
  port(): Promise<number>;
  /** A /24 (`10.21x.n.0/24`) that no other worker is given and that no engine network overlaps. */
  subnet(): Promise<string>;
  /** A new temp folder for specs, removed by `cleanup()`. */
  specsDir(): string;
  /** Removes this scope's containers (force), networks, volumes and spec folders. */
  cleanup(): Promise<CleanupReport>;
}

/** The jest worker this code runs in (1-based), 0 outside jest. */
export function workerId(): number {
  return Number(process.env.JEST_WORKER_ID ?? '0') || 0;
}

/** The port block `[first, last]` of a worker; blocks of different workers never overlap. */
export function portRange(worker: number): [number, number] {
  const first = PORT_BASE + (worker % PORT_WORKER_SLOTS) * PORT_BLOCK;
  return [first, first + PORT_BLOCK - 1];
}

/** The second octet of a worker's subnets; different workers never share one. */
export function subnetOctet(worker: number): number {
  return SUBNET_OCTET_BASE + (worker % SUBNET_WORKER_SLOTS);
}

/** The gateway Docker would pick for a subnet: its first host address. */
export function gatewayOf(subnet: string): string {
  const [address] = subnet.split('/');
  return ipFromInt(ipToInt(address) + 1);
}

/**
 * Makes a scope. Synchronous, so a test can write `const scope = createScope('proxy')` at the top
 * of a `describe` and `afterAll(() => scope.cleanup())` right under it; `useScope` does both.
 * `docker` is the engine it works on: by default the one the environment names.
 */
export function createScope(label: string, docker: Docker = new Docker()): Scope {
  const server = serverName(workerId(), label);
  const prefix = `${server}-`;
  const dirs: string[] = [];

  return {
    server,
    prefix,
    docker,
    port: () => nextPort(),
    subnet: () => nextSubnet(docker),
    specsDir: () => {
      const dir = specsDir(server);
      dirs.push(dir);
      return dir;
    },
    cleanup: async () => {
      const report = await removeScoped(docker, server, prefix);
      for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
      return report;
    },
  };
}

/** `createScope` plus an `afterAll` that cleans it up, also when the tests failed. */
export function useScope(label: string): Scope {
  const scope = createScope(label);
  afterAll(() => scope.cleanup());
  return scope;
}

/** A new, empty temp folder for spec files. The caller removes it (a scope's `specsDir` does). */
export function specsDir(tag = 'specs'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `berth-${tag}-`));
}

/**
 * Writes `yamlText` verbatim (no dedent, so line numbers in errors stay predictable) to
 * `dir/relPath`, creating folders on the way. Returns the file's absolute path.
 */
export function writeSpec(dir: string, relPath: string, yamlText: string): string {
  const file = path.resolve(dir, relPath);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, yamlText);
  return file;
}

/** `t<worker>-<label>-<random4>`, lower case, at most MAX_SERVER_LENGTH characters. */
export function serverName(worker: number, label: string): string {
  const head = `t${worker}-`;
  const tail = `-${randomId(4)}`;
  const room = MAX_SERVER_LENGTH - head.length - tail.length;
  const clean = label
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .slice(0, room)
    .replace(/^-+|-+$/g, '');
  return head + (clean || 'x') + tail;
}

function randomId(length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = crypto.randomBytes(length);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

// Counters live per module instance (jest gives each test file its own). They start at a random
// point so that test files, and jest processes run side by side, rarely probe the same values;
// the live checks below settle the rest.
let portCursor = crypto.randomInt(PORT_BLOCK);
let subnetCursor = crypto.randomInt(256);

async function nextPort(): Promise<number> {
  const [first] = portRange(workerId());
  for (let tries = 0; tries < PORT_BLOCK; tries++) {
    const port = first + (portCursor++ % PORT_BLOCK);
    if (await portIsFree(port)) return port;
  }
  throw new Error(`scope: no free host port left in ${first}..${first + PORT_BLOCK - 1}`);
}

/** True when this process can listen on the port on 127.0.0.1 and on all addresses. */
export async function portIsFree(port: number): Promise<boolean> {
  return (await canListen(port, '127.0.0.1')) && (await canListen(port, '0.0.0.0'));
}

function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

async function nextSubnet(docker: Docker): Promise<string> {
  const octet = subnetOctet(workerId());
  const taken = await engineSubnets(docker);
  for (let tries = 0; tries < 256; tries++) {
    const subnet = `10.${octet}.${subnetCursor++ % 256}.0/24`;
    if (!taken.some((other) => overlaps(subnet, other))) return subnet;
  }
  throw new Error(`scope: every subnet in 10.${octet}.0.0/16 is in use on the engine`);
}

async function engineSubnets(docker: Docker): Promise<string[]> {
  const networks = await docker.listNetworks();
  return networks
    .flatMap((n) => (n.IPAM?.Config ?? []).map((c) => c.Subnet ?? ''))
    .filter((s) => s.includes('.'));
}

/** True when two IPv4 CIDR blocks share an address. */
export function overlaps(a: string, b: string): boolean {
  const [aStart, aEnd] = cidrRange(a);
  const [bStart, bEnd] = cidrRange(b);
  return aStart <= bEnd && bStart <= aEnd;
}

function cidrRange(cidr: string): [number, number] {
  const [address, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits ?? 32));
  const start = Math.floor(ipToInt(address) / size) * size;
  return [start, start + size - 1];
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function ipFromInt(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/** True for Docker's 404 (already gone) and 409 "removal already in progress". */
function isGone(err: unknown): boolean {
  const status = (err as { statusCode?: number }).statusCode;
  return status === 404 || (status === 409 && /already in progress/.test(String(err)));
}

/** Removes containers, then networks, then volumes; tries all before it reports failures. */
async function removeScoped(
  docker: Docker,
  server: string,
  prefix: string,
): Promise<CleanupReport> {
  const ours: Filters = { label: [`${LABEL.server}=${server}`] };
  const failures: string[] = [];
  const attempt = async (what: string, fn: () => Promise<unknown>): Promise<boolean> => {
    try {
      await fn();
      return true;
    } catch (err) {
      if (isGone(err)) return false;
      failures.push(`${what}: ${(err as Error).message}`);
      return false;
    }
  };

  // Listed again after each round: a container that Docker was restarting when it was removed
  // can outlive a removal that reported success, and its network then cannot go.
  const removedContainers: string[] = [];
  for (let round = 0; round < 3; round++) {
    const containers = await scopedContainers(docker, ours, prefix);
    if (containers.length === 0) break;
    if (round > 0) await new Promise((resolve) => setTimeout(resolve, 500));
    // One at a time: force-removing many containers of one network at once can leave Docker
    // 20.10 with a phantom endpoint that keeps the network from going until dockerd restarts.
    const removed = await removeEach(
      containers,
      (c) =>
        attempt(`container ${c.name}`, () =>
          docker.getContainer(c.id).remove({ force: true, v: true }),
        ),
      { oneByOne: true },
    );
    removedContainers.push(...removed.filter((name) => !removedContainers.includes(name)));
  }
  const left = await scopedContainers(docker, ours, prefix);
  for (const c of left) failures.push(`container ${c.name}: still there after 3 removals`);

  const networks = await scopedNetworks(docker, ours, prefix);
  const removedNetworks = await removeEach(networks, (n) =>
    attempt(`network ${n.name}`, () => removeNetwork(docker, n.id)),
  );

  const volumes = await scopedVolumes(docker, ours, prefix);
  const removedVolumes = await removeEach(volumes, (v) =>
    attempt(`volume ${v.name}`, () => docker.getVolume(v.name).remove({ force: true })),
  );

  if (failures.length > 0) {
    throw new Error(`scope ${server}: cleanup left objects behind:\n  ${failures.join('\n  ')}`);
  }
  return { containers: removedContainers, networks: removedNetworks, volumes: removedVolumes };
}

type Filters = Record<string, string[]>;

interface Named {
  id: string;
  name: string;
}

/** Removes all items in parallel; returns the names of those it removed, sorted. */
async function removeEach(
  items: Named[],
  remove: (item: Named) => Promise<boolean>,
  { oneByOne = false } = {},
): Promise<string[]> {
  const removed: boolean[] = [];
  if (oneByOne) for (const item of items) removed.push(await remove(item));
  else removed.push(...(await Promise.all(items.map((item) => remove(item)))));
  return items
    .filter((_, i) => removed[i])
    .map((item) => item.name)
    .sort();
}

function unique(items: Named[]): Named[] {
  return [...new Map(items.map((item) => [item.id, item])).values()];
}

async function scopedContainers(docker: Docker, ours: Filters, prefix: string): Promise<Named[]> {
  const [labelled, all] = await Promise.all([
    docker.listContainers({ all: true, filters: ours }),
    docker.listContainers({ all: true }),
  ]);
  const named = all.filter((c) => c.Names.some((n) => n.replace(/^\//, '').startsWith(prefix)));
  const nameOf = (c: Docker.ContainerInfo) => (c.Names[0] ?? c.Id).replace(/^\//, '');
  return unique([...labelled, ...named].map((c) => ({ id: c.Id, name: nameOf(c) })));
}

async function scopedNetworks(docker: Docker, ours: Filters, prefix: string): Promise<Named[]> {
  const [labelled, all] = await Promise.all([
    docker.listNetworks({ filters: ours }),
    docker.listNetworks(),
  ]);
  const named = all.filter((n) => n.Name.startsWith(prefix));
  return unique([...labelled, ...named].map((n) => ({ id: n.Id, name: n.Name })));
}

async function scopedVolumes(docker: Docker, ours: Filters, prefix: string): Promise<Named[]> {
  const [labelled, all] = await Promise.all([
    docker.listVolumes({ filters: ours }),
    docker.listVolumes(),
  ]);
  const named = (all.Volumes ?? []).filter((v) => v.Name.startsWith(prefix));
  return unique([...(labelled.Volumes ?? []), ...named].map((v) => ({ id: v.Name, name: v.Name })));
}

/** Removes a network, first cutting loose any container still attached (e.g. made elsewhere). */
async function removeNetwork(docker: Docker, id: string): Promise<void> {
  const network = docker.getNetwork(id);
  const info = (await network.inspect()) as { Containers?: Record<string, unknown> };
  for (const container of Object.keys(info.Containers ?? {})) {
    await network.disconnect({ Container: container, Force: true }).catch((err: unknown) => {
      if (!isGone(err)) throw err;
    });
  }
  // Docker 20.10 may report an endpoint of a container removed a moment ago: ask again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await network.remove();
    } catch (err) {
      if (attempt >= 5 || !/active endpoints/.test(String(err))) throw err;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}
