/**
 * Facts a pass derives from its plan and specs, for the agent's bookkeeping between passes:
 * which containers and networks its own actions touch (so their events are not drift), what a
 * resource's backoff is tied to, and which resources come from a file that is invalid now.
 */
import { specHash } from '../hash';
import { nextName } from '../labels';
import { DesiredContainer, DesiredState, ObservedState } from '../model';
import { SpecError } from '../errors';
import { Action, Plan } from '../plan/types';
import { OwnWork } from './events';

/** The containers (names and IDs) and networks (IDs) that the plan's actions work on. */
export function ownWorkOf(p: Plan): OwnWork {
  return {
    containers: new Set(p.actions.flatMap(containersOf)),
    networks: new Set(p.actions.flatMap(networksOf)),
  };
}

/** Container names and IDs an action works on. */
function containersOf(a: Action): string[] {
  switch (a.type) {
    case 'container-create':
      return [a.spec.name, nextName(a.spec.name)];
    case 'container-recreate':
      return [a.containerId, a.spec.name, nextName(a.spec.name)];
    case 'network-recreate':
    case 'network-move':
      return a.reattach.flatMap((r) => [r.containerId, r.container]);
    case 'network-create':
    case 'network-remove':
    case 'volume-create':
    case 'container-wait': // only looks at the dependency
      return [];
    default:
      return [a.containerId, a.container];
  }
}

/** IDs of the networks an action replaces or removes. */
function networksOf(a: Action): string[] {
  if (a.type === 'network-recreate' || a.type === 'network-remove') return [a.networkId];
  if (a.type === 'network-move') return [a.fromId];
  return [];
}

/**
 * What a resource's backoff is tied to: its containers' spec hashes, network attachments,
 * pull policy and suspend flag. Any change ends the backoff.
 */
export function fingerprints(containers: DesiredContainer[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of containers) {
    const mine = JSON.stringify([specHash(c.config), c.attachments, c.pullPolicy, c.suspend]);
    out.set(c.resource, (out.get(c.resource) ?? '') + mine);
  }
  return out;
}

/**
 * Resource → the first error of its file (or of a stack's compose file), for the resources whose
 * file is invalid now.
 */
export function invalidResources(
  desired: DesiredState,
  errors: SpecError[],
  /** Resources that even their last good text no longer declares: left as they are. */
  missing: ReadonlySet<string> = new Set(),
): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of desired.containers) {
    const files = [c.source.file, c.service?.composeFile];
    const e = errors.find((x) => files.includes(x.location.file));
    const fate = missing.has(c.resource) ? 'left as it is' : 'its last good spec runs';
    if (e && !out.has(c.resource)) out.set(c.resource, `${e.message} (${fate})`);
  }
  return out;
}

/**
 * The engine as berth last knew it, for telling drift: `after`, plus the declared containers
 * and networks that a pass saw and that are gone now. A container removed by hand may vanish
 * while a pass looks (seen exiting, then gone): its repair a pass later is still drift.
 */
export function remembered(
  before: ObservedState | null,
  after: ObservedState,
  desired: DesiredState,
): ObservedState {
  if (before === null) return after;
  const names = new Set(after.containers.map((c) => c.name));
  const declared = new Set(desired.containers.map((c) => c.name));
  const gone = before.containers.filter((c) => !names.has(c.name) && declared.has(c.name));
  const nets = new Set(after.networks.map((n) => n.name));
  const networks = new Set([
    ...desired.destinations.map((d) => d.network),
    ...(desired.stackNetworks ?? []).map((n) => n.name),
  ]);
  const goneNets = before.networks.filter((n) => !nets.has(n.name) && networks.has(n.name));
  return {
    ...after,
    containers: [...after.containers, ...gone],
    networks: [...after.networks, ...goneNets],
  };
}
