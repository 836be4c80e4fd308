/**
 * Reading what a Stack document points at, before the documents are resolved: its compose
 * file (relative to the spec file, never outside the specs root) or its inline `compose`, and
 * the env files its services name (relative to the compose file). Problems go to the Stack
 * document's context, so that the stack contributes nothing until they are fixed.
 */
import { posix } from 'node:path';
import { SpecError } from '../errors';
import type { CheckedDoc } from '../spec/document';
import type { SpecReader } from '../spec/files';
import { childPointer } from '../spec/pointer';
import { parseSpecText, YNode } from '../spec/yaml-tree';
import { checkCompose, CheckedCompose, ComposePlace } from './compose';
import type { StackSpec } from './compose-types';
import { parseEnvFile } from './env-file';

/** What a valid Stack document's compose document turned out to be. */
export interface StackSource extends CheckedCompose {
  /** Per service, the variables of its env files (a later file wins). */
  envFiles: Record<string, Record<string, string>>;
}

/** How the loader names a spec file: its path below the root, and in messages. */
export interface FileNames {
  relative: string;
  display: string;
  /** The root as the user named it, to name the compose and env files the same way. */
  root: string;
}

/**
 * The path below the root of a file named `target` from the file at `from` (both below the
 * root, '/'-separated), or null when it leaves the root.
 */
export function pathBelowRoot(from: string, target: string): string | null {
  if (target.startsWith('/')) return null;
  const joined = posix.normalize(posix.join(posix.dirname(from), target));
  return joined === '..' || joined.startsWith('../') ? null : joined;
}

/** The compose file a Stack document names, below the root; null when none or outside it. */
export function composeFileOf(tree: YNode, specRelative: string): string | null {
  if (scalarAt(tree, ['kind']) !== 'Stack') return null;
  const file = scalarAt(tree, ['spec', 'composeFile']);
  return typeof file === 'string' && file ? pathBelowRoot(specRelative, file) : null;
}

function scalarAt(node: YNode, keys: string[]): unknown {
  const here = entryAt(node, keys);
  return here?.kind === 'scalar' ? here.value : undefined;
}

/** Reads and checks the compose document of one valid Stack document; null on errors. */
export async function readStack(
  doc: CheckedDoc,
  names: FileNames,
  reader: SpecReader,
): Promise<StackSource | null> {
  const spec = doc.value.spec as StackSpec;
  const located = await locateCompose(doc, spec, names, reader);
  if (!located) return null;

  const checked = checkCompose(located.root, located.place, spec.variables ?? {});
  const variables = spec.variables ?? {};
  const envFiles = checked.doc
    ? await readEnvFiles(checked, { from: located.relative, variables }, names, reader)
    : {};
  return { ...checked, envFiles };
}

interface Located {
  root: YNode;
  place: ComposePlace;
  /** The compose file below the root; the spec file for an inline document. */
  relative: string;
}

async function locateCompose(
  doc: CheckedDoc,
  spec: StackSpec,
  names: FileNames,
  reader: SpecReader,
): Promise<Located | null> {
  const { ctx } = doc;
  if ((spec.composeFile === undefined) === (spec.compose === undefined)) {
    const both = spec.composeFile !== undefined;
    const detail = both
      ? 'set composeFile or compose, not both'
      : 'set composeFile (a compose file, relative to this file) or compose (the document inline)';
    ctx.fail(both ? '/spec/compose' : '/spec/composeFile', `stack '${doc.name}': ${detail}`);
    return null;
  }
  if (spec.compose !== undefined) {
    const root = entryAt(doc.tree, ['spec', 'compose']) as YNode;
    const place = { file: ctx.file, line: root.line, prefix: 'spec.compose' };
    return { root, place, relative: names.relative };
  }
  return readComposeFile(doc, spec.composeFile as string, names, reader);
}

function entryAt(node: YNode, keys: string[]): YNode | undefined {
  let here: YNode | undefined = node;
  for (const key of keys) {
    here = here?.kind === 'map' ? here.entries.find((e) => e.key === key)?.value : undefined;
  }
  return here;
}

