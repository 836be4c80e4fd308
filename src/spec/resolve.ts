/**
 * What the documents mean together: destination and resource namespaces, references from
 * resources to destinations, and the desired state of one server. The first declaration of a
 * name (in file, then line order) wins; later ones are errors that name the first.
 */
import type {
  DesiredContainer,
  DesiredDestination,
  DesiredStackNetwork,
  DesiredState,
  ResourceKind,
} from '../model';
import { resolveStack } from '../stack/resolve-stack';
import type { StackSource } from '../stack/source';
import { normalizeContainer } from './container';
import { place } from './context';
import { normalizeDestination } from './destination';
import { CheckedDoc, isRecord, textAt } from './document';
import { dockerNameProblem, DockerNames } from './names';
import { childPointer } from './pointer';
import type { ContainerSpec, DestinationSpec } from './spec-types';

interface DestinationEntry {
  doc: CheckedDoc;
  name: string;
  /** The server it lives on: spec.server, else the agent's own. */
  server: string;
  /** null when the destination has errors. */
  desired: DesiredDestination | null;
}

type Destinations = Map<string, DestinationEntry>;

/** The compose documents of the valid Stack documents, read ahead (src/stack/source.ts). */
export type StackSources = Map<CheckedDoc, StackSource>;

/** The desired state of `server`; errors go to the documents' contexts. */
export function resolveDocuments(
  docs: CheckedDoc[],
  server: string,
  stacks: StackSources = new Map(),
): DesiredState {
  const destinations = collectDestinations(docs, server);
  const refs = new Map<string, Set<string>>();
  const { containers, stackNetworks } = resolveResources(docs, destinations, server, refs, stacks);

  const own = [...destinations.values()].filter(
    (d) => d.server === server && d.desired && !d.doc.ctx.failed,
  );
  return {
    destinations: own.map((d) => d.desired as DesiredDestination).sort(byName),
    containers: containers.sort(byName),
    stackNetworks: stackNetworks.sort(byName),
    complete: docs.every((d) => !d.ctx.failed),
    destinationRefs: Object.fromEntries(
      [...refs.keys()].sort().map((k) => [k, [...(refs.get(k) ?? [])].sort()]),
    ),
  };
}

function byName<T extends { name: string }>(a: T, b: T): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function collectDestinations(docs: CheckedDoc[], server: string): Destinations {
  const byDestName: Destinations = new Map();
  for (const doc of docs) {
    if (doc.kind !== 'Destination' || doc.name === null) continue;
    const first = byDestName.get(doc.name);
    if (first) {
      const where = place(first.doc.ctx.source);
      const detail = `destination '${doc.name}' is already declared at ${where}`;
      doc.ctx.fail('/metadata/name', detail, 'SPEC_NAME');
      continue;
    }
    const spec = doc.valid ? (doc.value.spec as DestinationSpec) : null;
    byDestName.set(doc.name, {
      doc,
      name: doc.name,
      server: textAt(doc.value, 'spec', 'server') ?? server,
      desired: spec ? normalizeDestination(doc.name, spec, doc.ctx) : null,
    });
  }
  checkNetworkNames([...byDestName.values()]);
  return byDestName;
}

/** Two destinations of one server cannot share a Docker network. */
function checkNetworkNames(entries: DestinationEntry[]): void {
  const taken = new Map<string, DestinationEntry>();
  for (const entry of entries) {
    if (!entry.desired) continue;
    const key = JSON.stringify([entry.server, entry.desired.network]);
    const first = taken.get(key);
    if (!first) {
      taken.set(key, entry);
      continue;
    }
    const detail =
      `network '${entry.desired.network}' is already used by destination '${first.name}' ` +
      `at ${place(first.doc.ctx.source)}`;
    // The network name defaults to metadata.name: point at whichever the user wrote.
    const written = textAt(entry.doc.value, 'spec', 'network') !== null;
    entry.doc.ctx.fail(written ? '/spec/network' : '/metadata/name', detail, 'SPEC_NAME');
    entry.desired = null;
  }
}

