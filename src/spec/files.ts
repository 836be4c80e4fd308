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
  absolute: string;
  /** `path.join(root, relative)`, so messages name files the way the user named the root. */
  display: string;
}

const SPEC_FILE = /\.ya?ml$/i;

// Dot-entries are VCS metadata (.git), editor temp files and the `..data` folders of mounted
// Kubernetes ConfigMaps; node_modules is never specs.
function skipped(name: string): boolean {
  return name.startsWith('.') || name === 'node_modules';
}

/** The spec files under `root`, sorted by their path relative to it. */
export async function listSpecFiles(root: string): Promise<SpecFile[]> {
  await checkRoot(root);

  const relative: string[] = [];
  await walk(path.resolve(root), '', relative, new Set());
  relative.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return relative.map((rel) => ({
    absolute: path.resolve(root, rel),
    display: path.join(root, rel),
  }));
}

async function checkRoot(root: string): Promise<void> {
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
async function walk(dir: string, rel: string, out: string[], seen: Set<string>): Promise<void> {
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
    if (stat?.isDirectory()) await walk(abs, relPath, out, seen);
    else if (SPEC_FILE.test(entry.name) && (stat === null || stat.isFile())) out.push(relPath);
  }
}
