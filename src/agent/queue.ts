/**
 * The agent's work queue: every trigger (a changed spec file, the periodic pass, a Docker event)
 * names a resource, and the queue decides when that resource is worked on.
 *
 * Invariants (safety rule 6 and the controller-runtime outcomes):
 * - a key is worked on by at most one run at a time; triggers that arrive during a run fold into
 *   exactly one more run after it;
 * - at most `parallelism` runs are in flight across all keys; ready keys start in arrival order;
 * - a run ends done, retry (backoff per key, doubling from `baseDelayMs` to `maxDelayMs`) or
 *   terminal (not run again until `reset` or a `spec` trigger); a throwing `work` is a retry;
 * - `event` and `periodic` triggers never cut a backoff short, and are dropped while a key is
 *   terminal; a `spec` trigger forgets the key's failures and runs it now;
 * - one key failing never holds up another.
 */
import { BerthError } from '../errors';

/** How a run ended: done, retry later with backoff, or terminal (wait for the spec to change). */
export type Outcome =
  { kind: 'done' } | { kind: 'retry'; error: string } | { kind: 'terminal'; error: string };

/** What made a key due: its spec changed, a Docker event about it, or the periodic pass. */
export type Trigger = 'spec' | 'event' | 'periodic';

/** Time as the queue sees it; tests pass a fake one. */
export interface Clock {
  now(): number;
  setTimer(ms: number, fn: () => void): unknown;
  clearTimer(handle: unknown): void;
}

export interface QueueOptions {
  /** How many keys are worked on at once; a positive integer. */
  parallelism: number;
  /** The first retry delay. Default 1 s. */
  baseDelayMs?: number;
  /** The longest retry delay. Default 5 min. */
  maxDelayMs?: number;
  /** Default: real timers, unref'd so that a pending retry never keeps the process alive. */
  clock?: Clock;
}

/** A key's state as `state()` reports it. */
export interface KeyState {
  running: boolean;
  /** A run is owed: queued, folded behind the running one, or waiting out a backoff. */
  pending: boolean;
  /** Failed runs in a row (retry or terminal); 0 after a done run or a reset. */
  failures: number;
  /** When the backoff ends (clock time), or null when the key is not backing off. */
  retryAt: number | null;
  /** The error of a terminal outcome, until reset. */
  terminal: string | null;
}

interface Entry {
  running: boolean;
  /** A run is owed. */
  dirty: boolean;
  failures: number;
  retryAt: number | null;
  timer: unknown;
  terminal: string | null;
  /** A reset arrived during the run: its failure, if any, belongs to the old spec. */
  resetDuringRun: boolean;
}