interface Resolved {
  doc: CheckedDoc;
  containers: DesiredContainer[];
  networks: DesiredStackNetwork[];
}

function resolveResources(
  docs: CheckedDoc[],
  destinations: Destinations,
  server: string,
  refs: Map<string, Set<string>>,
  stacks: StackSources,
) {
  const names = new DockerNames();
  const declared = [...destinations.keys()].sort();
  const out: Resolved[] = [];

  for (const doc of docs) {
    if (doc.kind === 'Destination' || doc.kind === null || doc.name === null) continue;
    checkContainerName(doc);
    const destName = destinationOf(doc, declared);
    recordRefs(doc, destName, destinations, server, refs);
    if (destName === null) continue;

    const onServer = destinations.get(destName)?.server === server;
    if (doc.kind === 'Stack') {
      const stack = stackResource(doc, destName, destinations, names, stacks.get(doc));
      for (const joined of stack?.joins ?? []) recordRefs(doc, joined, destinations, server, refs);
      if (stack && onServer) out.push({ doc, ...stack });
      continue;
    }
    const container = resolveResource(doc, destName, destinations, names);
    if (container && onServer) out.push({ doc, containers: [container], networks: [] });
  }
  // A later document may still have failed an earlier one's claim; keep only clean ones.
  const clean = out.filter((o) => !o.doc.ctx.failed);
  return {
    containers: clean.flatMap((o) => o.containers),
    stackNetworks: clean.flatMap((o) => o.networks),
  };
}

/** A Stack's containers and networks, once its destination is known to be usable. */
function stackResource(
  doc: CheckedDoc,
  destName: string,
  destinations: Destinations,
  names: DockerNames,
  source: StackSource | undefined,
) {
  const destination = destinations.get(destName);
  if (!destination) return notDeclared(doc, '/spec/destination', destName) || null;
  const name = doc.name as string;
  if (!doc.ctx.hasErrorAt('/metadata/name')) {
    const claimant = { owner: `Stack '${name}'`, ctx: doc.ctx, pointer: '/metadata/name' };
    names.claim(destination.server, 'container', name, claimant);
  }
  if (!destination.desired) return hasErrors(doc, '/spec/destination', destination) || null;
  if (!doc.valid || !source) return null;

  const destinationNetworks = new Map<string, string>();
  for (const entry of destinations.values()) {
    if (entry.server !== destination.server || !entry.desired) continue;
    destinationNetworks.set(entry.desired.network, entry.name);
  }
  const place = {
    stack: name,
    destination: { name: destName, network: destination.desired.network },
    destinationNetworks,
    server: destination.server,
  };
  return resolveStack(doc, source, place, names);
}

/** A resource's name is its container's name: Docker and berth must both accept it. */
function checkContainerName(doc: CheckedDoc): void {
  if (doc.ctx.hasErrorAt('/metadata/name')) return;
  const problem = dockerNameProblem('container', doc.name as string);
  if (problem) doc.ctx.fail('/metadata/name', problem, 'SPEC_NAME');
}

/** spec.destination, or the only destination the specs declare. */
function destinationOf(doc: CheckedDoc, declared: string[]): string | null {
  const spec = doc.value.spec;
  if (!isRecord(spec)) return null;
  if ('destination' in spec) {
    // An invalid name is reported by the schema already; a reference error would repeat it.
    return doc.ctx.hasErrorAt('/spec/destination') ? null : textAt(spec, 'destination');
  }
  if (declared.length === 1) return declared[0];

  const detail =
    declared.length === 0
      ? 'no Destination is declared in the specs: add one, and name it here'
      : `must name a destination: it may be left out only when the specs declare exactly ` +
        `one, and they declare ${declared.length} (${declared.join(', ')})`;
  doc.ctx.fail('/spec/destination', detail, 'SPEC_REFERENCE');
  return null;
}

/**
 * Which resources name which destination, valid or not, so that a destination still named is
 * never removed. Destinations of other servers are none of this server's business.
 */
