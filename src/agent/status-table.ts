/** `berth status` as a person reads it: a header, then a table of destinations and resources. */
import { StatusDocument } from './view';

/** Columns padded to their widest cell; the last column is not padded. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) => r.map((cell, i) => (i < r.length - 1 ? cell.padEnd(widths[i]) : cell)).join('  '))
    .map((line) => `${line.trimEnd()}\n`)
    .join('');
}

function header(doc: StatusDocument): string {
  const docker = doc.docker.up ? 'Docker up' : `Docker DOWN (${doc.docker.reason})`;
  const pass = doc.lastPass
    ? `last pass #${doc.lastPass.id} ${doc.lastPass.result} at ${doc.lastPass.startedAt} ` +
      `(${doc.lastPass.durationMs} ms)`
    : 'no pass yet';
  const ready = doc.ready ? 'ready' : 'NOT READY';
  return `server ${doc.server}: ${ready}, ${docker}, ${pass}\n`;
}

/** The whole status as text. */
export function renderStatus(doc: StatusDocument): string {
  let out = header(doc);
  if (doc.lastPass?.error) out += `last pass failed: ${doc.lastPass.error}\n`;
  for (const e of doc.specErrors) out += `spec error: ${e.message} [${e.code}]\n`;
  for (const p of doc.problems ?? []) {
    out += `${p.level}: ${p.kind} ${p.resource}: ${p.message} [${p.code}]\n`;
  }

  out += '\n';
  out += table([
    ['DESTINATION', 'NETWORK', 'NETWORK ID', 'ADDRESS', 'CONTAINERS'],
    ...doc.destinations.map((d) => [
      d.name,
      d.network,
      d.networkId?.slice(0, 12) ?? '-',
      d.address ?? '-',
      d.containers.join(',') || '-',
    ]),
  ]);
  out += '\n';
  out += table([
    ['RESOURCE', 'KIND', 'DESTINATION', 'STATUS', 'HEALTH', 'SPEC HASH', 'LAST CHANGE', 'REASON'],
    ...doc.resources.map((r) => [
      r.resource,
      r.kind,
      r.destination,
      r.status,
      r.health ?? '-',
      r.specHash.replace(/^(\d+-[0-9a-f]{12})[0-9a-f]*/, '$1'),
      r.lastChange ?? '-',
      r.reason || '-',
    ]),
  ]);
  return out + servicesTable(doc);
}

/** Each stack's services, one line each: the stack's status alone hides which one is down. */
function servicesTable(doc: StatusDocument): string {
  const stacks = doc.resources.filter((r) => r.kind === 'Stack');
  if (stacks.length === 0) return '';
  const rows = stacks.flatMap((r) =>
    r.containers.map((c) => [
      r.resource,
      c.service ?? '-',
      c.name,
      c.exitCode === null ? c.state : `${c.state} (${c.exitCode})`,
      c.health ?? '-',
    ]),
  );
  return '\n' + table([['STACK', 'SERVICE', 'CONTAINER', 'STATE', 'HEALTH'], ...rows]);
}
