/**
 * The planner: a pure function of desired and observed state. Same input, same plan, in the
 * order the executor runs it: networks, volumes, containers per resource, removals.
 */
import { isOwned, LABEL } from '../labels';
import { DesiredState, ObservedContainer, ObservedState } from '../model';
import { orphanContainers, planContainers } from './containers';
import { isDestinationNetwork, planNetworkRemovals, planNetworks } from './networks';
import { subjectOf } from './stack-containers';
import { planStackNetworkRemovals, planStackNetworks } from './stack-networks';
import { Action, Plan, PlanOptions, Problem } from './types';

export const DEFAULT_PRUNE_GUARD = Object.freeze({ maxShare: 0.5, minCount: 3 });

/** Plans one pass. Never calls Docker. */
export function plan(desired: DesiredState, observed: ObservedState, opts: PlanOptions): Plan {
  const { server } = opts;
  const nets = planNetworks(desired.destinations, desired.containers, observed, server);
  const stackNets = planStackNetworks(desired.stackNetworks ?? [], observed, server);
  const held = new Set(opts.held ?? []);
  const containers = planContainers(
    desired.containers.filter((c) => !held.has(c.resource)),
    {
      server,
      observed,
      blocked: nets.blocked,
      replaced: nets.replaced,
      destinationOf: networkDestinations(desired, observed, server),
      revive: new Set(opts.revive ?? []),
      blockedNetworks: stackNets.blocked,
      stackOf: stackNetworkOwners(desired, observed, server),
    },
  );
  for (const c of desired.containers.filter((d) => held.has(d.resource))) {
    containers.standings.push({ ...subjectOf(c), note: 'Held' });
  }
  const problems: Problem[] = [...nets.problems, ...stackNets.problems, ...containers.problems];
  // Held resources stay declared (desired.containers): they are never removed.
  const removals = planRemovals(desired, observed, opts, problems, leavers(containers.steps));
  // Rule 4 stops the whole pass: a person must look before anything changes.
  if (problems.some((p) => p.code === 'MASS_PRUNE')) {
    return { actions: [], problems, standings: containers.standings };
  }
  const actions: Action[] = [
    ...nets.actions,
    ...stackNets.actions,
    ...containers.volumes,
    ...containers.steps.flat(),
    ...removals,
  ];
  return { actions, problems, standings: containers.standings };
}

/**
 * What this pass takes off networks: `<id>` for a container replaced (it leaves every network),
 * `<id>@<network>` for one disconnected from a network.
 */
function leavers(steps: Action[][]): Set<string> {
  const out = new Set<string>();
  for (const a of steps.flat()) {
    if (a.type === 'container-recreate' || a.type === 'next-discard') out.add(a.containerId);
    if (a.type === 'endpoint-disconnect') out.add(`${a.containerId}@${a.network}`);
  }
  return out;
}

/** Docker network name → destination, for berth's networks as observed and as desired. */
function networkDestinations(
  desired: DesiredState,
  observed: ObservedState,
  server: string,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const n of observed.networks) {
    if (isDestinationNetwork(n, server) && n.labels[LABEL.destination]) {
      out.set(n.name, n.labels[LABEL.destination]);
    }
  }
  for (const d of desired.destinations) out.set(d.network, d.name);
  return out;
}

/** Docker network name → stack, for berth's stack networks as observed and as desired. */
function stackNetworkOwners(desired: DesiredState, observed: ObservedState, server: string) {
  const out = new Map<string, string>();
  for (const n of observed.networks) {
    if (isOwned(n.labels, server) && n.labels[LABEL.kind] === 'Stack') {
      out.set(n.name, n.labels[LABEL.resource] ?? '');
    }
  }
  for (const n of desired.stackNetworks ?? []) out.set(n.name, n.stack);
  return out;
}

function planRemovals(
  desired: DesiredState,
  observed: ObservedState,
  opts: PlanOptions,
  problems: Problem[],
  leaving: Set<string>,
): Action[] {
  const orphans = orphanContainers(desired.containers, observed, opts.server);
  for (const c of orphans) leaving.add(c.id);
  const nets = planNetworkRemovals(
    desired.destinations,
    desired.destinationRefs,
    observed,
    opts.server,
    (id, network) => leaving.has(id) || leaving.has(`${id}@${network}`),
  );
  const stackNets = planStackNetworkRemovals(
    desired.stackNetworks ?? [],
    observed,
    opts.server,
    (id, network) => leaving.has(id) || leaving.has(`${id}@${network}`),
  );
  problems.push(...nets.problems, ...stackNets.problems);
  const declared = new Set(desired.containers.map((c) => c.resource));
  const containerRemovals = orphans.map((c) => removal(c, declared));
  const all = [...containerRemovals, ...nets.removals, ...stackNets.removals];
  if (all.length === 0) return [];
  if (!desired.complete) {
    problems.push({
      level: 'warning',
      code: 'PRUNE_HELD',
      resource: opts.server,
      kind: 'Server',
      message:
        `${all.length} removal(s) held back while spec files are invalid: ` +
        all.map((a) => describeTarget(a)).join(', '),
    });
    return [];
  }
  const guard = massPrune(observed, opts, containerRemovals.map(describeTarget));
  if (guard) {
    problems.push(guard);
    return [];
  }
  return all;
}

function removal(c: ObservedContainer, declared: Set<string>): Action {
  const kind = c.labels[LABEL.kind];
  const resource = c.labels[LABEL.resource] ?? c.name;
  const ids = { containerId: c.id, container: c.name };
  if (kind !== 'Stack') {
    const k = kind === 'Database' ? 'Database' : 'Application';
    return { type: 'container-remove', resource, kind: k, ...ids, reason: NOT_DECLARED };
  }
  const reason = declared.has(resource)
    ? 'service no longer in the compose document; its named volumes are kept'
    : NOT_DECLARED;
  const service = c.labels[LABEL.service] ?? '';
  return { type: 'container-remove', resource, kind: 'Stack', service, ...ids, reason };
}

const NOT_DECLARED = 'resource no longer declared; its named volumes are kept';

/** Safety rule 4: too large a share of berth's containers would go at once. */
function massPrune(observed: ObservedState, opts: PlanOptions, going: string[]): Problem | null {
  if (opts.allowMassPrune) return null;
  const total = observed.containers.filter((c) => isOwned(c.labels, opts.server)).length;
  const { maxShare, minCount } = opts.pruneGuard;
  const removing = going.length;
  if (removing <= minCount || removing <= maxShare * total) return null;
  return {
    level: 'error',
    code: 'MASS_PRUNE',
    resource: opts.server,
    kind: 'Server',
    message:
      `refusing to remove ${removing} of ${total} berth containers on server ` +
      `'${opts.server}' (more than ${Math.round(maxShare * 100)}%): ${going.join(', ')}; ` +
      `if the specs are right, ${opts.massPruneOverride ?? 'run again with --allow-mass-prune'}`,
  };
}

function describeTarget(a: Action): string {
  return 'container' in a ? a.container : 'network' in a ? `network ${a.network}` : a.resource;
}
