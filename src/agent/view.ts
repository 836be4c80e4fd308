/**
 * What `/status` and `berth status` show: the server, the engine link, the last pass, the spec
 * errors, every destination with its network and attached containers, and every resource with
 * its status, health, reason, spec hash and last change. Built from plain data, no Docker calls.
 */
import { isOwned } from '../labels';
import { specHash } from '../hash';
import { ContainerHealth, DesiredContainer, DesiredState, ObservedState } from '../model';
import { ResourceView } from './status';

export interface DestinationView {
  name: string;
  network: string;
  /** null while the network does not exist. */
  networkId: string | null;
  /** The server's address on the network (its gateway), as the containers there reach it. */
  address: string | null;
  /** Names of every container attached, berth's and others', sorted. */
  containers: string[];
}

export interface ResourceStatusView extends Omit<ResourceView, 'containers'> {
  /** The worst health of its containers: unhealthy, starting, healthy; null without checks. */
  health: ContainerHealth;
  /** `berth.spec-hash` of the spec in force (one per container, joined by commas). */
  specHash: string;
  /** ISO time of its last change: berth's last action on it, else its container's creation. */
  lastChange: string | null;
  /** The env keys of its spec, sorted; values never leave the agent (safety rule 7). */
  envKeys: string[];
  containers: ResourceView['containers'];
}

export interface SpecErrorView {
  file: string;
  line: number;
  field: string;
  code: string;
  message: string;
}

/** A problem of the last pass's plan (contract: every problem names its resource and code). */
export interface ProblemView {
  level: 'error' | 'warning';
  code: string;
  kind: string;
  resource: string;
  message: string;
}

export interface PassView {
  id: number;
  trigger: string;
  startedAt: string;
  durationMs: number;
  result: 'changed' | 'unchanged' | 'error';
  error: string | null;
}

export interface StatusDocument {
  server: string;
  ready: boolean;
  docker: { up: boolean; reason: string | null };
  lastPass: PassView | null;
  lastSuccess: string | null;
  specErrors: SpecErrorView[];
  problems: ProblemView[];
  destinations: DestinationView[];
  resources: ResourceStatusView[];
}

/** Each declared destination with what the engine shows of its network. */
export function destinationViews(
  desired: DesiredState,
  observed: ObservedState,
  server: string,
): DestinationView[] {
  return [...desired.destinations]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((d) => {
      const net = observed.networks.find((n) => n.name === d.network && isOwned(n.labels, server));
      const containers = net
        ? observed.containers.filter((c) => c.networks[d.network]?.networkId === net.id)
        : [];
      return {
        name: d.name,
        network: d.network,
        networkId: net?.id ?? null,
        address: net?.settings.ipam?.gateway ?? null,
        containers: containers.map((c) => c.name).sort(),
      };
    });
}

const HEALTH_ORDER: ContainerHealth[] = ['unhealthy', 'starting', 'healthy'];

/** Adds health, spec hash and last change to each resource's status. */
export function resourceStatusViews(
  views: ResourceView[],
  desired: DesiredState,
  observed: ObservedState,
  lastChange: ReadonlyMap<string, number>,
): ResourceStatusView[] {
  // Looked up by key, not searched per resource: a pass publishes thousands of resources.
  const specsOf = new Map<string, DesiredContainer[]>();
  for (const c of desired.containers) {
    const mine = specsOf.get(c.resource);
    if (mine) mine.push(c);
    else specsOf.set(c.resource, [c]);
  }
  const byId = new Map(observed.containers.map((c) => [c.id, c]));
  return views.map((v) => {
    const specs = specsOf.get(v.resource) ?? [];
    const healths = v.containers.map((c) => c.health);
    const health = HEALTH_ORDER.find((h) => healths.includes(h)) ?? null;
    const created = v.containers.flatMap((vc) => {
      const c = vc.id === null ? undefined : byId.get(vc.id);
      return c ? [(c.created ?? 0) * 1000] : [];
    });
    const changed = lastChange.get(v.resource) ?? Math.max(0, ...created);
    return {
      ...v,
      health,
      specHash: specs.map((s) => specHash(s.config)).join(','),
      lastChange: changed > 0 ? new Date(changed).toISOString() : null,
      envKeys: [...new Set(specs.flatMap((s) => Object.keys(s.config.env)))].sort(),
    };
  });
}
