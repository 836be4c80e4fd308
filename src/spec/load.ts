/**
 * load: specs root → desired state. Read every spec file, check each document against its
 * kind's schema, resolve names and references, and normalize defaults. Problems in the specs
 * are collected, never thrown: the caller decides what an incomplete state may still do.
 */
import { BerthError, messageOf, SpecError } from '../errors';
import type { DesiredState } from '../model';
import { composeFileOf, readStack } from '../stack/source';
import { CheckedDoc, checkDocument } from './document';
import { diskReader, SpecFile, SpecReader } from './files';
import { resolveDocuments, StackSources } from './resolve';
import { ParsedFile, parseSpecText } from './yaml-tree';

export interface LoadResult {
  desired: DesiredState;
  /** Every problem found, sorted by file, then line. */
  errors: SpecError[];
  /** The spec files read, named as in messages (`specs/web.yaml`). */
  files: string[];
}

export interface LoadOptions {
  server: string;
  /** Where the files come from; default the disk under `root`. */
  reader?: SpecReader;
}

/**
 * Load the specs under `root` for server `opts.server`. Throws SPEC_ROOT when the root is
 * missing, not a folder or holds no spec document at all; everything else is an error in the
 * result, and `desired.complete` is false while there is any.
 */
export async function loadSpecs(root: string, opts: LoadOptions): Promise<LoadResult> {
  const reader = opts.reader ?? diskReader(root);
  const listed = await reader.list();
  const all = await Promise.all(listed.map((f) => readSpecFile(reader, f)));
  const { files, parsed } = withoutComposeFiles(listed, all);
  if (parsed.every((f) => f.empty)) {
    throw new BerthError(
      'SPEC_ROOT',
      `specs root '${root}' holds no spec documents (*.yaml, *.yml): berth will not take that ` +
        'as "remove everything"; add specs there or point berth at the right folder',
    );
  }

  const docs = parsed.flatMap((f) => f.docs.map(checkDocument));
  const stacks = await readStacks(docs, files, root, reader);
  const desired = resolveDocuments(docs, opts.server, stacks);
  const errors = [...parsed.flatMap((f) => f.errors), ...docs.flatMap((d) => d.ctx.errors)];
  return {
    desired: { ...desired, complete: errors.length === 0 },
    errors: sortErrors(errors),
    files: parsed.map((f) => f.file),
  };
}

async function readSpecFile(reader: SpecReader, file: SpecFile): Promise<ParsedFile> {
  try {
    return parseSpecText(file.display, await reader.read(file.relative));
  } catch (err) {
    const location = { file: file.display, line: 1, path: '' };
    // Not messageOf: errors from fs may come from another realm (jest) and fail instanceof.
    const why = (err as { message?: unknown })?.message;
    const detail = `cannot read the file: ${typeof why === 'string' ? why : messageOf(err)}`;
    const errors = [new SpecError('SPEC_SYNTAX', location, detail)];
    return { file: file.display, docs: [], errors, empty: false };
  }
}

/**
 * Compose files that Stack documents name in `composeFile` are not spec documents: they are
 * dropped here, before any of their documents is checked, whatever their name.
 */
function withoutComposeFiles(listed: SpecFile[], parsed: ParsedFile[]) {
  const named = new Set<string>();
  parsed.forEach((file, i) => {
    for (const doc of file.docs) {
      const compose = composeFileOf(doc.root, listed[i].relative);
      if (compose !== null) named.add(compose);
    }
  });
  const keep = listed.map((f) => !named.has(f.relative));
  return { files: listed.filter((_, i) => keep[i]), parsed: parsed.filter((_, i) => keep[i]) };
}

/** The compose documents of the valid Stack documents, read and checked. */
async function readStacks(
  docs: CheckedDoc[],
  files: SpecFile[],
  root: string,
  reader: SpecReader,
): Promise<StackSources> {
  const byDisplay = new Map(files.map((f) => [f.display, f]));
  const out: StackSources = new Map();
  for (const doc of docs) {
    const file = byDisplay.get(doc.ctx.file);
    if (doc.kind !== 'Stack' || !doc.valid || !file) continue;
    const source = await readStack(doc, { ...file, root }, reader);
    if (source) out.set(doc, source);
  }
  return out;
}

/**
 * Sorted by file, line, field path and message, so that output is the same on every run; a
 * message that two checks reached for one node is shown once.
 */
export function sortErrors(errors: SpecError[]): SpecError[] {
  const key = (e: SpecError) => [e.location.file, e.location.line, e.location.path, e.detail];
  const unique = [...new Map(errors.map((e) => [e.message, e])).values()];
  return unique.sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    for (let i = 0; i < ka.length; i++) {
      if (ka[i] < kb[i]) return -1;
      if (ka[i] > kb[i]) return 1;
    }
    return 0;
  });
}