function recordRefs(
  doc: CheckedDoc,
  destName: string | null,
  destinations: Destinations,
  server: string,
  refs: Map<string, Set<string>>,
): void {
  const extras = listAt(doc.value, 'extraDestinations').filter((e) => typeof e === 'string');
  for (const name of [destName, ...extras]) {
    if (typeof name !== 'string') continue;
    const entry = destinations.get(name);
    if (entry && entry.server !== server) continue;
    refs.set(name, (refs.get(name) ?? new Set()).add(doc.name as string));
  }
}

/** A list in the document's spec, valid or not; [] when there is none. */
function listAt(value: Record<string, unknown>, key: string): unknown[] {
  const list = isRecord(value.spec) ? value.spec[key] : undefined;
  return Array.isArray(list) ? list : [];
}

function resolveResource(
  doc: CheckedDoc,
  destName: string,
  destinations: Destinations,
  names: DockerNames,
): DesiredContainer | null {
  const { ctx } = doc;
  const destination = destinations.get(destName);
  if (!destination) {
    notDeclared(doc, '/spec/destination', destName);
    return null;
  }

  const name = doc.name as string;
  const owner = `${doc.kind} '${name}'`;
  if (!ctx.hasErrorAt('/metadata/name')) {
    names.claim(destination.server, 'container', name, { owner, ctx, pointer: '/metadata/name' });
  }
  const extras = extraDestinations(doc, destination, destinations);
  if (!destination.desired) hasErrors(doc, '/spec/destination', destination);
  if (!doc.valid || ctx.failed || !destination.desired || !extras) return null;

  const container = normalizeContainer({
    kind: doc.kind as ResourceKind,
    name,
    spec: doc.value.spec as ContainerSpec,
    destination: destination.desired,
    extras,
    ctx,
  });
  for (const volume of container?.volumes ?? []) {
    const claimant = { owner, ctx, pointer: '/spec/volumes' };
    names.claim(destination.server, 'volume', volume, claimant);
  }
  return ctx.failed ? null : container;
}

/** The extra destinations, sorted by name; null when any of them cannot be joined. */
function extraDestinations(
  doc: CheckedDoc,
  own: DestinationEntry,
  destinations: Destinations,
): DesiredDestination[] | null {
  const out: DesiredDestination[] = [];
  let ok = true;

  listAt(doc.value, 'extraDestinations').forEach((name, i) => {
    const pointer = childPointer('/spec/extraDestinations', i);
    const entry = typeof name === 'string' ? destinations.get(name) : undefined;
    if (typeof name !== 'string' || doc.ctx.hasErrorAt(pointer)) ok = false;
    else if (name === own.name) {
      doc.ctx.fail(pointer, `'${name}' is already this resource's destination`, 'SPEC_REFERENCE');
      ok = false;
    } else if (!entry) ok = notDeclared(doc, pointer, name);
    else if (entry.server !== own.server) ok = otherServer(doc, pointer, entry, own);
    else if (!entry.desired) ok = hasErrors(doc, pointer, entry);
    else out.push(entry.desired);
  });
  return ok ? out.sort(byName) : null;
}

function notDeclared(doc: CheckedDoc, pointer: string, name: string): false {
  const detail =
    `destination '${name}' is not declared: ` + `add a Destination named '${name}' or fix the name`;
  doc.ctx.fail(pointer, detail, 'SPEC_REFERENCE');
  return false;
}

function hasErrors(doc: CheckedDoc, pointer: string, entry: DestinationEntry): false {
  const where = place(entry.doc.ctx.source);
  const detail = `destination '${entry.name}' has errors (${where}): fix them first`;
  doc.ctx.fail(pointer, detail, 'SPEC_REFERENCE');
  return false;
}

function otherServer(
  doc: CheckedDoc,
  pointer: string,
  entry: DestinationEntry,
  own: DestinationEntry,
): false {
  const detail =
    `destination '${entry.name}' is on server '${entry.server}', but '${doc.name}' runs on ` +
    `'${own.server}' (destination '${own.name}'): ` +
    'a container joins networks of its own server only';
  doc.ctx.fail(pointer, detail, 'SPEC_REFERENCE');
  return false;
}
