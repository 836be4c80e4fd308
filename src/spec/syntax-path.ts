/**
 * The field a YAML syntax error sits in, read from the text's indentation: the parser's own tree
 * is unreliable past the error, but the lines above it still say which keys were open. A line
 * `  image: [oops` under `spec:` is `spec.image`; a list item counts its earlier siblings.
 */

interface Line {
  indent: number;
  key: string | null;
  /** Where the key of a list item (`- name: a`) starts, else the indent. */
  keyIndent: number;
  item: boolean;
}

const KEY = /^(?:- +)?("[^"]*"|'[^']*'|[^\s#'"{[][^:#]*?)\s*:(?:\s|$)/;

/** A tab is not indentation in YAML, but a person who typed one meant a level of it. */
function readLine(raw: string): Line | null {
  const text = raw.replace(/\t/g, '  ');
  const body = text.trimStart();
  if (body === '' || body.startsWith('#') || body.startsWith('---')) return null;
  const indent = text.length - body.length;
  const item = /^-(\s|$)/.test(body);
  const keyIndent = item ? indent + (/^-\s*/.exec(body)?.[0].length ?? 1) : indent;
  const m = KEY.exec(body);
  const key = m ? m[1].replace(/^["']|["']$/g, '') : null;
  return { indent, key, keyIndent, item };
}

/** The indentation of a comment line, 0 for a blank one: where a person stood. */
function commentIndent(raw: string): number {
  const text = raw.replace(/\t/g, '  ');
  return text.trim() === '' ? 0 : text.length - text.trimStart().length;
}

/** Field path (`spec.ports[1]`) of the 1-based `lineNo` in `text`, '' at the top level. */
export function syntaxPath(text: string, lineNo: number): string {
  const lines = text.split('\n').slice(0, lineNo);
  const here = readLine(lines[lineNo - 1] ?? '');
  const parts: string[] = [];
  let limit = here ? here.indent : commentIndent(lines[lineNo - 1] ?? '');
  if (here?.key) parts.unshift(here.key);
  if (here?.item) parts.unshift(`[${siblingsBefore(lines, lineNo - 1, here.indent)}]`);
  for (let i = lineNo - 2; i >= 0 && limit > 0; i--) {
    const line = readLine(lines[i]);
    if (!line || line.indent >= limit) continue;
    if (line.key && !line.item) parts.unshift(line.key);
    if (line.item) {
      if (line.key && line.keyIndent < limit) parts.unshift(line.key);
      parts.unshift(`[${siblingsBefore(lines, i, line.indent)}]`);
    }
    limit = line.indent;
  }
  return parts.reduce((path, p) => (p.startsWith('[') ? path + p : path ? `${path}.${p}` : p), '');
}

/** How many list items at `indent` come before line `index` in the same list. */
function siblingsBefore(lines: string[], index: number, indent: number): number {
  let count = 0;
  for (let i = index - 1; i >= 0; i--) {
    const line = readLine(lines[i]);
    if (!line) continue;
    if (line.indent < indent) break;
    if (line.indent === indent && line.item) count++;
    else if (line.indent === indent) break;
  }
  return count;
}
