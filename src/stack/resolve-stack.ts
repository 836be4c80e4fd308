/**
 * A Stack document with its checked compose document → the desired containers
 * (`<stack>-<service>`, in start order) and stack networks of one server. The Docker names it
 * derives are claimed like every other resource's; every problem found in the compose document
 * is moved to the Stack document at the end, naming the stack and, where there is one, the
 * service.
 */
import { parseDuration } from '../duration';
import { stackContainerName } from '../labels';
import type { DesiredContainer, DesiredStackNetwork } from '../model';
import type { CheckedDoc } from '../spec/document';
import type { DockerNames } from '../spec/names';
import { childPointer } from '../spec/pointer';
import type { ComposeDoc, StackSpec } from './compose-types';
import { composeNetworks, NetworkTargets, serviceAttachments, StackPlace } from './networks';
import { dependenciesOf, startOrder } from './order';
import { normalizeService } from './service';
import type { StackSource } from './source';
import { withStack } from './source';

/** Two minutes: long enough for a database's first start, short enough to notice a hang. */
export const DEFAULT_HEALTH_TIMEOUT = '2m';

export interface ResolvedStack {
  containers: DesiredContainer[];
  networks: DesiredStackNetwork[];
  /** Destinations the stack joins through external networks. */
  joins: string[];
}

/** Resolves one valid Stack document whose compose document passed its checks. */
export function resolveStack(
  doc: CheckedDoc,
  source: StackSource,
  place: StackPlace,
  names: DockerNames,
): ResolvedStack | null {
  const compose = source.doc as ComposeDoc;
  const { ctx } = source;
  const resolved = ctx.failed ? null : build(doc, compose, source, place, names);
  moveErrors(doc, source);
  return doc.ctx.failed ? null : resolved;
}

function build(
  doc: CheckedDoc,
  compose: ComposeDoc,
  source: StackSource,
  place: StackPlace,
  names: DockerNames,
): ResolvedStack | null {
  const spec = doc.value.spec as StackSpec;
  const { ctx } = source;
  const targets = composeNetworks(compose, place, ctx);
  const order = startOrder(compose.services, ctx);
  if (!order) return null;

  const connect = spec.connectToDestinationNetwork ? place.destination : null;
  const healthTimeoutMs = parseDuration(spec.healthTimeout ?? DEFAULT_HEALTH_TIMEOUT);
  const declaredVolumes = new Set(Object.keys(compose.volumes ?? {}));
  const owner = `Stack '${place.stack}'`;
  const containers = order.map((service, index): DesiredContainer => {
    const serviceSpec = compose.services[service];
    const parts = normalizeService({
      stack: place.stack,
      service,
      spec: serviceSpec,
      ctx,
      destination: place.destination.name,
      envFromFiles: source.envFiles[service] ?? {},
      declaredVolumes,
    });
    const name = stackContainerName(place.stack, service);
    const pointer = childPointer('/services', service);
    names.claim(place.server, 'container', name, { owner, ctx, pointer });
    return {
      kind: 'Stack',
      resource: place.stack,
      name,
      destination: place.destination.name,
      displayName: null,
      attachments: serviceAttachments(service, serviceSpec.networks, targets, connect, ctx),
      pullPolicy: parts.pullPolicy,
      suspend: spec.suspend ?? false,
      config: parts.config,
      volumes: parts.volumes,
      source: doc.ctx.source,
      service: {
        name: service,
        order: index,
        dependsOn: dependenciesOf(service, serviceSpec).map((d) => ({
          service: d.service,
          container: stackContainerName(place.stack, d.service),
          condition: d.condition,
        })),
        healthTimeoutMs,
        ...(source.ctx.file === doc.ctx.file ? {} : { composeFile: source.ctx.file }),
      },
    };
  });
  claimVolumes(containers, place, names, owner, doc);
  const networks = usedNetworks(containers, targets, place, names, owner, doc);
  const joins = containers.flatMap((c) => c.attachments.map((a) => a.destination));
  const others = joins.filter((d): d is string => d !== null && d !== place.destination.name);
  return { containers, networks, joins: [...new Set(others)].sort() };
}

function claimVolumes(
  containers: DesiredContainer[],
  place: StackPlace,
  names: DockerNames,
  owner: string,
  doc: CheckedDoc,
): void {
  const volumes = new Set(containers.flatMap((c) => c.volumes));
  for (const volume of [...volumes].sort()) {
    names.claim(place.server, 'volume', volume, { owner, ctx: doc.ctx, pointer: '/metadata/name' });
  }
}

/** The stack networks some service joins, claimed as Docker network names. */
function usedNetworks(
  containers: DesiredContainer[],
  targets: NetworkTargets,
  place: StackPlace,
  names: DockerNames,
  owner: string,
  doc: CheckedDoc,
): DesiredStackNetwork[] {
  const used = new Set(containers.flatMap((c) => c.attachments.map((a) => a.network)));
  const out: DesiredStackNetwork[] = [];
  for (const target of targets.values()) {
    if (!target?.settings || !used.has(target.network)) continue;
    const claimant = { owner, ctx: doc.ctx, pointer: '/metadata/name' };
    if (place.destinationNetworks.has(target.network)) {
      const other = place.destinationNetworks.get(target.network);
      const detail = `network name '${target.network}' is the network of destination '${other}'`;
      doc.ctx.fail(
        '/metadata/name',
        `stack '${place.stack}': ${detail}; rename the stack`,
        'SPEC_NAME',
      );
      continue;
    }
    names.claim(place.server, 'network', target.network, claimant);
    out.push({
      name: target.network,
      stack: place.stack,
      destination: place.destination.name,
      settings: target.settings,
    });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Moves the compose document's errors to the Stack document, naming stack and service. */
function moveErrors(doc: CheckedDoc, source: StackSource): void {
  for (const e of source.ctx.errors.splice(0)) {
    const service = serviceOf(e.location.path);
    const who = `stack '${doc.name}'` + (service === null ? '' : ` service '${service}'`);
    doc.ctx.errors.push(withStack(e, who));
  }
}

const SERVICE_PATH = /(?:^|\.)services(?:\.([A-Za-z_][A-Za-z0-9_-]*)|\[("(?:[^"\\]|\\.)*")\])/;

/** The service a field path is under (`services.web.ports[0]` → web), else null. */
export function serviceOf(path: string): string | null {
  const m = SERVICE_PATH.exec(path);
  if (!m) return null;
  return m[1] ?? (JSON.parse(m[2]) as string);
}
