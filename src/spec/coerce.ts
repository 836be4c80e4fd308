/**
 * YAML tree → plain JS value for schema validation, guided by the schema itself: where the
 * schema wants a string and the user wrote a plain number or boolean, the value is the text
 * the user wrote (`0755` stays "0755", `1e3` stays "1e3", `user: 1000` becomes "1000"), and an
 * empty value is "". Where the schema wants a number or a boolean, the resolved value is kept,
 * so `retries: 3` stays 3 and `internal: yes` is reported as not a boolean.
 */
import { childPath, childPointer, Positions } from './pointer';
import { resolveRef, SchemaAt, SchemaNode } from './schemas';
import type { YNode, YScalar } from './yaml-tree';

/** The converted document and where each of its nodes came from. */
export interface Converted {
  value: unknown;
  positions: Positions;
}

/** Convert a document's tree for validation against `schema`. */
export function convertDocument(root: YNode, schema: SchemaAt): Converted {
  const positions: Positions = new Map([['', { line: root.line, path: '' }]]);
  const value = new Converter(positions).value(root, [schema], '', '');
  return { value, positions };
}

class Converter {
  constructor(private readonly positions: Positions) {}

  value(node: YNode, schemas: SchemaAt[], pointer: string, path: string): unknown {
    if (node.kind === 'scalar') return scalarValue(node, schemas);

    if (node.kind === 'seq') {
      return node.items.map((item, i) => {
        const at = this.mark(pointer, path, i, item.line);
        return this.value(item, itemSchemas(schemas, i), at.pointer, at.path);
      });
    }

    // fromEntries defines own properties, so even a key named __proto__ stays plain data.
    return Object.fromEntries(
      node.entries.map((entry) => {
        const at = this.mark(pointer, path, entry.key, entry.keyLine);
        const schemasOfEntry = entrySchemas(schemas, entry.key);
        return [entry.key, this.value(entry.value, schemasOfEntry, at.pointer, at.path)];
      }),
    );
  }

  private mark(pointer: string, path: string, key: string | number, line: number) {
    const at = { pointer: childPointer(pointer, key), path: childPath(path, key) };
    this.positions.set(at.pointer, { line, path: at.path });
    return at;
  }
}

function scalarValue(node: YScalar, schemas: SchemaAt[]): unknown {
  const types = declaredTypes(schemas);
  const value = node.value;
  if (!types?.has('string') || typeof value === 'string') return value;
  if (value === null) return types.has('null') ? null : '';
  if (types.has(jsonType(value))) return value;
  if (typeof value === 'number' && types.has('number')) return value;
  return node.text;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function isSchema(value: unknown): value is SchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Every schema node that applies to one value: the nodes themselves, what their `$ref`s point
 * to, and the branches of `oneOf`, `anyOf`, `allOf` and `then`/`else`.
 */
export function expandSchemas(schemas: SchemaAt[]): SchemaAt[] {
  const out: SchemaAt[] = [];
  const visit = (at: SchemaAt): void => {
    if (out.some((o) => o.schema === at.schema)) return;
    out.push(at);
    const s = at.schema;
    if (typeof s.$ref === 'string') visit(resolveRef(s.$ref, at.base));
    for (const key of ['oneOf', 'anyOf', 'allOf']) {
      const branches = Array.isArray(s[key]) ? (s[key] as unknown[]) : [];
      for (const branch of branches.filter(isSchema)) visit({ schema: branch, base: at.base });
    }
    for (const key of ['then', 'else']) {
      const branch = s[key];
      if (isSchema(branch)) visit({ schema: branch, base: at.base });
    }
  };
  schemas.forEach(visit);
  return out;
}

/** The JSON types the schemas allow, or null when none of them says. */
export function declaredTypes(schemas: SchemaAt[]): Set<string> | null {
  const types = new Set<string>();
  for (const { schema } of expandSchemas(schemas)) {
    if (typeof schema.type === 'string') types.add(schema.type);
    if (Array.isArray(schema.type)) schema.type.forEach((t) => types.add(String(t)));
  }
  return types.size > 0 ? types : null;
}

function entrySchemas(schemas: SchemaAt[], key: string): SchemaAt[] {
  const out: SchemaAt[] = [];
  for (const { schema, base } of expandSchemas(schemas)) {
    const props = isSchema(schema.properties) ? schema.properties : {};
    const own = Object.prototype.hasOwnProperty.call(props, key) ? props[key] : undefined;
    const next = own ?? schema.additionalProperties;
    if (isSchema(next)) out.push({ schema: next, base });
  }
  return out;
}

function itemSchemas(schemas: SchemaAt[], index: number): SchemaAt[] {
  const out: SchemaAt[] = [];
  for (const { schema, base } of expandSchemas(schemas)) {
    const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems : [];
    const next = index < prefix.length ? prefix[index] : schema.items;
    if (isSchema(next)) out.push({ schema: next, base });
  }
  return out;
}
