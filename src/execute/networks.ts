/**
 * Network and endpoint steps: create, recreate and move destination networks, remove them, and
 * connect, re-alias or disconnect a container's endpoints without recreating the container.
 */
import { dockerMessage } from '../docker/client';
import { LABEL, ownerLabels } from '../labels';
import { NetworkSettings } from '../model';
import { Reattach } from '../plan/types';
import { ExecContext, networkRef, recordAliases } from './context';

/** Whose network it is: a destination's own, or a stack's (on the stack's destination). */
export interface NetworkOwner {
  kind: 'Destination' | 'Stack';
  resource: string;
  destination: string;
}

/** Creates a network with berth's labels for its owner and remembers its ID. */
export async function createNetwork(
  ctx: ExecContext,
  owner: NetworkOwner,
  name: string,
  s: NetworkSettings,
): Promise<string> {
  const net = await ctx.docker.createNetwork({
    Name: name,
    CheckDuplicate: true,
    Driver: s.driver,
    Internal: s.internal,
    Options: s.options,
    Labels: {
      ...ownerLabels(ctx.server, owner.kind, owner.resource),
      [LABEL.destination]: owner.destination,
    },
    IPAM: s.ipam
      ? {
          Driver: 'default',
          Config: [
            {
              Subnet: s.ipam.subnet,
              ...(s.ipam.gateway ? { Gateway: s.ipam.gateway } : {}),
              ...(s.ipam.ipRange ? { IPRange: s.ipam.ipRange } : {}),
            },
          ],
        }
      : undefined,
  });
  ctx.networkIds.set(name, net.id);
  return net.id;
}

function destinationOwner(destination: string): NetworkOwner {
  return { kind: 'Destination', resource: destination, destination };
}

/** Joins a container to a network with aliases and records the new endpoint's aliases. */
export async function connect(ctx: ExecContext, network: string, id: string, aliases: string[]) {
  await ctx.docker
    .getNetwork(networkRef(ctx, network))
    .connect({ Container: id, EndpointConfig: { Aliases: aliases } });
  await recordAliases(ctx, id);
}

/** Leaves a network; the container keeps running. */
export async function disconnect(ctx: ExecContext, network: string, id: string): Promise<void> {
  await ctx.docker.getNetwork(networkRef(ctx, network)).disconnect({ Container: id, Force: true });
}

/** Docker cannot change an endpoint's aliases: leave the network and join again with new ones. */
export async function realias(ctx: ExecContext, network: string, id: string, aliases: string[]) {
  await disconnect(ctx, network, id);
  await connect(ctx, network, id, aliases);
}

/**
 * Replaces a network whose settings changed: berth's containers leave it, it is removed and
 * made again, and they join it again with their aliases. Their IDs do not change.
 */
export async function recreateNetwork(
  ctx: ExecContext,
  destination: string,
  oldId: string,
  name: string,
  settings: NetworkSettings,
  reattach: Reattach[],
): Promise<void> {
  for (const r of reattach) await disconnect(ctx, oldId, r.containerId);
  await removeWhenFree(ctx, oldId);
  ctx.networkIds.delete(name);
  await createNetwork(ctx, destinationOwner(destination), name, settings);
  for (const r of reattach) await connect(ctx, name, r.containerId, r.aliases);
}

/**
 * Moves berth's containers from the old network of a destination to its new one: each joins
 * the new network (unless an interrupted move already joined it) before it leaves the old.
 */
export async function moveNetwork(
  ctx: ExecContext,
  destination: string,
  fromId: string,
  name: string,
  settings: NetworkSettings,
  reattach: Reattach[],
): Promise<void> {
  if (!ctx.networkIds.has(name)) {
    await createNetwork(ctx, destinationOwner(destination), name, settings);
  }
  for (const r of reattach) {
    if (!r.joined) await connect(ctx, name, r.containerId, r.aliases);
    await disconnect(ctx, fromId, r.containerId);
  }
  await removeWhenFree(ctx, fromId);
}

/** Removes a network of a destination that is gone. */
export async function removeNetwork(ctx: ExecContext, id: string, name: string): Promise<void> {
  await removeWhenFree(ctx, id);
  ctx.networkIds.delete(name);
}

/**
 * Docker 20.10 may still count the endpoints of containers removed a moment ago ("has active
 * endpoints"): wait a little for it before giving up. A later pass tries again anyway.
 */
async function removeWhenFree(ctx: ExecContext, id: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await ctx.docker.getNetwork(id).remove();
      return;
    } catch (err) {
      const busy = /active endpoints/.test(dockerMessage(err));
      if (!busy || attempt >= 10) throw err;
      await new Promise((resolve) => setTimeout(resolve, 300 * attempt));
    }
  }
}
