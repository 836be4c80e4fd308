/**
 * Drift: what changed in Docker behind berth's back since its last pass. The agent compares the
 * actions of a pass with the state it saw when the previous pass ended; an action that puts back
 * what was there then is a drift correction. Actions that follow a spec change, or finish what a
 * failed pass left undone, are not drift: the object was not there when the last pass ended.
 */
import { isOwned } from '../labels';
import { ObservedState } from '../model';
import { Action, SubjectKind } from '../plan/types';
import { DriftReason } from './metrics';

export interface Drift {
  kind: SubjectKind;
  resource: string;
  reason: DriftReason;
}

/** The drift that `actions` correct, judged against `before` (the state after the last pass). */
export function driftOf(actions: Action[], before: ObservedState | null, server: string): Drift[] {
  if (before === null) return [];
  const containers = before.containers.filter((c) => isOwned(c.labels, server));
  const byName = new Map(containers.map((c) => [c.name, c]));
  const byId = new Map(containers.map((c) => [c.id, c]));
  const networks = new Set(
    before.networks.filter((n) => isOwned(n.labels, server)).map((n) => n.name),
  );

  const out: Drift[] = [];
  const add = (a: Action, reason: DriftReason) =>
    out.push({ kind: a.kind, resource: a.resource, reason });
  for (const a of actions) {
    if (a.type === 'container-create' && byName.has(a.spec.name)) add(a, 'container-missing');
    if (a.type === 'container-start' && byId.get(a.containerId)?.state === 'running') {
      add(a, 'container-stopped');
    }
    if (a.type === 'endpoint-connect' && byId.get(a.containerId)?.networks[a.network]) {
      add(a, 'network-detached');
    }
    if (a.type === 'network-create' && networks.has(a.network)) add(a, 'network-missing');
  }
  return out;
}
