/**
 * Planning of destination networks: create, recreate on changed settings, move to a new name,
 * remove when the destination is gone. Pure.
 */
import { isOwned, LABEL } from '../labels';
import {
  DesiredContainer,
  DesiredDestination,
  NetworkSettings,
  ObservedContainer,
  ObservedNetwork,
  ObservedState,
} from '../model';
import { sortedEntries } from '../sorted';
import { Action, Problem, Reattach } from './types';

export interface NetworkPlan {
  actions: Action[];
  problems: Problem[];
  /** Destinations whose resources must wait (the network cannot be made or moved). */
  blocked: Map<string, string>;
  /** Destinations whose network is replaced: attachments are rebuilt by that action. */
  replaced: Set<string>;
}

/** Plans every destination of this server against the observed networks. */
export function planNetworks(
  destinations: DesiredDestination[],
  containers: DesiredContainer[],
  observed: ObservedState,
  server: string,
): NetworkPlan {
  const out: NetworkPlan = {
    actions: [],
    problems: [],
    blocked: new Map(),
    replaced: new Set(),
  };
  const owned = observed.networks.filter((n) => isDestinationNetwork(n, server));
  for (const dest of destinations) {
    planDestination(dest, owned, containers, observed, server, out);
  }
  return out;
}

function planDestination(
  dest: DesiredDestination,
  owned: ObservedNetwork[],
  containers: DesiredContainer[],
  observed: ObservedState,
  server: string,
  out: NetworkPlan,
): void {
  const subject = { resource: dest.name, kind: 'Destination' as const };
  const named = observed.networks.filter((n) => n.name === dest.network);
  const foreign = named.find((n) => !isOwned(n.labels, server));
  if (foreign) {
    const why =
      `network '${dest.network}' exists but is not berth's for server '${server}' ` +
      `(labels: ${describeLabels(foreign.labels)}); rename it, or set spec.network to another ` +
      'name';
    out.problems.push({ level: 'error', code: 'NAME_CLASH', ...subject, message: why });
    out.blocked.set(dest.name, `destination ${dest.name}: ${why}`);
    return;
  }
  const mine = owned.filter((n) => n.labels[LABEL.destination] === dest.name);
  const current = mine.find((n) => n.name === dest.network);
  const old = mine.filter((n) => n.name !== dest.network);
  if (!current && old.length === 0) {
    out.actions.push({
      type: 'network-create',
      ...subject,
      network: dest.network,
      settings: dest.settings,
      destination: dest.name,
      reason: 'new destination',
    });
    return;
  }
  if (current) planSettings(dest, current, containers, observed, out);
  for (const from of old) planMove(dest, from, !!current, containers, observed, out);
}

function planSettings(
  dest: DesiredDestination,
  current: ObservedNetwork,
  containers: DesiredContainer[],
  observed: ObservedState,
  out: NetworkPlan,
): void {
  const changed = settingsChanges(dest.settings, current.settings);
  if (changed.length === 0) return;
  const subject = { resource: dest.name, kind: 'Destination' as const };
  const strangers = foreignOn(current.id, observed);
  if (strangers) {
    out.problems.push({
      level: 'warning',
      code: 'NETWORK_FOREIGN',
      ...subject,
      message:
        `network '${current.name}' not recreated (${changed.join(', ')}): foreign containers ` +
        `are attached: ${strangers}; detach them, then berth recreates it`,
    });
    return;
  }
  out.replaced.add(dest.name);
  out.actions.push({
    type: 'network-recreate',
    ...subject,
    networkId: current.id,
    network: current.name,
    settings: dest.settings,
    reattach: reattachList(current, dest.name, containers, observed, null),
    reason: changed.join(', '),
  });
}

function planMove(
  dest: DesiredDestination,
  from: ObservedNetwork,
  targetExists: boolean,
  containers: DesiredContainer[],
  observed: ObservedState,
  out: NetworkPlan,
): void {
  const subject = { resource: dest.name, kind: 'Destination' as const };
  const strangers = foreignOn(from.id, observed);
  if (strangers) {
    const why =
      `network of destination ${dest.name} not moved from '${from.name}' to ` +
      `'${dest.network}': foreign containers are attached: ${strangers}; detach them first`;
    out.problems.push({ level: 'warning', code: 'NETWORK_FOREIGN', ...subject, message: why });
    if (!targetExists) out.blocked.set(dest.name, why);
    return;
  }
  out.replaced.add(dest.name);
  out.actions.push({
    type: 'network-move',
    ...subject,
    fromId: from.id,
    from: from.name,
    network: dest.network,
    settings: dest.settings,
    reattach: reattachList(from, dest.name, containers, observed, dest.network),
    reason: `network renamed ${from.name} → ${dest.network}`,
  });
}

