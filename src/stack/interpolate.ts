/**
 * Compose-style variable interpolation for the compose documents of Stack resources: every
 * string in the document may refer to `spec.variables` as `$VAR`, `${VAR}`, `${VAR:-default}`
 * and the other forms of the Compose file format. Values come only from the variables passed
 * in, never from the agent's environment: a compose file must mean the same on every server.
 *
 * Differences from Compose, on purpose: a variable that is not set and has no default is an
 * error instead of an empty string with a warning, so that `image: app:${TAG}` can never
 * become `image: app:`.
 */
import { childPath } from '../spec/pointer';

/** One problem in one string of the document; `path` is like `services.web.image`. */
export interface InterpolationError {
  path: string;
  message: string;
}

/** The operators of `${VAR<op>word}`, longest first so that `:-` is not read as `:`. */
const OPERATORS = [':-', ':?', ':+', '-', '?', '+'] as const;
type Operator = (typeof OPERATORS)[number];

/** A `$VAR` or `${VAR...}`; `arg` is the default, message or replacement after the operator. */
interface Reference {
  name: string;
  op: Operator | null;
  arg: Part[];
}

/** Literal text or a reference; a parsed string is a list of parts. */
type Part = string | Reference;

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
const LITERAL_HINT = 'write $$ for a literal $';

/**
 * Interpolate every string in `value` (objects, arrays, strings; other scalars and mapping keys
 * are left as they are) and collect every error, each with the field path of its string. The
 * input is not changed. A string with an invalid form keeps its text as written; a caller must
 * not use `value` when `errors` is not empty.
 */
export function interpolate(
  value: unknown,
  vars: Record<string, string>,
  path = '',
): { value: unknown; errors: InterpolationError[] } {
  const errors: InterpolationError[] = [];
  return { value: walk(value, vars, path, errors), errors };
}

function walk(
  value: unknown,
  vars: Record<string, string>,
  path: string,
  errors: InterpolationError[],
): unknown {
  if (typeof value === 'string') {
    const result = interpolateString(value, vars);
    errors.push(...result.errors.map((message) => ({ path, message })));
    return result.value;
  }
  if (Array.isArray(value)) {
    return value.map((item, i) => walk(item, vars, childPath(path, i), errors));
  }
  if (!isPlainObject(value)) return value;

  // fromEntries defines own properties, so even a key named __proto__ stays plain data.
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [key, walk(v, vars, childPath(path, key), errors)]),
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** One string: its value, or its text as written when it has an invalid form. */
function interpolateString(text: string, vars: Record<string, string>) {
  const parser = new Parser(text);
  const parts = parser.sequence(false);
  const messages = [...parser.errors];
  const value = evaluate(parts, vars, messages);
  // `$TAG:$TAG` with TAG unset says so once.
  const errors = [...new Set(messages)];
  return { value: parser.errors.length > 0 ? text : value, errors };
}

/** Reads one string into parts, collecting syntax errors and carrying on after each. */
class Parser {
  readonly errors: string[] = [];
  private pos = 0;
  /** Set when an error consumed the rest of the string, so enclosing `${` say nothing more. */
  private truncated = false;

  constructor(private readonly text: string) {}

  /** Parts up to the end, or, inside `${VAR<op>`, up to the `}` that closes it. */
  sequence(inBraces: boolean): Part[] {
    const parts: Part[] = [];
    let depth = 0; // Compose pairs literal braces in a default: `${A:-{x}}` is `{x}`.
    while (this.pos < this.text.length) {
      const c = this.text[this.pos];
      if (c === '$') {
        parts.push(this.dollar());
        continue;
      }
      if (inBraces && c === '}' && depth === 0) break;
      if (c === '{') depth++;
      if (c === '}') depth--;
      parts.push(c);
      this.pos++;
    }
    return parts;
  }

