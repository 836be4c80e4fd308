/**
 * The JSON Schemas in `schemas/`, the single source of spec validation: one ajv instance that
 * knows them all, and lookup of schema nodes by `$ref` for the coercion in coerce.ts.
 */
import Ajv2020 from 'ajv/dist/2020';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import applicationSchema from '../../schemas/application.schema.json';
import composeServiceSchema from '../../schemas/compose-service.schema.json';
import composeSchema from '../../schemas/compose.schema.json';
import containerSpecSchema from '../../schemas/container-spec.schema.json';
import databaseSchema from '../../schemas/database.schema.json';
import destinationSchema from '../../schemas/destination.schema.json';
import documentSchema from '../../schemas/document.schema.json';
import stackSchema from '../../schemas/stack.schema.json';
import { BerthError } from '../errors';

/** A JSON Schema node as read from the schema files. */
export type SchemaNode = Record<string, unknown>;

/** A schema node and the `$id` of the file it sits in, against which its `$ref`s resolve. */
export interface SchemaAt {
  schema: SchemaNode;
  base: string;
}

export const DOCUMENT_SCHEMA = 'document.schema.json';

/** What berth takes of a compose document (a Stack's compose file or inline `compose`). */
export const COMPOSE_SCHEMA = 'compose.schema.json';

/** The kinds this version of berth loads, and the schema of each. */
export const SCHEMA_BY_KIND: Readonly<Record<string, string>> = {
  Destination: 'destination.schema.json',
  Application: 'application.schema.json',
  Database: 'database.schema.json',
  Stack: 'stack.schema.json',
};

const ALL_SCHEMAS: SchemaNode[] = [
  documentSchema,
  destinationSchema,
  containerSpecSchema,
  applicationSchema,
  databaseSchema,
  stackSchema,
  composeSchema,
  composeServiceSchema,
];

const registry = new Map<string, SchemaNode>(ALL_SCHEMAS.map((s) => [String(s.$id), s]));

let ajv: Ajv2020 | null = null;

// strictTuples is off because a healthcheck test is a tuple with open-ended rest items.
function compiler(): Ajv2020 {
  if (ajv) return ajv;
  ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, strictTuples: false });
  addFormats(ajv, ['ipv4', 'ipv6']);
  // Our own annotation: the message to show when a value does not have the expected shape.
  ajv.addKeyword({ keyword: 'errorHint', schemaType: 'string' });
  for (const schema of ALL_SCHEMAS) ajv.addSchema(schema);
  return ajv;
}

/** Validate a converted document against the schema with this `$id`; [] when it is valid. */
export function validateAgainst(id: string, value: unknown): ErrorObject[] {
  const validate: ValidateFunction | undefined = compiler().getSchema(id);
  if (!validate) throw new BerthError('INTERNAL', `internal: no schema ${id}`);
  return validate(value) ? [] : [...(validate.errors ?? [])];
}

/** The root of the schema with this `$id`. */
export function schemaRoot(id: string): SchemaAt {
  const schema = registry.get(id);
  if (!schema) throw new BerthError('INTERNAL', `internal: no schema ${id}`);
  return { schema, base: id };
}

let homes: WeakMap<object, string> | null = null;

/**
 * A schema node as ajv hands it back in an error (`parentSchema`), with the file it sits in,
 * so that its `$ref`s can be followed.
 */
export function schemaAtNode(node: SchemaNode): SchemaAt {
  if (!homes) {
    const map = new WeakMap<object, string>();
    const visit = (value: unknown, id: string): void => {
      if (typeof value !== 'object' || value === null || map.has(value)) return;
      map.set(value, id);
      Object.values(value).forEach((child) => visit(child, id));
    };
    registry.forEach((schema, id) => visit(schema, id));
    homes = map;
  }
  const base = homes.get(node);
  if (!base) throw new BerthError('INTERNAL', 'internal: schema node from no known schema');
  return { schema: node, base };
}

/** Follow a `$ref` such as `#/$defs/port` or `document.schema.json#/$defs/dnsLabel`. */
export function resolveRef(ref: string, from: string): SchemaAt {
  const [file, fragment = ''] = ref.split('#');
  const base = file || from;
  let node: unknown = schemaRoot(base).schema;
  for (const part of fragment.split('/').filter(Boolean)) {
    node = (node as SchemaNode | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  if (!node || typeof node !== 'object') {
    throw new BerthError('INTERNAL', `internal: $ref ${ref} in ${from} resolves to nothing`);
  }
  return { schema: node as SchemaNode, base };
}