/** Real timers, unref'd: a pending retry alone never keeps the process alive. */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimer: (ms, fn) => setTimeout(fn, ms).unref(),
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Runs `work` per key with per-key exclusivity, folding, a parallel bound and backoff. */
export class WorkQueue<K extends string = string> {
  private readonly entries = new Map<K, Entry>();
  /** Keys that are owed a run and may start now, in arrival order. */
  private readonly ready = new Set<K>();
  private pumpScheduled = false;
  private readonly parallelism: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly clock: Clock;
  private inFlight = 0;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];
  private stopWaiters: (() => void)[] = [];

  constructor(
    private readonly work: (key: K) => Promise<Outcome>,
    opts: QueueOptions,
  ) {
    if (!Number.isInteger(opts.parallelism) || opts.parallelism < 1) {
      throw new BerthError('INTERNAL', `internal: parallelism ${opts.parallelism} is not >= 1`);
    }
    this.parallelism = opts.parallelism;
    this.baseDelayMs = opts.baseDelayMs ?? 1000;
    this.maxDelayMs = opts.maxDelayMs ?? 5 * 60_000;
    this.clock = opts.clock ?? realClock;
  }

  /** Asks for a run of `key`. A `spec` trigger also resets the key's backoff and terminal. */
  add(key: K, trigger: Trigger): void {
    if (this.stopped) return;

    const entry = this.entry(key);
    if (trigger === 'spec') this.forgetFailures(entry);
    else if (entry.terminal !== null) return;
    entry.dirty = true;

    this.enqueueIfReady(key, entry);
    this.schedulePump();
  }

  /**
   * Forgets the key's failures: a pending retry runs now, a terminal key waits for its next
   * trigger. During a run, a failure of that run is not counted and the key runs again.
   */
  reset(key: K): void {
    const entry = this.entries.get(key);
    if (!entry) return;

    this.forgetFailures(entry);
    this.enqueueIfReady(key, entry);
    this.schedulePump();
    this.pruneIfClean(key, entry);
  }

  state(key: K): KeyState {
    const e = this.entries.get(key);
    if (!e) return { running: false, pending: false, failures: 0, retryAt: null, terminal: null };
    const { running, dirty, failures, retryAt, terminal } = e;
    return { running, pending: dirty, failures, retryAt, terminal };
  }

  /** Resolves once nothing runs and nothing is ready to run; backoff timers may remain. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Takes no new work, drops pending retries, and resolves once the runs in flight ended. */
  stop(): Promise<void> {
    this.stopped = true;
    this.ready.clear();
    for (const entry of this.entries.values()) this.cancelBackoff(entry);

    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.stopWaiters.push(resolve));
  }

  private entry(key: K): Entry {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = {
        running: false,
        dirty: false,
        failures: 0,
        retryAt: null,
        timer: null,
        terminal: null,
        resetDuringRun: false,
      };
      this.entries.set(key, entry);
    }
    return entry;
  }

  private forgetFailures(entry: Entry): void {
    entry.failures = 0;
    entry.terminal = null;
    this.cancelBackoff(entry);
    if (entry.running) entry.resetDuringRun = true;
  }

  private cancelBackoff(entry: Entry): void {
    if (entry.retryAt === null) return;
    this.clock.clearTimer(entry.timer);
    entry.timer = null;
    entry.retryAt = null;
  }

  private enqueueIfReady(key: K, entry: Entry): void {
    const blocked = entry.running || entry.retryAt !== null || entry.terminal !== null;
    if (!this.stopped && entry.dirty && !blocked) this.ready.add(key);
  }

  /**
   * Starts ready keys on the next microtask, so that triggers that arrive together (a periodic
   * pass, a burst of events) coalesce into one run per key.
   */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    queueMicrotask(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /** Starts ready keys while there is room. */
  private pump(): void {
    for (const key of this.ready) {
      if (this.inFlight >= this.parallelism) break;
      this.ready.delete(key);
      void this.run(key, this.entry(key));
    }
    if (this.isIdle()) this.settle(this.idleWaiters.splice(0));
  }

  private async run(key: K, entry: Entry): Promise<void> {
    entry.running = true;
    entry.dirty = false;
    this.inFlight++;

    const outcome = await this.attempt(key);

    entry.running = false;
    this.inFlight--;
    this.record(key, entry, outcome);
    this.enqueueIfReady(key, entry);
    this.schedulePump();
    this.pruneIfClean(key, entry);
    if (this.inFlight === 0) this.settle(this.stopWaiters.splice(0));
  }

  private async attempt(key: K): Promise<Outcome> {
    try {
      return await this.work(key);
    } catch (err) {
      return { kind: 'retry', error: err instanceof Error ? err.message : String(err) };
    }
  }

  private record(key: K, entry: Entry, outcome: Outcome): void {
    if (outcome.kind === 'done') {
      entry.failures = 0;
      entry.resetDuringRun = false;
      return;
    }
    // The spec changed while this run worked on the old one: try the new spec now.
    if (entry.resetDuringRun) {
      entry.resetDuringRun = false;
      entry.dirty = true;
      return;
    }

    entry.failures++;
    if (outcome.kind === 'terminal') {
      entry.terminal = outcome.error;
      entry.dirty = false;
      return;
    }
    entry.dirty = true;
    if (!this.stopped) this.backOff(key, entry);
  }

  private backOff(key: K, entry: Entry): void {
    const delay = Math.min(this.baseDelayMs * 2 ** (entry.failures - 1), this.maxDelayMs);
    entry.retryAt = this.clock.now() + delay;
    entry.timer = this.clock.setTimer(delay, () => {
      entry.timer = null;
      entry.retryAt = null;
      this.enqueueIfReady(key, entry);
      this.schedulePump();
    });
  }

  /** Drops the entry of a key with nothing to remember, so that the map tracks live keys only. */
  private pruneIfClean(key: K, entry: Entry): void {
    const clean = !entry.running && !entry.dirty && entry.failures === 0;
    if (clean && entry.retryAt === null && entry.terminal === null) this.entries.delete(key);
  }

  private isIdle(): boolean {
    return this.inFlight === 0 && this.ready.size === 0;
  }

  private settle(waiters: (() => void)[]): void {
    for (const resolve of waiters) resolve();
  }
}
