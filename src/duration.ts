/** Durations as the contract writes them: `500ms`, `30s`, `5m`, `1h`, or combined (`1m30s`). */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
export const DURATION_PATTERN = '^(\\d+(\\.\\d+)?(ms|s|m|h))+$';

/** Milliseconds in a duration string; throws on anything that is not one. */
export function parseDuration(text: string): number {
  if (!new RegExp(DURATION_PATTERN).test(text)) {
    throw new Error(`"${text}" is not a duration (write it like 500ms, 30s, 5m or 1h)`);
  }
  let total = 0;
  for (const m of text.matchAll(PART)) total += Number(m[1]) * UNIT_MS[m[2]];
  return Math.round(total);
}
