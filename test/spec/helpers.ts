/**
 * Spec folders for tests: each test writes its own files into a fresh temp dir and loads them.
 * Messages are compared with the temp root replaced by `specs`, as `berth validate specs` prints.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LoadResult, loadSpecs } from '../../src/spec/load';

const roots: string[] = [];

/** A fresh empty temp dir, removed after the test file. */
export async function tempDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-spec-'));
  roots.push(dir);
  return dir;
}

/** Write `files` (relative path → text) into a fresh spec root and return the root. */
export async function writeSpecs(files: Record<string, string>): Promise<string> {
  const root = await tempDir();
  for (const [rel, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await fs.writeFile(path.join(root, rel), text);
  }
  return root;
}

export interface Loaded extends LoadResult {
  /** The error messages, root shown as `specs`. */
  messages: string[];
}

/** Write and load a spec folder for server `web-1` (or `server`). */
export async function load(files: Record<string, string>, server = 'web-1'): Promise<Loaded> {
  const root = await writeSpecs(files);
  const result = await loadSpecs(root, { server });
  const messages = result.errors.map((e) => e.message.split(root).join('specs'));
  return { ...result, messages };
}

/** Lines joined with newlines: spec files read best as a list of lines in tests. */
export function yaml(...lines: string[]): string {
  return lines.join('\n') + '\n';
}

/** A Destination document. */
export function destination(name: string, ...specLines: string[]): string {
  const spec = specLines.length ? ['spec:', ...specLines.map((l) => '  ' + l)] : ['spec: {}'];
  return yaml('apiVersion: berth/v1', 'kind: Destination', 'metadata:', `  name: ${name}`, ...spec);
}

/** An Application (or `kind`) document; specLines are indented under `spec:`. */
export function app(name: string, specLines: string[], kind = 'Application'): string {
  return yaml(
    'apiVersion: berth/v1',
    `kind: ${kind}`,
    'metadata:',
    `  name: ${name}`,
    'spec:',
    ...specLines.map((l) => '  ' + l),
  );
}

afterAll(async () => {
  await Promise.all(roots.splice(0).map((r) => fs.rm(r, { recursive: true, force: true })));
});
