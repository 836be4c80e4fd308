/**
 * The watched folder. Keeps the text of every file under the specs root as it was once it stayed
 * unchanged for `settle` (chokidar's awaitWriteFinish), so that a pass never reads a file in the
 * middle of being written. A file that disappears is dropped only when it is still gone `settle`
 * later: editors and deploy tools that replace a file by delete-then-write never make berth
 * forget it for a moment.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { FSWatcher, watch } from 'chokidar';
import type { Logger } from 'pino';
import { listFiles, outsideRoot, skipped } from '../spec/files';
import { refusedText, Snapshot } from './specs';

/** Files bigger than this are not specs, compose or env files: they are left out, with a warning. */
const MAX_FILE_BYTES = 4 * 1024 * 1024;

export class SpecWatcher {
  private readonly files = new Map<string, string>();
  private readonly removals = new Map<string, NodeJS.Timeout>();
  private watcher: FSWatcher | null = null;

  /** `onChange` is called after the snapshot changed, with the relative path that did. */
  constructor(
    private readonly root: string,
    private readonly settleMs: number,
    private readonly onChange: (relative: string) => void,
    private readonly log: Logger,
  ) {}

  /** The files as last settled. The map is live: copy it to hold a version. */
  snapshot(): Snapshot {
    return new Map(this.files);
  }

  /** Starts watching, then reads every file once; resolves when the snapshot is complete. */
  async start(): Promise<void> {
    const watcher = watch(this.root, {
      ignoreInitial: true,
      ignored: (p) => this.ignored(p),
      awaitWriteFinish: { stabilityThreshold: this.settleMs, pollInterval: 100 },
    });
    this.watcher = watcher;
    watcher.on('add', (p) => void this.read(p));
    watcher.on('change', (p) => void this.read(p));
    watcher.on('unlink', (p) => this.unlinked(p));
    watcher.on('error', (err) => this.log.warn({ err }, 'watching the specs folder failed'));
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));

    // Read after the watch is up: a change made meanwhile then arrives as an event too.
    for (const rel of await listFiles(this.root, () => true)) {
      const text = await this.readText(path.join(this.root, rel));
      if (text !== null) this.files.set(rel, text);
    }
  }

  async close(): Promise<void> {
    for (const timer of this.removals.values()) clearTimeout(timer);
    this.removals.clear();
    await this.watcher?.close();
  }

  private ignored(p: string): boolean {
    const rel = path.relative(this.root, p);
    return rel !== '' && rel.split(path.sep).some(skipped);
  }

  private relative(p: string): string {
    return path.relative(this.root, p).split(path.sep).join('/');
  }

  private async read(p: string): Promise<void> {
    const rel = this.relative(p);
    const text = await this.readText(p);
    if (text === null) return;
    this.cancelRemoval(rel);
    if (this.files.get(rel) === text) return;
    this.files.set(rel, text);
    this.log.debug({ file: rel }, 'spec file settled');
    this.onChange(rel);
  }

  private async readText(p: string): Promise<string | null> {
    try {
      const stat = await fs.stat(p);
      if (!stat.isFile()) return null;
      // The snapshot holds no text from outside the root: a link to a secret elsewhere on the
      // server would reach a container as an env file.
      // Refused, not left out: a file that seemed deleted would have its resources removed.
      const outside = await outsideRoot(this.root, p);
      if (outside !== null) {
        const hint = 'its real path leaves the specs root: not read; copy the file in';
        this.log.warn({ file: p, target: outside }, hint);
        return refusedText(`it links to ${outside}, outside the specs root: copy the file in`);
      }
      if (stat.size > MAX_FILE_BYTES) {
        this.log.warn({ file: p, bytes: stat.size }, 'file too big for a spec: not read');
        return refusedText(`${stat.size} bytes is too big for a spec file (4 MiB at most)`);
      }
      return await fs.readFile(p, 'utf8');
    } catch {
      return null; // gone again: its unlink event follows
    }
  }

  private unlinked(p: string): void {
    const rel = this.relative(p);
    this.cancelRemoval(rel);
    const timer = setTimeout(() => void this.confirmRemoval(p, rel), this.settleMs);
    this.removals.set(rel, timer);
  }

  private async confirmRemoval(p: string, rel: string): Promise<void> {
    this.removals.delete(rel);
    const back = await fs.stat(p).then(
      () => true,
      () => false,
    );
    // Back, but maybe still being written: reading it now would put a half-written text in the
    // snapshot. chokidar reports it (add, after awaitWriteFinish) once it settled; until then
    // the last settled text stays.
    if (back) return;
    if (!this.files.delete(rel)) return;
    this.log.debug({ file: rel }, 'spec file removed');
    this.onChange(rel);
  }

  private cancelRemoval(rel: string): void {
    const timer = this.removals.get(rel);
    if (timer) clearTimeout(timer);
    this.removals.delete(rel);
  }
}
