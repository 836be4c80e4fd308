/**
 * Addresses of nodes inside a spec document. A JSON pointer (`/spec/ports/0`) is what ajv
 * reports; the field path (`spec.ports[0]`) is what a person reads in an error message.
 */

/** Line and field path of one node; for a map entry the line of its key. */
export interface Position {
  line: number;
  path: string;
}

/** JSON pointer → position, filled while a document is converted. */
export type Positions = Map<string, Position>;

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** The JSON pointer of a map entry or list item below `pointer`. */
export function childPointer(pointer: string, key: string | number): string {
  return `${pointer}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/** The field path of a map entry (`spec.env.FOO`, `spec.labels["a.b"]`) or item (`[0]`). */
export function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  const part = PLAIN_KEY.test(key) ? key : `[${JSON.stringify(key)}]`;
  if (!path) return part;
  return part.startsWith('[') ? path + part : `${path}.${part}`;
}

/** The segments of a JSON pointer, unescaped. */
export function pointerSegments(pointer: string): string[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * The position of `pointer`, or of its nearest known ancestor with the rest of the path
 * spelled out: errors about omitted fields (`spec.destination`) point at the parent's line.
 */
export function locate(positions: Positions, pointer: string, fallbackLine: number): Position {
  const known = positions.get(pointer);
  if (known) return known;

  const segments = pointerSegments(pointer);
  for (let n = segments.length - 1; n >= 0; n--) {
    const ancestor = positions.get(segments.slice(0, n).reduce(childPointer, ''));
    if (!ancestor) continue;
    const path = segments.slice(n).reduce<string>((p, s) => childPath(p, s), ancestor.path);
    return { line: ancestor.line, path };
  }
  return { line: fallbackLine, path: segments.reduce<string>((p, s) => childPath(p, s), '') };
}
