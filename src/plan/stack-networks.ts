/**
 * Planning of stack networks (`<stack>_default`, `<stack>_<net>`): create the missing ones,
 * remove the ones no stack declares any more once nothing stays on them. Pure.
 */
import { isOwned, LABEL } from '../labels';
import { DesiredStackNetwork, ObservedNetwork, ObservedState } from '../model';
import { settingsChanges } from './networks';
import { Action, Problem } from './types';

export interface StackNetworkPlan {
  actions: Action[];
  problems: Problem[];
  /** Network name → why the containers that join it must wait. */
  blocked: Map<string, string>;
}

/** Plans the networks every stack of this server declares. */
export function planStackNetworks(
  wanted: DesiredStackNetwork[],
  observed: ObservedState,
  server: string,
): StackNetworkPlan {
  const out: StackNetworkPlan = { actions: [], problems: [], blocked: new Map() };
  for (const net of wanted) {
    const subject = { resource: net.stack, kind: 'Stack' as const };
    const seen = observed.networks.find((n) => n.name === net.name);
    if (!seen) {
      const reason = 'stack network missing';
      const { name: network, settings, destination } = net;
      out.actions.push({
        type: 'network-create',
        ...subject,
        network,
        settings,
        destination,
        reason,
      });
      continue;
    }
    if (!ownedBy(seen, net.stack, server)) {
      const why =
        `network '${net.name}' exists but is not berth's network of stack ${net.stack} for ` +
        `server '${server}' (labels: ${berthLabels(seen)}); remove or rename it, or rename ` +
        'the stack';
      out.problems.push({ level: 'error', code: 'NAME_CLASH', ...subject, message: why });
      out.blocked.set(net.name, why);
      continue;
    }
    const changed = settingsChanges(net.settings, seen.settings);
    if (changed.length > 0) {
      // TODO(stack): recreate a stack network whose settings changed, reattaching its containers.
      const message =
        `network '${net.name}' has other settings than the compose file asks for ` +
        `(${changed.join(', ')}); berth does not recreate stack networks yet: remove the ` +
        'stack spec, apply, and add it again';
      out.problems.push({ level: 'warning', code: 'NETWORK_IN_USE', ...subject, message });
    }
  }
  return out;
}

function ownedBy(n: ObservedNetwork, stack: string, server: string): boolean {
  return (
    isOwned(n.labels, server) &&
    n.labels[LABEL.kind] === 'Stack' &&
    n.labels[LABEL.resource] === stack
  );
}

function berthLabels(n: ObservedNetwork): string {
  const keys = Object.keys(n.labels)
    .filter((k) => k.startsWith('berth.'))
    .sort();
  return keys.length === 0 ? 'no berth labels' : keys.map((k) => `${k}=${n.labels[k]}`).join(', ');
}

/**
 * Removals of berth's stack networks that no stack declares any more: only once every container
 * on one leaves it in this pass, and never while a foreign container is attached.
 */
export function planStackNetworkRemovals(
  wanted: DesiredStackNetwork[],
  observed: ObservedState,
  server: string,
  leaves: (containerId: string, network: string) => boolean,
): { problems: Problem[]; removals: Action[] } {
  const out = { problems: [] as Problem[], removals: [] as Action[] };
  const declared = new Set(wanted.map((n) => n.name));
  const gone = observed.networks
    .filter((n) => isOwned(n.labels, server) && n.labels[LABEL.kind] === 'Stack')
    .filter((n) => !declared.has(n.name))
    .sort((a, b) => a.name.localeCompare(b.name));
  for (const net of gone) {
    const subject = { resource: net.labels[LABEL.resource] ?? net.name, kind: 'Stack' as const };
    const staying = observed.containers.filter(
      (c) =>
        Object.values(c.networks).some((e) => e.networkId === net.id) && !leaves(c.id, net.name),
    );
    if (staying.length === 0) {
      const reason = 'no longer declared by its stack';
      out.removals.push({
        type: 'network-remove',
        ...subject,
        networkId: net.id,
        network: net.name,
        reason,
      });
      continue;
    }
    const foreign = staying.filter((c) => !isOwned(c.labels, server));
    const names = staying
      .map((c) => c.name)
      .sort()
      .join(', ');
    out.problems.push({
      level: 'warning',
      code: foreign.length > 0 ? 'NETWORK_FOREIGN' : 'NETWORK_IN_USE',
      ...subject,
      message:
        `stack network '${net.name}' kept: containers still on it: ${names}; ` +
        'it goes once they leave',
    });
  }
  return out;
}