async function readComposeFile(
  doc: CheckedDoc,
  composeFile: string,
  names: FileNames,
  reader: SpecReader,
): Promise<Located | null> {
  const { ctx } = doc;
  const who = `stack '${doc.name}'`;
  const relative = pathBelowRoot(names.relative, composeFile);
  if (relative === null) {
    const detail =
      `${who}: '${composeFile}' leaves the specs root; keep the compose file inside the ` +
      'specs folder and name it relative to this file';
    ctx.fail('/spec/composeFile', detail, 'SPEC_PATH');
    return null;
  }
  const display = posix.join(names.root, relative);
  const text = await readText(reader, relative);
  if (typeof text !== 'string') {
    ctx.fail('/spec/composeFile', `${who}: cannot read ${display}: ${text.why}`, 'SPEC_PATH');
    return null;
  }

  const parsed = parseSpecText(display, text, () => true);
  const prefixed = parsed.errors.map((e) => withStack(e, who));
  ctx.errors.push(
    ...prefixed,
    ...parsed.docs.flatMap((d) => d.errors.map((e) => withStack(e, who))),
  );
  if (ctx.failed) return null;
  if (parsed.docs.length !== 1) {
    const count = parsed.docs.length;
    const detail = `${who}: ${display} holds ${count} documents; a compose file holds one`;
    ctx.fail('/spec/composeFile', detail);
    return null;
  }
  const root = parsed.docs[0].root;
  return { root, place: { file: display, line: parsed.docs[0].line, prefix: '' }, relative };
}

async function readText(reader: SpecReader, relative: string): Promise<string | { why: string }> {
  try {
    return await reader.read(relative);
  } catch (err) {
    // Not instanceof: errors from fs may come from another realm (jest).
    const e = err as { code?: unknown; message?: unknown };
    if (e.code === 'ENOENT') return { why: 'no such file' };
    return { why: typeof e.message === 'string' ? e.message : String(err) };
  }
}

/** The same error with `who` (the stack, and the service when known) in front. */
export function withStack(e: SpecError, who: string): SpecError {
  return new SpecError(e.code, e.location, `${who}: ${e.detail}`);
}

async function readEnvFiles(
  checked: CheckedCompose,
  { from, variables }: { from: string; variables: Record<string, string> },
  names: FileNames,
  reader: SpecReader,
): Promise<Record<string, Record<string, string>>> {
  const out: Record<string, Record<string, string>> = {};
  const services = checked.doc?.services ?? {};
  for (const [service, spec] of Object.entries(services)) {
    const files = typeof spec.env_file === 'string' ? [spec.env_file] : (spec.env_file ?? []);
    const vars: Record<string, string> = {};
    for (const [i, file] of files.entries()) {
      const pointer = childPointer(childPointer('/services', service), 'env_file');
      const at = typeof spec.env_file === 'string' ? pointer : childPointer(pointer, i);
      const where = { pointer: at, service, from, variables };
      const read = await readEnvFile(checked, where, file, names, reader);
      Object.assign(vars, read);
    }
    if (files.length > 0) out[service] = vars;
  }
  return out;
}

/**
 * Which env_file entry is read: its pointer, its service, the compose file below root, and the
 * stack's variables for its values.
 */
interface EnvFileRef {
  pointer: string;
  service: string;
  from: string;
  variables: Record<string, string>;
}

async function readEnvFile(
  checked: CheckedCompose,
  { pointer, service, from, variables }: EnvFileRef,
  file: string,
  names: FileNames,
  reader: SpecReader,
): Promise<Record<string, string>> {
  const relative = pathBelowRoot(from, file);
  if (relative === null) {
    const detail = `'${file}' leaves the specs root; keep env files inside the specs folder`;
    checked.ctx.fail(pointer, detail, 'SPEC_PATH');
    return {};
  }
  const display = posix.join(names.root, relative);
  const text = await readText(reader, relative);
  if (typeof text !== 'string') {
    checked.ctx.fail(pointer, `cannot read env file ${display}: ${text.why}`, 'SPEC_PATH');
    return {};
  }
  const parsed = parseEnvFile(text, variables);
  for (const p of parsed.problems) {
    const location = { file: display, line: p.line, path: '' };
    const detail = `env file of service '${service}': ${p.message}`;
    const code = p.variable ? 'SPEC_VARIABLE' : 'SPEC_SYNTAX';
    checked.ctx.errors.push(new SpecError(code, location, detail));
  }
  return parsed.vars;
}