/** Plans removal of berth networks whose destination is no longer declared. */
export function planNetworkRemovals(
  destinations: DesiredDestination[],
  refs: Record<string, string[]>,
  observed: ObservedState,
  server: string,
  /** Whether this pass takes the container off the network (removal, recreate, disconnect). */
  leaves: (containerId: string, network: string) => boolean,
): { problems: Problem[]; removals: Action[] } {
  const out = { problems: [] as Problem[], removals: [] as Action[] };
  const declared = new Set(destinations.map((d) => d.name));
  const orphans = observed.networks
    .filter((n) => isDestinationNetwork(n, server))
    .filter((n) => !declared.has(n.labels[LABEL.destination] ?? ''))
    .sort((a, b) => a.name.localeCompare(b.name));
  for (const net of orphans) {
    const destination = net.labels[LABEL.destination] ?? net.name;
    const subject = { resource: destination, kind: 'Destination' as const };
    const kept = whyKept(net, destination, refs, observed, server, leaves);
    if (kept) {
      const message = `network '${net.name}' of removed destination ${destination} kept: ${kept.why}`;
      out.problems.push({ level: kept.level, code: kept.code, ...subject, message });
      continue;
    }
    const reason = 'destination no longer declared';
    out.removals.push({
      type: 'network-remove',
      ...subject,
      networkId: net.id,
      network: net.name,
      reason,
    });
  }
  return out;
}

/** Why the network of a removed destination must stay this pass, or null when it can go. */
function whyKept(
  net: ObservedNetwork,
  destination: string,
  refs: Record<string, string[]>,
  observed: ObservedState,
  server: string,
  leaves: (containerId: string, network: string) => boolean,
): (Pick<Problem, 'level' | 'code'> & { why: string }) | null {
  const namedBy = refs[destination] ?? [];
  if (namedBy.length > 0) {
    const why = `resource specs still name it: ${namedBy.join(', ')}; change their destination first`;
    return { level: 'error', code: 'SPEC_REFERENCE', why };
  }
  const strangers = foreignOn(net.id, observed);
  if (strangers) {
    const why = `containers are attached: ${strangers}; detach them, then berth removes it`;
    return { level: 'warning', code: 'NETWORK_FOREIGN', why };
  }
  // berth's own containers that stay (suspended, or waiting on a problem) keep it too.
  const staying = attachedOwned(net.id, observed, server).filter((c) => !leaves(c.id, net.name));
  if (staying.length > 0) {
    const names = staying.map((c) => c.name).join(', ');
    return {
      level: 'warning',
      code: 'NETWORK_IN_USE',
      why: `berth containers still on it: ${names}; it goes once they leave`,
    };
  }
  return null;
}

/** A berth network of this server that is a destination's (not a stack's). */
export function isDestinationNetwork(n: ObservedNetwork, server: string): boolean {
  return isOwned(n.labels, server) && n.labels[LABEL.kind] === 'Destination';
}

/** What differs between desired and observed settings, as readable phrases. */
export function settingsChanges(want: NetworkSettings, have: NetworkSettings): string[] {
  const out: string[] = [];
  if (want.driver !== have.driver) out.push(`driver ${have.driver} → ${want.driver}`);
  if (want.internal !== have.internal) out.push(`internal ${have.internal} → ${want.internal}`);
  if (want.ipam) {
    const h = have.ipam;
    const same =
      h !== null &&
      h.subnet === want.ipam.subnet &&
      (want.ipam.gateway === null || h.gateway === want.ipam.gateway) &&
      (want.ipam.ipRange === null || h.ipRange === want.ipam.ipRange);
    if (!same) out.push(`ipam ${describeIpam(h)} → ${describeIpam(want.ipam)}`);
  }
  if (JSON.stringify(sortedEntries(want.options)) !== JSON.stringify(sortedEntries(have.options))) {
    out.push('driver options changed');
  }
  return out;
}

function describeIpam(ipam: NetworkSettings['ipam']): string {
  if (!ipam) return 'automatic';
  return [ipam.subnet, ipam.gateway, ipam.ipRange].filter(Boolean).join(' ');
}

function describeLabels(labels: Record<string, string>): string {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return 'none';
  return keys.map((k) => `${k}=${labels[k]}`).join(', ');
}

function attachedTo(networkId: string, observed: ObservedState): ObservedContainer[] {
  return observed.containers.filter((c) =>
    Object.values(c.networks).some((e) => e.networkId === networkId),
  );
}

function attachedOwned(networkId: string, observed: ObservedState, server: string) {
  return attachedTo(networkId, observed).filter((c) => isOwned(c.labels, server));
}

/** Names of containers on the network that are not berth's, or '' when there are none. */
function foreignOn(networkId: string, observed: ObservedState): string {
  const server = observed.networks.find((n) => n.id === networkId)?.labels[LABEL.server] ?? '';
  return attachedTo(networkId, observed)
    .filter((c) => !isOwned(c.labels, server))
    .map((c) => c.name)
    .sort()
    .join(', ');
}

/**
 * The berth containers on a network, with the aliases their specs now ask for there. `target`
 * names the network they move to, if any: a container already on it (an interrupted move
 * joined it) only has to leave the old one.
 */
function reattachList(
  net: ObservedNetwork,
  destination: string,
  containers: DesiredContainer[],
  observed: ObservedState,
  target: string | null,
): Reattach[] {
  const server = net.labels[LABEL.server];
  return attachedOwned(net.id, observed, server)
    .map((c) => {
      const spec = containers.find((d) => d.name === c.name);
      const att = spec?.attachments.find((a) => a.destination === destination);
      const joined = target !== null && target in c.networks;
      return { containerId: c.id, container: c.name, aliases: att?.aliases ?? [], joined };
    })
    .sort((a, b) => a.container.localeCompare(b.container));
}
