/**
 * Per-resource retry backoff. The agent works on the whole server in one pass at a time; a
 * resource whose last change failed is held back from the passes that follow (events and the
 * periodic pass alike) until its backoff ends: 1 s, doubling, at most 5 min. A change of its
 * spec ends the backoff at once, since the new spec deserves a try of its own.
 */

interface Failure {
  /** The spec it failed with (see `fingerprint` in the reconciler). */
  fingerprint: string;
  failures: number;
  retryAt: number;
  error: string;
}

export class ResourceBackoff {
  private readonly failing = new Map<string, Failure>();

  constructor(
    private readonly now: () => number,
    private readonly baseMs = 1000,
    private readonly maxMs = 5 * 60_000,
  ) {}

  /** Records a failed change of `resource`; returns when it may be tried again. */
  failed(resource: string, fingerprint: string, error: string): number {
    const before = this.failing.get(resource);
    const failures = before?.fingerprint === fingerprint ? before.failures + 1 : 1;
    const delay = Math.min(this.baseMs * 2 ** (failures - 1), this.maxMs);
    const retryAt = this.now() + delay;
    this.failing.set(resource, { fingerprint, failures, retryAt, error });
    return retryAt;
  }

  /** `resource` converged (or is no longer declared): it has nothing to wait for. */
  forget(resource: string): void {
    this.failing.delete(resource);
  }

  /**
   * The resources to hold back now, given each declared resource's current fingerprint. A
   * resource whose spec changed since it failed, or that is gone, is forgotten and not held.
   */
  held(fingerprints: ReadonlyMap<string, string>): string[] {
    const now = this.now();
    const out: string[] = [];
    for (const [resource, f] of this.failing) {
      if (fingerprints.get(resource) !== f.fingerprint) this.failing.delete(resource);
      else if (f.retryAt > now) out.push(resource);
    }
    return out.sort();
  }

  /** Why each failing resource failed last, for its status (Failed, previous state kept). */
  errors(): Map<string, string> {
    return new Map([...this.failing].map(([r, f]) => [r, f.error]));
  }

  /** Failed attempts in a row of `resource` with its current spec; 0 when not failing. */
  failures(resource: string): number {
    return this.failing.get(resource)?.failures ?? 0;
  }

  /** The earliest time a held resource may be tried again, or null. */
  nextRetry(): number | null {
    let next: number | null = null;
    for (const f of this.failing.values()) if (next === null || f.retryAt < next) next = f.retryAt;
    return next;
  }
}
