/**
 * A Docker engine of a test's own, for tests that stop and start dockerd: the shared engine that
 * other test runs use is never restarted. It has its own data root, exec root (so its own
 * containerd), socket and pid file under one temp folder, its own network namespace (so its own
 * docker0 and bridges, out of the host's sight), its own address pool (10.201.0.0/16, apart from
 * the shared engine's 10.200.0.0/16 and the scopes' 10.209+), and it leaves iptables and sysctls
 * alone. Its log is `<dir>/dockerd.log`.
 */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import Docker from 'dockerode';

import { waitFor } from './dockerx';
import { TEST_IMAGE } from './scope';

/** Address pool of private engines; no other engine or scope draws from it. */
export const PRIVATE_POOL = 'base=10.201.0.0/16,size=24';

export interface PrivateDockerd {
  /** Its folder: data, exec root, sockets, pid file and log. */
  dir: string;
  /** `unix://...` of its socket, for DOCKER_HOST. */
  host: string;
  /** A client for its socket (it answers only while the engine runs on that socket). */
  docker: Docker;
  /**
   * Starts the engine and waits until it answers. `socket` names another socket to listen on
   * instead (relative to `dir`), so that clients of the usual one stay blind meanwhile; returns
   * a client for the socket it listens on.
   */
  start(socket?: string): Promise<Docker>;
  /** SIGTERM, then waits until the process exited and the socket no longer answers. */
  stop(): Promise<void>;
  /** Copies the shared engine's test image into this engine. */
  importTestImage(from: Docker): Promise<void>;
  /** Stops the engine and removes its folder. */
  destroy(): Promise<void>;
}

const SOCKET = 'docker.sock';

/** Prepares a private engine (not started yet); synchronous so a describe block can hold it. */
export function privateDockerd(tag: string): PrivateDockerd {
  // Short: unix socket paths are limited to 108 bytes, containerd's lives under the exec root.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bd-${tag}-`));
  const log = path.join(dir, 'dockerd.log');
  const host = `unix://${path.join(dir, SOCKET)}`;
  const docker = new Docker({ socketPath: path.join(dir, SOCKET) });
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  const self: PrivateDockerd = {
    dir,
    host,
    docker,
    start: async (socket = SOCKET) => {
      if (child) throw new Error(`private dockerd in ${dir} already runs`);
      const out = fs.openSync(log, 'a');
      // In a network namespace of its own: its bridges, veths and rules never meet the host's
      // (a dockerd started with `--bridge=none` deletes the host's docker0, for one). Its unix
      // sockets are files, so clients outside the namespace reach it all the same.
      const args = ['--net', 'dockerd', ...dockerdArgs(dir, socket)];
      const proc = spawn('unshare', args, { stdio: ['ignore', out, out] });
      fs.closeSync(out);
      child = proc;
      exited = new Promise((resolve) => proc.once('exit', () => resolve()));
      void exited.then(() => {
        if (child === proc) child = null;
      });
      const client = new Docker({ socketPath: path.join(dir, socket) });
      await waitFor(
        async () => {
          if (child !== proc) throw new Error(`dockerd exited; see ${log}`);
          return (await client.ping().then(String)) === 'OK';
        },
        60_000,
        200,
      );
      return client;
    },
    stop: async () => {
      const proc = child;
      if (!proc) return;
      proc.kill('SIGTERM');
      await exited;
      await waitFor(
        async () =>
          !(await docker.ping().then(
            () => true,
            () => false,
          )),
        10_000,
      );
    },
    importTestImage: async (from) => {
      const tar = await from.getImage(TEST_IMAGE).get();
      const stream = await docker.loadImage(tar);
      await new Promise((resolve, reject) =>
        docker.modem.followProgress(stream, (err) => (err ? reject(err) : resolve(null))),
      );
    },
    destroy: async () => {
      await self.stop();
      // A shim whose container ended just before its containerd stopped can outlive both.
      for (const pid of processesNaming(dir)) process.kill(pid, 'SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return self;
}

/** PIDs of the processes whose command line names `dir` (this engine's shims, by their socket). */
function processesNaming(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(dir)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

function dockerdArgs(dir: string, socket: string): string[] {
  return [
    '--data-root',
    path.join(dir, 'data'),
    '--exec-root',
    path.join(dir, 'exec'),
    '-H',
    `unix://${path.join(dir, socket)}`,
    '--pidfile',
    path.join(dir, 'dockerd.pid'),
    '--iptables=false',
    '--ip-forward=false',
    '--ip-masq=false',
    '--default-address-pool',
    PRIVATE_POOL,
    // Its own containerd namespaces: should a system containerd answer (Debian's service), the
    // shared engine's containers are never this engine's to see or touch.
    '--containerd-namespace',
    'berth-private',
    '--containerd-plugins-namespace',
    'berth-private-plugins',
  ];
}
