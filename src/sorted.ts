/** A string map as [key, value] pairs in key order: what hashing and comparing maps need. */
export function sortedEntries(record: Record<string, string>): [string, string][] {
  return Object.keys(record)
    .sort()
    .map((k) => [k, record[k]]);
}
