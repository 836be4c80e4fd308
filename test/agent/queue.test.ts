import { Clock, Outcome, WorkQueue } from '../../src/agent/queue';

/** A clock whose time moves only when a test says so. */
class FakeClock implements Clock {
  private time = 0;
  private nextId = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.time;
  }

  setTimer(ms: number, fn: () => void): unknown {
    const id = ++this.nextId;
    this.timers.set(id, { at: this.time + ms, fn });
    return id;
  }

  clearTimer(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Moves time forward by `ms`, firing due timers in order and letting their work start. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    for (;;) {
      const due = [...this.timers.entries()]
        .filter(([, t]) => t.at <= target)
        .sort((a, b) => a[1].at - b[1].at || a[0] - b[0]);
      if (due.length === 0) break;
      const [id, timer] = due[0];
      this.timers.delete(id);
      this.time = timer.at;
      timer.fn();
      await flush();
    }
    this.time = target;
  }
}

/** Lets every pending promise callback run (no real time passes). */
function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A `work` function whose runs end only when the test ends them. */
class Worker {
  readonly calls: string[] = [];
  maxInFlight = 0;
  private readonly open = new Map<string, ((o: Outcome) => void)[]>();

  readonly work = (key: string): Promise<Outcome> => {
    this.calls.push(key);
    return new Promise((resolve) => {
      this.open.set(key, [...(this.open.get(key) ?? []), resolve]);
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight().length);
    });
  };

  /** Keys with a run in flight, one entry per run. */
  inFlight(): string[] {
    return [...this.open.entries()].flatMap(([key, runs]) => runs.map(() => key));
  }

  /** Ends the oldest run of `key` with `outcome` and lets the queue react. */
  async finish(key: string, outcome: Outcome = { kind: 'done' }): Promise<void> {
    const runs = this.open.get(key) ?? [];
    const resolve = runs.shift();
    if (!resolve) throw new Error(`test: no run of ${key} in flight`);
    if (runs.length === 0) this.open.delete(key);
    resolve(outcome);
    await flush();
  }

  count(key: string): number {
    return this.calls.filter((k) => k === key).length;
  }
}

const retry: Outcome = { kind: 'retry', error: 'docker said no' };

function setup(parallelism = 4) {
  const clock = new FakeClock();
  const worker = new Worker();
  const queue = new WorkQueue(worker.work, {
    parallelism,
    baseDelayMs: 1000,
    maxDelayMs: 8000,
    clock,
  });
  return { clock, worker, queue };
}

