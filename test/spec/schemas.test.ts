import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { DURATION_PATTERN } from '../../src/duration';
import { validateAgainst } from '../../src/spec/schemas';

const SCHEMA_DIR = path.join(__dirname, '../../schemas');

async function schemaFiles(): Promise<Array<[string, Record<string, unknown>]>> {
  const names = (await fs.readdir(SCHEMA_DIR)).filter((n) => n.endsWith('.schema.json')).sort();
  return Promise.all(
    names.map(async (n) => [n, JSON.parse(await fs.readFile(path.join(SCHEMA_DIR, n), 'utf8'))]),
  );
}

/** Every object schema below `node`, with its JSON pointer. */
function objectSchemas(node: unknown, pointer = ''): Array<[string, Record<string, unknown>]> {
  if (typeof node !== 'object' || node === null) return [];
  const own: Array<[string, Record<string, unknown>]> =
    (node as Record<string, unknown>).properties !== undefined
      ? [[pointer, node as Record<string, unknown>]]
      : [];
  return own.concat(Object.entries(node).flatMap(([k, v]) => objectSchemas(v, `${pointer}/${k}`)));
}

describe('the JSON Schemas in schemas/', () => {
  it('compile, and accept a minimal document of each kind', () => {
    const doc = (kind: string, spec: object) => ({
      apiVersion: 'berth/v1',
      kind,
      metadata: { name: 'x1' },
      spec,
    });

    expect(validateAgainst('destination.schema.json', doc('Destination', {}))).toEqual([]);
    expect(validateAgainst('application.schema.json', doc('Application', { image: 'a' }))).toEqual(
      [],
    );
    expect(validateAgainst('database.schema.json', doc('Database', { image: 'a' }))).toEqual([]);
  });

  it('refuse unknown keys in every map with named fields', async () => {
    for (const [file, schema] of await schemaFiles()) {
      for (const [pointer, node] of objectSchemas(schema)) {
        // `if` only tests a value; it is not a map of fields of its own.
        if (pointer.endsWith('/if') || pointer.endsWith('/else')) continue;
        expect([file, pointer, node.additionalProperties]).toEqual([file, pointer, false]);
      }
    }
  });

  it('spell durations as src/duration.ts parses them', async () => {
    const [, documentSchema] = (await schemaFiles()).find(([f]) => f === 'document.schema.json')!;
    const defs = documentSchema.$defs as Record<string, { pattern: string }>;

    expect(defs.duration.pattern).toBe(DURATION_PATTERN);
  });
});
