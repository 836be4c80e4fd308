/**
 * One document on its own: dispatch on `kind`, convert with its schema's guidance, validate.
 * What documents mean together (names, references) is resolve.ts's business.
 */
import { convertDocument } from './coerce';
import { DocContext } from './context';
import { specErrorsFrom } from './schema-errors';
import { DOCUMENT_SCHEMA, SCHEMA_BY_KIND, schemaRoot, validateAgainst } from './schemas';
import type { YDoc, YNode } from './yaml-tree';

export type DocKind = 'Destination' | 'Application' | 'Database' | 'Stack';

export const SUPPORTED_KINDS: readonly DocKind[] = [
  'Destination',
  'Application',
  'Database',
  'Stack',
];

/** A document after its own checks. */
export interface CheckedDoc {
  ctx: DocContext;
  /** null when the kind is missing or not supported. */
  kind: DocKind | null;
  /** metadata.name when it is text at all, valid or not: names still claim their namespace. */
  name: string | null;
  /** The converted document; its types are trustworthy only when `valid`. */
  value: Record<string, unknown>;
  /** True when the document passed its schema. */
  valid: boolean;
  /** The document's YAML tree: a Stack's inline compose is converted again from it. */
  tree: YNode;
}

/** Check one document against the schema of its kind. */
export function checkDocument(doc: YDoc): CheckedDoc {
  const kindText = entryValue(doc.root, 'kind');
  const kind = SUPPORTED_KINDS.find((k) => k === kindText) ?? null;
  const schemaId = kind ? SCHEMA_BY_KIND[kind] : DOCUMENT_SCHEMA;

  const converted = convertDocument(doc.root, schemaRoot(schemaId));
  const ctx = new DocContext(doc.file, doc.line, converted.positions);
  ctx.errors.push(...doc.errors);
  const value = isRecord(converted.value) ? converted.value : {};
  const name = textAt(value, 'metadata', 'name');
  const checked = { ctx, kind, name, value, valid: false, tree: doc.root };

  if (doc.root.kind !== 'map') {
    ctx.fail('', 'a spec document must be a map with apiVersion, kind, metadata and spec');
    return checked;
  }

  if (looksLikeCompose(doc.root)) {
    // One clear error instead of one per missing field (and per merge key it uses).
    ctx.errors.length = 0;
    const detail =
      'this is a compose file that no Stack names: name it in the composeFile of a Stack ' +
      "(relative to the Stack's file), or keep it outside the specs folder";
    ctx.fail('', detail);
    return checked;
  }

  const place = { file: doc.file, line: doc.line, positions: converted.positions };
  // A node the tree builder already reported (a bad alias, a duplicate) needs no second error.
  const schemaErrors = specErrorsFrom(validateAgainst(schemaId, converted.value), place);
  const reported = new Set(doc.errors.map((e) => e.location.path));
  ctx.errors.push(...schemaErrors.filter((e) => !reported.has(e.location.path)));
  return { ...checked, valid: kind !== null && !ctx.failed };
}

/** No apiVersion or kind, and the top-level `services` of a compose file. */
function looksLikeCompose(root: YNode): boolean {
  if (root.kind !== 'map') return false;
  const keys = new Set(root.entries.map((e) => e.key));
  return keys.has('services') && !keys.has('apiVersion') && !keys.has('kind');
}

function entryValue(node: YNode, key: string): unknown {
  if (node.kind !== 'map') return undefined;
  const entry = node.entries.find((e) => e.key === key);
  return entry?.value.kind === 'scalar' ? entry.value.value : undefined;
}

/** A YAML map after conversion. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The string at a path of nested maps, or null: for reading names from invalid documents. */
export function textAt(value: unknown, ...keys: string[]): string | null {
  let node = value;
  for (const key of keys) node = isRecord(node) ? node[key] : undefined;
  return typeof node === 'string' ? node : null;
}

/** The strings of a list at a path of nested maps; anything else is skipped. */
export function textsAt(value: unknown, ...keys: string[]): string[] {
  let node = value;
  for (const key of keys) node = isRecord(node) ? node[key] : undefined;
  return Array.isArray(node) ? node.filter((v): v is string => typeof v === 'string') : [];
}
