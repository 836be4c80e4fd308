/** Compose's two ways of writing a string map: `{ KEY: value }` or `["KEY=value"]`. */
import type { DocContext } from '../spec/context';
import { childPointer } from '../spec/pointer';

/**
 * The map that `value` writes; a key without a value (`KEY:` or `- KEY`) is an error at its
 * node, with `why` after the key's name.
 */
export function keyValues(
  value: Record<string, string | null> | string[] | undefined,
  pointer: string,
  ctx: DocContext,
  why: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (value === undefined) return out;
  if (!Array.isArray(value)) {
    for (const [key, v] of Object.entries(value)) {
      if (v === null) ctx.fail(childPointer(pointer, key), `${key} ${why}`);
      else out[key] = v;
    }
    return out;
  }
  value.forEach((text, i) => {
    const eq = text.indexOf('=');
    if (eq < 0) ctx.fail(childPointer(pointer, i), `${text} ${why}`);
    else out[text.slice(0, eq)] = text.slice(eq + 1);
  });
  return out;
}

/** A string or a list of strings, as a list. */
export function textList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : [...value];
}