describe('WorkQueue', () => {
  it('folds many triggers during a run into exactly one more run', async () => {
    const { worker, queue } = setup();
    queue.add('web', 'periodic');
    await flush();

    queue.add('web', 'event');
    queue.add('web', 'spec');
    queue.add('web', 'periodic');
    expect(queue.state('web')).toMatchObject({ running: true, pending: true });
    await worker.finish('web');
    expect(worker.count('web')).toBe(2);

    await worker.finish('web');
    await queue.idle();
    expect(worker.count('web')).toBe(2);
    expect(queue.state('web')).toMatchObject({ running: false, pending: false });
  });

  it('coalesces triggers that arrive together into one run', async () => {
    const { worker, queue } = setup();
    queue.add('web', 'spec');
    queue.add('web', 'event');
    queue.add('web', 'periodic');
    await flush();

    await worker.finish('web');
    await queue.idle();
    expect(worker.count('web')).toBe(1);
  });

  it('runs one key in one run at a time', async () => {
    const { worker, queue } = setup();
    queue.add('web', 'spec');
    await flush();

    queue.add('web', 'event');
    await flush();
    expect(worker.inFlight()).toEqual(['web']);
    await worker.finish('web');
    expect(worker.inFlight()).toEqual(['web']);
    expect(worker.maxInFlight).toBe(1);
  });

  it('runs independent keys in parallel up to the bound, in arrival order', async () => {
    const { worker, queue } = setup(2);
    for (const key of ['a', 'b', 'c', 'd']) queue.add(key, 'periodic');
    await flush();

    expect(worker.inFlight()).toEqual(['a', 'b']);
    await worker.finish('b');
    expect(worker.inFlight()).toEqual(['a', 'c']);
    await worker.finish('a');
    await worker.finish('c');
    await worker.finish('d');
    await queue.idle();
    expect(worker.calls).toEqual(['a', 'b', 'c', 'd']);
    expect(worker.maxInFlight).toBe(2);
  });

  it('backs off a failing key, doubling from the base delay up to the cap', async () => {
    const { clock, worker, queue } = setup();
    queue.add('web', 'spec');
    await flush();

    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      await worker.finish('web', retry);
      const { retryAt, failures } = queue.state('web');
      expect(failures).toBe(i + 1);
      delays.push(retryAt! - clock.now());
      await clock.advance(retryAt! - clock.now() - 1);
      expect(worker.inFlight()).toEqual([]);
      await clock.advance(1);
      expect(worker.inFlight()).toEqual(['web']);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);

    await worker.finish('web');
    expect(queue.state('web')).toMatchObject({ failures: 0, retryAt: null });
  });

  it('counts a throwing work function as a retry', async () => {
    const clock = new FakeClock();
    const work = (key: string): Promise<Outcome> => {
      if (key === 'sync') throw new Error('thrown');
      return Promise.reject(new Error('rejected'));
    };
    const queue = new WorkQueue(work, { parallelism: 2, clock });
    queue.add('sync', 'spec');
    queue.add('async', 'spec');
    await flush();

    for (const key of ['sync', 'async']) {
      expect(queue.state(key)).toMatchObject({ failures: 1, retryAt: 1000, terminal: null });
    }
    await queue.stop();
  });

  it('does not run a backing-off key early for events or periodic triggers', async () => {
    const { clock, worker, queue } = setup();
    queue.add('web', 'spec');
    await flush();
    await worker.finish('web', retry);

    queue.add('web', 'event');
    queue.add('web', 'periodic');
    await flush();
    expect(worker.inFlight()).toEqual([]);
    expect(queue.state('web')).toMatchObject({ pending: true, retryAt: 1000 });

    await clock.advance(1000);
    expect(worker.inFlight()).toEqual(['web']);
    await worker.finish('web');
    await queue.idle();
    expect(worker.count('web')).toBe(2);
  });

  it('runs a backing-off key now when its spec changes, and restarts its backoff', async () => {
    const { clock, worker, queue } = setup();
    queue.add('web', 'spec');
    await flush();
    await worker.finish('web', retry);
    await clock.advance(1000);
    await worker.finish('web', retry);
    expect(queue.state('web')).toMatchObject({ failures: 2, retryAt: 3000 });

    queue.add('web', 'spec');
    await flush();
    expect(worker.inFlight()).toEqual(['web']);
    expect(queue.state('web').failures).toBe(0);

    await worker.finish('web', retry);
    expect(queue.state('web')).toMatchObject({ failures: 1, retryAt: clock.now() + 1000 });
    await clock.advance(2000);
    expect(worker.count('web')).toBe(4);
  });

  it('runs a pending retry now on reset', async () => {
    const { worker, queue } = setup();
    queue.add('web', 'spec');
    await flush();
    await worker.finish('web', retry);

    queue.reset('web');
    await flush();
    expect(worker.inFlight()).toEqual(['web']);
    expect(queue.state('web')).toMatchObject({ failures: 0, retryAt: null });
  });

  it('runs again at once when the spec changed during a run that failed', async () => {
    const { worker, queue } = setup();
    queue.add('web', 'spec');
    await flush();

    queue.add('web', 'spec');
    await worker.finish('web', retry);
    expect(worker.inFlight()).toEqual(['web']);
    expect(queue.state('web')).toMatchObject({ failures: 0, retryAt: null });
  });

  it('leaves a terminal key alone until it is reset', async () => {
    const { clock, worker, queue } = setup();
    queue.add('web', 'spec');
    await flush();
    await worker.finish('web', { kind: 'terminal', error: 'spec invalid' });
    expect(queue.state('web')).toMatchObject({ terminal: 'spec invalid', pending: false });

    queue.add('web', 'event');
    queue.add('web', 'periodic');
    await clock.advance(10 * 60_000);
    expect(worker.count('web')).toBe(1);

    queue.reset('web');
    expect(queue.state('web').terminal).toBeNull();
    queue.add('web', 'periodic');
    await flush();
    expect(worker.count('web')).toBe(2);
  });

  it('runs a terminal key again when its spec changes', async () => {
    const { worker, queue } = setup();
    queue.add('web', 'spec');
    await flush();
    await worker.finish('web', { kind: 'terminal', error: 'spec invalid' });

    queue.add('web', 'spec');
    await flush();
    expect(worker.inFlight()).toEqual(['web']);
    expect(queue.state('web').terminal).toBeNull();
  });

  it('keeps working on other keys while one key fails', async () => {
    const { clock, worker, queue } = setup(1);
    queue.add('bad', 'periodic');
    queue.add('good', 'periodic');
    await flush();

    await worker.finish('bad', retry);
    expect(worker.inFlight()).toEqual(['good']);
    await worker.finish('good');
    queue.add('good', 'event');
    await flush();
    await worker.finish('good');
    await queue.idle();

    expect(worker.count('good')).toBe(2);
    expect(queue.state('bad')).toMatchObject({ failures: 1, pending: true });
    await clock.advance(1000);
    expect(worker.inFlight()).toEqual(['bad']);
  });

  it('on stop, takes no new work and resolves once the runs in flight ended', async () => {
    const { clock, worker, queue } = setup(1);
    queue.add('a', 'periodic');
    queue.add('b', 'periodic');
    await flush();
    await worker.finish('a', retry);
    expect(worker.inFlight()).toEqual(['b']);

    let stopped = false;
    const stopping = queue.stop().then(() => (stopped = true));
    queue.add('c', 'spec');
    await flush();
    expect(stopped).toBe(false);

    await worker.finish('b', retry);
    await stopping;
    await clock.advance(10 * 60_000);
    expect(worker.calls).toEqual(['a', 'b']);
    expect(worker.inFlight()).toEqual([]);
  });

  it('resolves idle at once when nothing is queued, even with a retry pending', async () => {
    const { worker, queue } = setup();
    await queue.idle();
    queue.add('web', 'spec');
    await flush();
    await worker.finish('web', retry);
    await queue.idle();
    expect(queue.state('web').retryAt).toBe(1000);
  });

  it('rejects a parallelism below one', () => {
    expect(() => new WorkQueue(async () => ({ kind: 'done' }), { parallelism: 0 })).toThrow(
      /parallelism/,
    );
  });
});
