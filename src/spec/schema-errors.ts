/**
 * ajv's errors → spec errors a person can act on: the line of the offending node (of the key,
 * for an unknown field), a field path like `spec.ports[0]`, and a message in plain words.
 */
import type { ErrorObject } from 'ajv';
import { SpecError } from '../errors';
import { declaredTypes } from './coerce';
import { childPointer, locate, Position, Positions } from './pointer';
import { SchemaNode, schemaAtNode } from './schemas';

/** Where a document sits, for turning its ajv errors into spec errors. */
export interface DocumentPlace {
  file: string;
  line: number;
  positions: Positions;
}

// Keywords whose failure means "this value has the wrong shape": a schema's errorHint says
// better than ajv what the right shape is.
// `not` marks a key berth refuses; its hint gives the reason.
const HINTED = new Set(['type', 'pattern', 'format', 'enum', 'const', 'oneOf', 'anyOf', 'not']);

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a map',
  null: 'empty',
};

/** Spec errors for one document's ajv errors. */
export function specErrorsFrom(errors: ErrorObject[], place: DocumentPlace): SpecError[] {
  const out: SpecError[] = [];
  for (const err of withoutBranchNoise(errors)) {
    const location = { file: place.file, ...where(err, place) };
    out.push(new SpecError('SPEC_SCHEMA', location, describe(err, place)));
  }
  return out;
}

/**
 * For a value that may take several shapes (a port is a string or a map), ajv reports every
 * shape it failed. Keep the errors of the shape the value has; when it has none of them, say
 * which shapes are allowed. `if` and `propertyNames` only repeat what their inner errors say.
 */
function withoutBranchNoise(errors: ErrorObject[]): ErrorObject[] {
  const dropped = new Set<ErrorObject>();
  const replaced = new Map<ErrorObject, ErrorObject>();

  errors.forEach((err, index) => {
    if (err.keyword === 'if' || err.keyword === 'propertyNames') dropped.add(err);
    if (err.keyword !== 'oneOf' && err.keyword !== 'anyOf') return;

    const branch = branchErrors(errors, index);
    if (hint(err.parentSchema) !== undefined) {
      branch.forEach((e) => dropped.add(e));
      return;
    }
    branch.filter((e) => isShapeMiss(e, err)).forEach((e) => dropped.add(e));
    if (branch.some((e) => !dropped.has(e))) dropped.add(err);
    else replaced.set(err, { ...err, keyword: 'type', params: { type: allowedTypes(err) } });
  });

  return errors.filter((e) => !dropped.has(e)).map((e) => replaced.get(e) ?? e);
}

/** The errors ajv pushed for the branches of the oneOf/anyOf at `index`: just before it. */
function branchErrors(errors: ErrorObject[], index: number): ErrorObject[] {
  const at = errors[index].instancePath;
  const out: ErrorObject[] = [];
  for (let i = index - 1; i >= 0; i--) {
    const p = errors[i].instancePath;
    if (p !== at && !p.startsWith(at + '/')) break;
    out.push(errors[i]);
  }
  return out;
}

/** A branch that failed only because the value is not of that branch's type. */
function isShapeMiss(err: ErrorObject, parent: ErrorObject): boolean {
  return err.keyword === 'type' && err.instancePath === parent.instancePath;
}

function allowedTypes(err: ErrorObject): string[] {
  const types = declaredTypes([schemaAtNode(err.parentSchema as SchemaNode)]);
  return types ? [...types] : [];
}

function hint(schema: unknown): string | undefined {
  const value = (schema as SchemaNode | undefined)?.errorHint;
  return typeof value === 'string' ? value : undefined;
}

/** The node an error is about: an unknown or invalid key's own line, else the value's. */
function where(err: ErrorObject, place: DocumentPlace): Position {
  const unknown = err.keyword === 'additionalProperties';
  const key = unknown ? String(err.params.additionalProperty) : err.propertyName;
  const here = locate(place.positions, err.instancePath, place.line);
  if (err.keyword === 'uniqueItems') {
    const item = childPointer(err.instancePath, Number(err.params.i));
    return locate(place.positions, item, place.line);
  }
  if (key === undefined) return here;

  const keyAt = locate(place.positions, childPointer(err.instancePath, key), place.line);
  return unknown ? { line: keyAt.line, path: here.path } : keyAt;
}

function describe(err: ErrorObject, place: DocumentPlace): string {
  const p = err.params as Record<string, unknown>;
  const hinted = HINTED.has(err.keyword) ? hint(err.parentSchema) : undefined;
  if (hinted) return hinted;

  switch (err.keyword) {
    case 'additionalProperties':
      return unknownField(String(p.additionalProperty), err.parentSchema);
    case 'required':
      return `missing required field '${String(p.missingProperty)}'`;
    case 'type':
      return `must be ${typeWords(p.type)}`;
    case 'enum':
      return `must be one of: ${(p.allowedValues as unknown[]).join(', ')} (got ${show(err.data)})`;
    case 'const':
      return `must be ${show(p.allowedValue)} (got ${show(err.data)})`;
    case 'minLength':
      return p.limit === 1 ? 'must not be empty' : `must be at least ${p.limit} characters long`;
    case 'maxLength':
      return `must be at most ${p.limit} characters long`;
    case 'minimum':
      return `must be at least ${p.limit}`;
    case 'maximum':
      return `must be at most ${p.limit}`;
    case 'exclusiveMinimum':
      return `must be more than ${p.limit}`;
    case 'minItems':
      return `must list at least ${p.limit} item${p.limit === 1 ? '' : 's'}`;
    case 'uniqueItems':
      return duplicateItem(err, place);
    default:
      return err.message ?? `is invalid (${err.keyword})`;
  }
}

function typeWords(type: unknown): string {
  const types = Array.isArray(type) ? type : String(type).split(',');
  const words = types.map((t) => TYPE_WORDS[String(t)] ?? String(t));
  return [...new Set(words)].join(' or ');
}

function show(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
}

function duplicateItem(err: ErrorObject, place: DocumentPlace): string {
  const { i, j } = err.params as { i: number; j: number };
  const first = locate(place.positions, childPointer(err.instancePath, j), place.line);
  return `${show((err.data as unknown[])[i])} is listed twice, first as ${first.path}`;
}

function unknownField(key: string, parentSchema: unknown): string {
  const props = (parentSchema as SchemaNode | undefined)?.properties;
  const known = props && typeof props === 'object' ? Object.keys(props) : [];
  const near = known.find((k) => editDistance(k.toLowerCase(), key.toLowerCase()) <= 2);
  return `unknown field '${key}'` + (near ? ` (did you mean '${near}'?)` : '');
}

/** Levenshtein distance, for "did you mean" on misspelt field names. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost));
    }
    prev = row;
  }
  return prev[b.length];
}
