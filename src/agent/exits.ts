/**
 * Recent exits of berth's containers, from the engine's `die` events. A container that Docker's
 * restart policy brings back runs between its crashes, and the container list shows it `running`
 * then; what tells a crash loop apart from a container that is fine is that it keeps exiting.
 * Exits that berth's own actions cause (a stop before a recreate) are not recorded.
 */

/** How far back exits count. */
export const EXIT_WINDOW_MS = 5 * 60_000;
/** A container that exited this many times within the window is in a crash loop. */
export const LOOP_EXITS = 2;

export interface RecentExits {
  /** Exits within the window. */
  count: number;
  /** The exit code of the last one, when the event carried it. */
  lastCode: number | null;
}

export class ExitLog {
  private readonly exits = new Map<string, { at: number; code: number | null }[]>();

  constructor(private readonly now: () => number = Date.now) {}

  record(containerId: string, at: number, code: number | null): void {
    const mine = this.exits.get(containerId) ?? [];
    mine.push({ at, code });
    this.exits.set(containerId, mine);
    this.prune();
  }

  /** Exits of `containerId` within the window, or null when there were none. */
  recent(containerId: string): RecentExits | null {
    const since = this.now() - EXIT_WINDOW_MS;
    const mine = (this.exits.get(containerId) ?? []).filter((e) => e.at >= since);
    if (mine.length === 0) return null;
    return { count: mine.length, lastCode: mine[mine.length - 1].code };
  }

  /** IDs of the containers whose exits in the log include one at or after `at`. */
  since(at: number): string[] {
    return [...this.exits].filter(([, mine]) => mine.some((e) => e.at >= at)).map(([id]) => id);
  }

  /** Drops exits that left the window, so that the log stays as small as the loops are. */
  private prune(): void {
    const since = this.now() - EXIT_WINDOW_MS;
    for (const [id, mine] of this.exits) {
      const kept = mine.filter((e) => e.at >= since);
      if (kept.length === 0) this.exits.delete(id);
      else this.exits.set(id, kept);
    }
  }
}
