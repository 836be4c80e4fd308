/**
 * Env files of compose services: `NAME=value` lines, `#` comments and blank lines. A value in
 * single or double quotes loses its quotes (double quotes also take \n and \"); an unquoted
 * value ends before ` #`. Unquoted and double-quoted values are interpolated from the stack's
 * variables, as Compose does; single-quoted ones reach the container as written.
 */
import { interpolate } from './interpolate';

export interface EnvFile {
  vars: Record<string, string>;
  /** `variable` marks an interpolation problem (SPEC_VARIABLE), as opposed to syntax. */
  problems: { line: number; message: string; variable?: true }[];
}

const LINE = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/;

/** Parse the text of one env file, interpolating from `variables`. */
export function parseEnvFile(text: string, variables: Record<string, string>): EnvFile {
  const out: EnvFile = { vars: {}, problems: [] };
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = LINE.exec(line);
    if (!m) {
      const message = /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(line)
        ? `'${line}' has no value: berth takes no values from its own environment; ` +
          `write ${line}=value`
        : `line ${i + 1} is not NAME=value`;
      out.problems.push({ line: i + 1, message });
      return;
    }
    const value = unquote(m[2]);
    if (value === null) {
      out.problems.push({ line: i + 1, message: `the value of ${m[1]} has no closing quote` });
      return;
    }
    if (m[2].startsWith("'")) {
      out.vars[m[1]] = value;
      return;
    }
    const result = interpolate(value, variables);
    for (const e of result.errors)
      out.problems.push({ line: i + 1, message: e.message, variable: true });
    out.vars[m[1]] = result.value as string;
  });
  return out;
}

function unquote(value: string): string | null {
  const quote = value[0];
  if (quote !== '"' && quote !== "'") return value.replace(/\s+#.*$/, '');
  const end = value.lastIndexOf(quote);
  if (end === 0) return null;
  const inner = value.slice(1, end);
  if (quote === "'") return inner;
  return inner.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
}
