/**
 * Finding the spec files: every `*.yaml` / `*.yml` under the specs root, at any depth, in a
 * stable order. A root that is missing or not a folder is refused outright: berth never reads
 * "no specs" as "remove everything".
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { BerthError } from '../errors';

/** A spec file: where to read it, and how messages name it (`specs/web.yaml`). */
export interface SpecFile {
  /** The path below the root, '/'-separated: the key a {@link SpecReader} reads it by. */
  relative: string;
  /** `path.join(root, relative)`, so messages name files the way the user named the root. */
  display: string;
}

/**
 * Where the files under a specs root come from: the disk (`berth apply`), or the agent's snapshot
 * of files that stayed unchanged for `settle`, so that a pass never reads a half-written file.
 */
export interface SpecReader {
  /** The spec files (`*.yaml`, `*.yml`) under the root, sorted by relative path. */
  list(): Promise<SpecFile[]>;
  /** The text of any file under the root (spec, compose or env file) by its relative path. */
  read(relative: string): Promise<string>;
}

/**
 * Reads the specs root from the disk. A file whose real path (symlinks resolved) leaves the
 * root is refused: a link must not carry a file from elsewhere on the server (a secret) into
 * a container.
 */
export function diskReader(root: string): SpecReader {
  return {
    list: () => listSpecFiles(root),
    read: async (relative) => {
      const abs = path.resolve(root, relative);
      const outside = await outsideRoot(root, abs);
      if (outside !== null) {
        throw new Error(`it links to ${outside}, which leaves the specs root; copy the file in`);
      }
      return fs.readFile(abs, 'utf8');
    },
  };
}

/**
 * The real path of `file` when it lies outside the real path of `root`, else null (also when
 * `file` cannot be resolved: reading it then fails on its own).
 */
export async function outsideRoot(root: string, file: string): Promise<string | null> {
  const [realRoot, real] = await Promise.all([
    fs.realpath(root),
    fs.realpath(file).catch(() => null),
  ]);
  if (real === null) return null;
  const rel = path.relative(realRoot, real);
  return rel === '..' || rel.startsWith('..' + path.sep) || path.isAbsolute(rel) ? real : null;
}

/** Whether a relative path names a spec file (not a dot-entry, not under node_modules). */
export function isSpecPath(relative: string): boolean {
  const parts = relative.split('/');
  return SPEC_FILE.test(relative) && !parts.some(skipped);
}

/** Names a list of relative paths the way {@link listSpecFiles} does, sorted. */
export function specFilesOf(root: string, relative: Iterable<string>): SpecFile[] {
  return [...relative]
    .filter(isSpecPath)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((rel) => ({ relative: rel, display: path.join(root, rel) }));
}

const SPEC_FILE = /\.ya?ml$/i;

// Dot-entries are VCS metadata (.git), editor temp files and the `..data` folders of mounted
// Kubernetes ConfigMaps; node_modules is never specs.
export function skipped(name: string): boolean {
  return name.startsWith('.') || name === 'node_modules';
}

/** The spec files under `root`, sorted by their path relative to it. */
export async function listSpecFiles(root: string): Promise<SpecFile[]> {
  await checkRoot(root);

  return specFilesOf(root, await listFiles(root, (name) => SPEC_FILE.test(name)));
}

/**
 * Relative paths of the files under `root` whose name `accept` takes, following symlinks,
 * skipping dot-entries and node_modules. The agent snapshots every such file, since a Stack's
 * compose and env files may be named anything.
 */
export async function listFiles(root: string, accept: (name: string) => boolean) {
  const relative: string[] = [];
  await walk(path.resolve(root), '', relative, new Set(), accept);
  return relative;
}

/** Refuses a root that is missing or not a folder (SPEC_ROOT). */
export async function checkRoot(root: string): Promise<void> {
  const stat = await fs.stat(root).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') {
      const detail = `specs root '${root}' does not exist`;
      throw new BerthError('SPEC_ROOT', `${detail}: create it, or point berth at your specs`, err);
    }
    throw new BerthError('SPEC_ROOT', `cannot read specs root '${root}': ${err.message}`, err);
  });
  if (!stat.isDirectory()) {
    const detail = `specs root '${root}' is not a directory`;
    throw new BerthError('SPEC_ROOT', `${detail}: point berth at the folder that holds the specs`);
  }
}

/** Collect spec files below `dir`; `seen` holds real paths, so a symlink loop ends. */
async function walk(
  dir: string,
  rel: string,
  out: string[],
  seen: Set<string>,
  accept: (name: string) => boolean,
): Promise<void> {
  const real = await fs.realpath(dir);
  if (seen.has(real)) return;
  seen.add(real);

  const entries = await fs.readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    if (skipped(entry.name)) continue;
    const abs = path.join(dir, entry.name);
    const relPath = rel ? `${rel}/${entry.name}` : entry.name;
    // Follow symlinks: mounted ConfigMaps and many deploy tools link spec files into place.
    const stat = entry.isSymbolicLink() ? await fs.stat(abs).catch(() => null) : entry;
    if (stat?.isDirectory()) await walk(abs, relPath, out, seen, accept);
    else if (accept(entry.name) && (stat === null || stat.isFile())) out.push(relPath);
  }
}
