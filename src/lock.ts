/**
 * The per-server lock (safety rule 6): one process at a time works on a server's objects, so a
 * one-shot `apply` cannot run beside an agent. A lock file per server holds the owner's PID; a
 * file whose process is gone is stale and taken over. The lock is per machine: an agent in a
 * container shares it with the host by mounting the lock folder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BerthError } from './errors';

interface Holder {
  pid: number;
  command: string;
  since: string;
}

/** The lock folder: BERTH_LOCK_DIR, else /run/berth when writable, else the temp folder. */
export function lockDir(env: NodeJS.ProcessEnv): string {
  if (env.BERTH_LOCK_DIR) return env.BERTH_LOCK_DIR;
  try {
    fs.mkdirSync('/run/berth', { recursive: true });
    fs.accessSync('/run/berth', fs.constants.W_OK);
    return '/run/berth';
  } catch {
    return path.join(os.tmpdir(), 'berth-locks');
  }
}

/** Takes the server's lock or throws LOCKED naming the holder; returns the release function. */
export function acquireLock(dir: string, server: string, command: string): () => void {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${server}.lock`);
  const me: Holder = { pid: process.pid, command, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(me), { flag: 'wx' });
      const release = () => releaseLock(file);
      process.once('exit', release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readHolder(file);
    if (holder && alive(holder.pid)) {
      throw new BerthError(
        'LOCKED',
        `server '${server}' is locked by ${holder.command} (pid ${holder.pid}, since ` +
          `${holder.since}); wait for it to finish, or stop the agent for this server first`,
      );
    }
    fs.rmSync(file, { force: true });
  }
  throw new BerthError('LOCKED', `could not take the lock ${file}; remove it if no berth runs`);
}

function releaseLock(file: string): void {
  const holder = readHolder(file);
  if (holder?.pid === process.pid) fs.rmSync(file, { force: true });
}

function readHolder(file: string): Holder | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Holder;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