  private dollar(): Part {
    const start = this.pos;
    const next = this.text[start + 1];
    if (next === '$') {
      this.pos += 2;
      return '$';
    }
    if (next === '{') return this.braced();
    if (next !== undefined && NAME_START.test(next)) {
      this.pos++;
      return { name: this.name(), op: null, arg: [] };
    }

    // Only the `$` is consumed: the next character may be the `}` that closes a default.
    this.pos = start + 1;
    const what = next === undefined ? '"$" at the end' : `"$${next}"`;
    return this.fail(start, `invalid ${what}: $ must be followed by a variable name or {`);
  }

  /** `${...}`, with `pos` at its `$`. */
  private braced(): Part {
    const start = this.pos;
    this.pos += 2;
    const name = this.name();
    if (name === '') {
      return this.failBraced(start, 'a variable name must follow ${');
    }
    if (!NAME_START.test(name[0])) {
      return this.failBraced(start, `"${name}" is not a variable name: it starts with a digit`);
    }
    if (this.pos >= this.text.length) return this.unclosed(start);
    if (this.text[this.pos] === '}') {
      this.pos++;
      return { name, op: null, arg: [] };
    }

    const op = OPERATORS.find((o) => this.text.startsWith(o, this.pos));
    if (!op) {
      const expected = `} or one of ${OPERATORS.join(' ')}`;
      return this.failBraced(start, `expected ${expected} after the name ${name}`);
    }
    this.pos += op.length;
    const arg = this.sequence(true);
    if (this.pos >= this.text.length) return this.unclosed(start);
    this.pos++;
    return { name, op, arg };
  }

  private name(): string {
    const start = this.pos;
    while (this.pos < this.text.length && NAME_CHAR.test(this.text[this.pos])) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** An invalid `${...}`: report it whole and carry on after its closing brace. */
  private failBraced(start: number, reason: string): Part {
    const end = closingBrace(this.text, start + 2);
    this.truncated = end === this.text.length;
    this.pos = Math.min(end + 1, this.text.length);
    return this.fail(start, `invalid "${this.text.slice(start, this.pos)}": ${reason}`);
  }

  private unclosed(start: number): Part {
    this.pos = this.text.length;
    if (this.truncated) return this.text.slice(start);
    this.truncated = true;
    return this.fail(start, `invalid "${this.text.slice(start)}": no closing }`);
  }

  private fail(start: number, message: string): Part {
    this.errors.push(`${message}; ${LITERAL_HINT}`);
    return this.text.slice(start, this.pos);
  }
}

/** The index of the `}` that closes a brace opened before `from`; the length when none. */
function closingBrace(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '{') depth++;
    if (text[i] !== '}') continue;
    if (depth === 0) return i;
    depth--;
  }
  return text.length;
}

/** The value of parsed parts. Like the shell, only the branch that is used is evaluated. */
function evaluate(parts: Part[], vars: Record<string, string>, errors: string[]): string {
  return parts
    .map((part) => (typeof part === 'string' ? part : resolve(part, vars, errors)))
    .join('');
}

function resolve(ref: Reference, vars: Record<string, string>, errors: string[]): string {
  // hasOwn: a variable named `constructor` or `toString` is not set unless the spec sets it.
  const value = Object.hasOwn(vars, ref.name) ? vars[ref.name] : undefined;
  const empty = value === undefined || value === '';
  const arg = () => evaluate(ref.arg, vars, errors);

  switch (ref.op) {
    case null:
      if (value !== undefined) return value;
      errors.push(`variable ${ref.name} is not set and has no default; set it in spec.variables`);
      return '';
    case ':-':
      return empty ? arg() : value;
    case '-':
      return value ?? arg();
    case ':+':
      return empty ? '' : arg();
    case '+':
      return value === undefined ? '' : arg();
    case ':?':
    case '?':
      if (ref.op === ':?' ? !empty : value !== undefined) return value ?? '';
      errors.push(requiredMessage(ref.name, value, arg()));
      return '';
  }
}

/** `${TAG:?message}` and `${TAG?message}`: the user's message, or what to do when there is none. */
function requiredMessage(name: string, value: string | undefined, message: string): string {
  const state = value === undefined ? 'not set' : 'empty';
  return `variable ${name} is ${state}${message ? ': ' + message : '; set it in spec.variables'}`;
}
