/**
 * The networks of a stack. Each network the compose document declares becomes `<stack>_<net>`,
 * `default` included (made only when a service uses it). On those, a service answers to its
 * service name and its declared aliases. An `external` network must be the network of a
 * destination on this server; a service joins it as with connectToDestinationNetwork:
 * answering to `<stack>-<service>` only, so that two stacks' `db` never collide there.
 */
import { stackNetworkName } from '../labels';
import type { Attachment, DesiredStackNetwork } from '../model';
import type { DocContext } from '../spec/context';
import { sortedRecord } from '../spec/destination';
import { childPointer } from '../spec/pointer';
import type { ComposeDoc, ComposeNetwork, ServiceNetworks } from './compose-types';

/** What joining a compose network means: a stack network, or a destination's network. */
export interface NetworkTarget {
  network: string;
  /** null for the stack's own network. */
  destination: string | null;
  settings: DesiredStackNetwork['settings'] | null;
}

/** Where the stack lives: its name, destination, and the destinations it may join. */
export interface StackPlace {
  stack: string;
  destination: { name: string; network: string };
  /** Docker network name → destination name, for the destinations of the stack's server. */
  destinationNetworks: Map<string, string>;
  server: string;
}

/** Compose network key → what it is; null for a declared network that has errors. */
export type NetworkTargets = Map<string, NetworkTarget | null>;

/** The compose network keys (with `default`) and what each one is; errors go to ctx. */
export function composeNetworks(
  doc: ComposeDoc,
  place: StackPlace,
  ctx: DocContext,
): NetworkTargets {
  const declared: Record<string, ComposeNetwork | null> = { default: null, ...doc.networks };
  const out: NetworkTargets = new Map();
  for (const [key, net] of Object.entries(declared)) {
    const pointer = childPointer('/networks', key);
    const target = net?.external ? external(key, net, place, ctx, pointer) : own(key, net, place);
    if (net && !net.external && net.name !== undefined) {
      const detail =
        `name is taken only with external: true (a destination's network); berth names ` +
        `this network ${stackNetworkName(place.stack, key)}`;
      ctx.fail(childPointer(pointer, 'name'), detail);
    }
    out.set(key, target);
  }
  return out;
}

function own(key: string, net: ComposeNetwork | null, place: StackPlace): NetworkTarget {
  const settings = {
    driver: 'bridge',
    internal: net?.internal ?? false,
    ipam: null,
    options: sortedRecord(net?.driver_opts ?? {}),
  };
  return { network: stackNetworkName(place.stack, key), destination: null, settings };
}

function external(
  key: string,
  net: ComposeNetwork,
  place: StackPlace,
  ctx: DocContext,
  pointer: string,
): NetworkTarget | null {
  const network = net.name ?? key;
  const destination = place.destinationNetworks.get(network);
  if (destination === undefined) {
    const detail =
      `external network '${network}' is not the network of a destination on server ` +
      `'${place.server}': a stack joins only destinations' networks; declare a Destination ` +
      `with network: ${network}, or drop external to give the stack a network of its own`;
    ctx.fail(childPointer(pointer, 'external'), detail, 'SPEC_REFERENCE');
    return null;
  }
  const extra = ['driver', 'driver_opts', 'internal'].filter((k) => k in net);
  if (extra.length > 0) {
    const detail = `an external network is the destination's: remove ${extra.join(', ')}`;
    ctx.fail(childPointer(pointer, extra[0]), detail);
  }
  return { network, destination, settings: null };
}

/** The networks one service joins: its stack networks first (default first), then others. */
export function serviceAttachments(
  service: string,
  networks: ServiceNetworks | undefined,
  targets: NetworkTargets,
  connect: { name: string; network: string } | null,
  ctx: DocContext,
): Attachment[] {
  const pointer = childPointer(childPointer('/services', service), 'networks');
  const out: Attachment[] = [];
  for (const [key, aliases, at] of networkEntries(networks, pointer)) {
    const target = targets.get(key);
    if (target === undefined) notDeclared(key, at, ctx);
    if (!target) continue;
    if (target.destination !== null && aliases.length > 0) {
      const detail =
        `aliases on a destination's network are refused: there the service answers to ` +
        `its container name only, so that two stacks' services never collide`;
      ctx.fail(childPointer(at, 'aliases'), detail);
    }
    const names = target.destination === null ? [service, ...aliases] : [];
    out.push({ destination: target.destination, network: target.network, aliases: sorted(names) });
  }
  if (connect && !out.some((a) => a.network === connect.network)) {
    out.push({ destination: connect.name, network: connect.network, aliases: [] });
  }
  return out.sort(byStackFirst);
}

function networkEntries(networks: ServiceNetworks | undefined, pointer: string) {
  const out: [string, string[], string][] = [];
  if (networks === undefined) out.push(['default', [], pointer]);
  else if (Array.isArray(networks)) {
    networks.forEach((key, i) => out.push([key, [], childPointer(pointer, i)]));
  } else {
    for (const [key, value] of Object.entries(networks)) {
      out.push([key, value?.aliases ?? [], childPointer(pointer, key)]);
    }
  }
  return out;
}

function notDeclared(key: string, pointer: string, ctx: DocContext): void {
  const detail =
    `network '${key}' is not declared: add it under the top-level networks ` +
    `(networks: { ${key}: {} })`;
  ctx.fail(pointer, detail, 'SPEC_REFERENCE');
}

function sorted(names: string[]): string[] {
  return [...new Set(names)].sort();
}

function byStackFirst(a: Attachment, b: Attachment): number {
  const rank = (x: Attachment) => (x.destination === null ? 0 : 1);
  const isDefault = (x: Attachment) => (x.network.endsWith('_default') ? 0 : 1);
  return (
    rank(a) - rank(b) ||
    isDefault(a) - isDefault(b) ||
    (a.network < b.network ? -1 : a.network > b.network ? 1 : 0)
  );
}
