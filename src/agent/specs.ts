/**
 * The agent's view of the specs root: the text of every file as it was once it stayed unchanged
 * for `settle`, and the last good text of each spec file. A pass loads from this snapshot, never
 * from the disk, so that it never reads a half-written file; a file that is invalid now is
 * replaced by its last good text (safety rule 2), and the pass removes nothing while any is.
 */
import * as path from 'node:path';
import { BerthError, SpecError } from '../errors';
import { DesiredContainer, DesiredState } from '../model';
import { SpecReader, specFilesOf } from '../spec/files';
import { loadSpecs, sortErrors } from '../spec/load';

/** What the agent loaded: the state to converge to, and what is wrong in the files now. */
export interface AgentLoad {
  desired: DesiredState;
  /**
   * Errors of the files as they are now (not of their last good text), and the clashes of a
   * valid file with the last good text that stands in for an invalid one; sorted.
   */
  errors: SpecError[];
  /** Relative paths of spec files whose last good text stands in for the current one. */
  stale: string[];
  /**
   * Containers that invalid files declared when they were last good and that the load lacks
   * now (the last good text fails too: a reference to a destination that another file made
   * ambiguous, or removed). Never converged, and never removed, since the load is incomplete:
   * shown in the status as Invalid, so that a running resource does not vanish from it.
   */
  missing: DesiredContainer[];
}

/** Relative path → text of every file under the root, as last settled. */
export type Snapshot = ReadonlyMap<string, string>;

/**
 * What the snapshot holds for a file the watcher refused to read (its real path leaves the
 * root, or it is too big): the reason, marked by a NUL no text file starts with. Reading it
 * fails with the reason, so that the file counts as invalid: its last good text stays in force
 * and nothing is removed, as for any invalid file, instead of the file seeming deleted.
 */
export function refusedText(reason: string): string {
  return `\u0000${reason}`;
}

function isRefused(text: string): boolean {
  return text.startsWith('\u0000');
}

/** A reader over an in-memory snapshot; `list` gives its spec files (`*.yaml`, `*.yml`). */
export function snapshotReader(root: string, files: Snapshot): SpecReader {
  return {
    list: async () => specFilesOf(root, files.keys()),
    read: async (relative) => {
      const text = files.get(relative);
      if (text === undefined) throw new Error(`ENOENT: no such file '${relative}'`);
      if (isRefused(text)) throw new Error(text.slice(1));
      return text;
    },
  };
}

/**
 * Keeps each spec file's last good text and loads a snapshot with it: the desired state comes
 * from the current text of every valid file and the last good text of every invalid one. An
 * invalid file with no last good text (new, or invalid since the agent started) contributes
 * nothing, and its resources are left as they are, since the pass removes nothing.
 */
export class LastGood {
  private readonly good = new Map<string, string>();
  /** What each file declared the last time it was valid, by relative path. */
  private readonly declared = new Map<string, DesiredContainer[]>();
  /** The files of the last load that succeeded, and what they loaded to. */
  private last: { files: Snapshot; load: AgentLoad } | null = null;

  constructor(
    private readonly root: string,
    private readonly server: string,
  ) {}

  /**
   * The same files load to the same state: the periodic pass and the passes of Docker events,
   * which mostly find the files unchanged, reuse it instead of parsing and validating every
   * file again (most of an idle pass's CPU time with many specs), and its spec hashes stay
   * computed. Nothing downstream changes a loaded state.
   */
  async load(files: Snapshot): Promise<AgentLoad> {
    if (this.last && sameFiles(this.last.files, files)) return this.last.load;
    const load = await this.loadFresh(files);
    this.last = { files, load };
    return load;
  }

