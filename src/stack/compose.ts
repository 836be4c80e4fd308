/**
 * A compose document as berth takes it: converted from its YAML tree (literal text where the
 * schema wants strings), interpolated from the stack's variables, then checked against
 * schemas/compose.schema.json. Interpolation comes before the schema, as in Compose, so that
 * `ports: ["${PORT}:80"]` is checked with its value.
 */
import { SpecError } from '../errors';
import { convertDocument } from '../spec/coerce';
import { DocContext } from '../spec/context';
import { Positions } from '../spec/pointer';
import { specErrorsFrom } from '../spec/schema-errors';
import { COMPOSE_SCHEMA, schemaRoot, validateAgainst } from '../spec/schemas';
import type { YNode } from '../spec/yaml-tree';
import type { ComposeDoc } from './compose-types';
import { interpolate } from './interpolate';

/** Where a compose document sits: its own file, or a Stack spec (`spec.compose`). */
export interface ComposePlace {
  file: string;
  line: number;
  /** Field path of the document's root in messages: '' for a file, `spec.compose` inline. */
  prefix: string;
}

/** A compose document after its checks; `doc` is null when it has errors (in `ctx`). */
export interface CheckedCompose {
  doc: ComposeDoc | null;
  /** Pointers are relative to the compose document (`/services/web/ports/0`). */
  ctx: DocContext;
}

/** Convert, interpolate and validate one compose document. */
export function checkCompose(
  root: YNode,
  place: ComposePlace,
  variables: Record<string, string>,
): CheckedCompose {
  const converted = convertDocument(root, schemaRoot(COMPOSE_SCHEMA));
  const positions = withPrefix(converted.positions, place.prefix);
  const ctx = new DocContext(place.file, place.line, positions);
  if (root.kind !== 'map') {
    ctx.fail('', 'a compose document must be a map with services (and networks, volumes)');
    return { doc: null, ctx };
  }

  const result = interpolate(converted.value, variables, place.prefix);
  const lines = lineByPath(positions);
  for (const e of result.errors) {
    const location = { file: place.file, line: lines.get(e.path) ?? place.line, path: e.path };
    ctx.errors.push(new SpecError('SPEC_VARIABLE', location, e.message));
  }
  if (ctx.failed) return { doc: null, ctx };

  const schemaErrors = validateAgainst(COMPOSE_SCHEMA, result.value);
  ctx.errors.push(...specErrorsFrom(schemaErrors, { ...place, positions }));
  return { doc: ctx.failed ? null : (result.value as ComposeDoc), ctx };
}

/** The positions with every field path under `prefix`. */
function withPrefix(positions: Positions, prefix: string): Positions {
  if (!prefix) return positions;
  const out: Positions = new Map();
  for (const [pointer, pos] of positions) {
    const path = !pos.path ? prefix : pos.path.startsWith('[') ? prefix + pos.path : '';
    out.set(pointer, { line: pos.line, path: path || `${prefix}.${pos.path}` });
  }
  return out;
}

function lineByPath(positions: Positions): Map<string, number> {
  return new Map([...positions.values()].map((p) => [p.path, p.line]));
}