  private async loadFresh(files: Snapshot): Promise<AgentLoad> {
    const first = await loadSpecs(this.root, {
      server: this.server,
      reader: this.reader(files),
    }).catch((err: unknown) => this.allEmpty(err, files));
    if ('stale' in first) return first;
    const bad = this.filesOf(first.errors);
    // A refused file is never good, even when its errors name the spec that reads it (a Stack's
    // compose file): its last good text stands in for it below.
    const refused = [...files].filter(([, text]) => isRefused(text)).map(([rel]) => rel);
    for (const [rel, text] of files) {
      if (!bad.has(rel) && !isRefused(text)) this.good.set(rel, text);
    }
    for (const rel of this.good.keys()) if (!files.has(rel)) this.good.delete(rel);
    this.remember(first.desired, bad, files);
    if (bad.size === 0) {
      return { desired: first.desired, errors: first.errors, stale: [], missing: [] };
    }

    const patched = new Map(files);
    const stale: string[] = [];
    for (const rel of new Set([...bad, ...refused])) {
      const good = this.good.get(rel);
      if (good === undefined) patched.delete(rel);
      else {
        patched.set(rel, good);
        stale.push(rel);
      }
    }
    const { desired, errors } = await this.loadPatched(patched);
    // A file that is valid on its own can clash with the last good text of another (say, a
    // resource moved from a file that was then saved broken): the clash drops its resource
    // from the desired state, so say why, or the file's change would vanish without a word.
    const clashes = errors
      .filter((e) => !bad.has(this.relativeOf(e)))
      .map((e) => new SpecError(e.code, e.location, `${e.detail} ${WITH_LAST_GOOD}`));
    const all = sortErrors([...first.errors, ...clashes]);
    const names = new Set(desired.containers.map((c) => c.name));
    const missing = [...bad]
      .flatMap((rel) => this.declared.get(rel) ?? [])
      .filter((c) => !names.has(c.name));
    return { desired: { ...desired, complete: false }, errors: all, stale, missing };
  }

  /** Records what each valid file declares; files gone are forgotten, invalid ones kept. */
  private remember(desired: DesiredState, bad: Set<string>, files: Snapshot): void {
    const now = new Map<string, DesiredContainer[]>();
    for (const c of desired.containers) {
      const rel = path.relative(this.root, c.source.file).split(path.sep).join('/');
      if (!bad.has(rel)) now.set(rel, [...(now.get(rel) ?? []), c]);
    }
    for (const rel of [...this.declared.keys()]) {
      if (!files.has(rel) || (!bad.has(rel) && !now.has(rel))) this.declared.delete(rel);
    }
    for (const [rel, containers] of now) this.declared.set(rel, containers);
  }

  /**
   * Every spec file is empty (truncated, half-written) or gone: a file still there with a last
   * good text keeps it in force, as one empty file among others would. Files that are gone are
   * gone; when nothing is left, the SPEC_ROOT error stands (never "remove everything").
   */
  private async allEmpty(err: unknown, files: Snapshot): Promise<AgentLoad> {
    const kept = new Map([...this.good].filter(([rel]) => files.has(rel)));
    if (!(err instanceof BerthError && err.code === 'SPEC_ROOT') || kept.size === 0) throw err;
    const errors = [...kept.keys()]
      .sort()
      .map(
        (rel) =>
          new SpecError(
            'SPEC_SYNTAX',
            { file: path.join(this.root, rel), line: 1, path: '' },
            'the file is empty (it may be half-written): its last good version stays in force',
          ),
      );
    const { desired } = await this.loadPatched(kept);
    const stale = [...kept.keys()].sort();
    return { desired: { ...desired, complete: false }, errors, stale, missing: [] };
  }

  /** The last good text of every file with errors may still be broken in combination. */
  private async loadPatched(
    files: Snapshot,
  ): Promise<{ desired: DesiredState; errors: SpecError[] }> {
    try {
      return await loadSpecs(this.root, { server: this.server, reader: this.reader(files) });
    } catch (err) {
      // Nothing is left once the invalid files are taken out: converge to nothing new.
      if (err instanceof BerthError && err.code === 'SPEC_ROOT') {
        return { desired: emptyDesired(), errors: [] };
      }
      throw err;
    }
  }

  private reader(files: Snapshot): SpecReader {
    return snapshotReader(this.root, files);
  }

  /** Relative paths of the files that errors name (messages use `path.join(root, rel)`). */
  private filesOf(errors: SpecError[]): Set<string> {
    return new Set(errors.map((e) => this.relativeOf(e)));
  }

  private relativeOf(e: SpecError): string {
    return path.relative(this.root, e.location.file).split(path.sep).join('/');
  }
}

const WITH_LAST_GOOD = '(with the last good version of the files that are invalid now in force)';

function sameFiles(a: Snapshot, b: Snapshot): boolean {
  if (a.size !== b.size) return false;
  for (const [rel, text] of a) if (b.get(rel) !== text) return false;
  return true;
}

function emptyDesired(): DesiredState {
  return { destinations: [], containers: [], complete: false, destinationRefs: {} };
}
