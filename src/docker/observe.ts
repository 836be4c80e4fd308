/**
 * Observe: the engine as one batch of list calls (containers, networks, volumes, images), never
 * one inspect per unchanged container. Endpoint aliases, which the container list does not
 * show, come from an AliasCache keyed by EndpointID.
 */
import Docker from 'dockerode';
import { isOwned } from '../labels';
import {
  ContainerHealth,
  NetworkSettings,
  ObservedContainer,
  ObservedEndpoint,
  ObservedNetwork,
  ObservedState,
} from '../model';

/**
 * The key of an endpoint in the AliasCache: its EndpointID, which changes on reconnect and
 * restart. A container that is not running has an empty EndpointID on every network, so its
 * endpoints are told apart by container and network instead (one key for all of them made the
 * aliases of one network stand for another's, and the agent re-set them every pass).
 */
export function endpointKey(containerId: string, networkId: string, endpointId: string): string {
  return endpointId || `${containerId}/${networkId}`;
}

/**
 * What berth knows of each endpoint's aliases, by endpointKey. A stale entry is simply never
 * asked for again; `retain` drops them.
 */
export class AliasCache {
  private readonly byEndpoint = new Map<string, string[]>();

  get(endpointId: string): string[] | undefined {
    return this.byEndpoint.get(endpointId);
  }

  set(endpointId: string, aliases: string[]): void {
    this.byEndpoint.set(endpointId, [...aliases].sort());
  }

  /** Forgets every endpoint not in `live`. */
  retain(live: Set<string>): void {
    for (const id of this.byEndpoint.keys()) if (!live.has(id)) this.byEndpoint.delete(id);
  }
}

/** Lists the engine's state in four calls and attaches the cached aliases. */
export async function observe(docker: Docker, aliases: AliasCache): Promise<ObservedState> {
  const [containers, networks, volumes, images] = await Promise.all([
    docker.listContainers({ all: true }),
    docker.listNetworks(),
    docker.listVolumes(),
    docker.listImages(),
  ]);
  const state: ObservedState = {
    containers: containers.map(toContainer),
    networks: networks.map(toNetwork),
    volumes: (volumes.Volumes ?? []).map((v) => ({ name: v.Name, labels: v.Labels ?? {} })),
    images: imageIndex(images),
  };
  const live = new Set<string>();
  for (const c of state.containers) {
    for (const ep of Object.values(c.networks)) {
      const key = endpointKey(c.id, ep.networkId, ep.endpointId);
      live.add(key);
      ep.aliases = aliases.get(key) ?? null;
    }
  }
  aliases.retain(live);
  return state;
}

/**
 * Fills the cache for berth's endpoints it does not know yet: one inspect per such container.
 * A long-running process pays this once per endpoint; a one-shot apply once per container.
 */
export async function learnAliases(
  docker: Docker,
  state: ObservedState,
  aliases: AliasCache,
  server: string,
): Promise<void> {
  const unknown = state.containers.filter(
    (c) => isOwned(c.labels, server) && Object.values(c.networks).some((e) => e.aliases === null),
  );
  await Promise.all(
    unknown.map(async (c) => {
      const info = await docker.getContainer(c.id).inspect();
      for (const [name, ep] of Object.entries(info.NetworkSettings.Networks ?? {})) {
        const known = (ep.Aliases ?? []).filter((a: string) => a !== c.id.slice(0, 12));
        aliases.set(endpointKey(c.id, ep.NetworkID, ep.EndpointID), known);
        const seen = c.networks[name];
        if (seen && seen.endpointId === ep.EndpointID) seen.aliases = [...known].sort();
      }
    }),
  );
}

type ContainerInfo = Docker.ContainerInfo;

function toContainer(c: ContainerInfo): ObservedContainer {
  const networks: Record<string, ObservedEndpoint> = {};
  for (const [name, n] of Object.entries(c.NetworkSettings?.Networks ?? {})) {
    networks[name] = { networkId: n.NetworkID, endpointId: n.EndpointID, aliases: null };
  }
  return {
    id: c.Id,
    name: (c.Names[0] ?? '').replace(/^\//, ''),
    labels: c.Labels ?? {},
    state: c.State,
    exitCode: exitCodeOf(c.Status),
    health: healthOf(c.Status),
    created: c.Created,
    imageId: c.ImageID,
    image: c.Image,
    command: c.Command ?? null,
    networks,
    mounts: (c.Mounts ?? []).map((m) => ({
      type: m.Type,
      name: m.Name ?? '',
      source: m.Source,
      target: m.Destination,
    })),
  };
}

/** "Exited (137) 5 minutes ago" → 137. */
export function exitCodeOf(status: string): number | null {
  const m = /^Exited \((-?\d+)\)/.exec(status);
  return m ? Number(m[1]) : null;
}

/** "Up 3 minutes (healthy)", "(unhealthy)", "(health: starting)" → the verdict, else null. */
export function healthOf(status: string): ContainerHealth {
  const m = /\((healthy|unhealthy|health: starting)\)/.exec(status);
  if (!m) return null;
  return m[1] === 'health: starting' ? 'starting' : (m[1] as 'healthy' | 'unhealthy');
}

function toNetwork(n: Docker.NetworkInspectInfo): ObservedNetwork {
  const config = n.IPAM?.Config?.[0];
  const settings: NetworkSettings = {
    driver: n.Driver,
    internal: !!n.Internal,
    ipam: config?.Subnet
      ? { subnet: config.Subnet, gateway: config.Gateway ?? null, ipRange: config.IPRange ?? null }
      : null,
    options: n.Options ?? {},
  };
  return { id: n.Id, name: n.Name, labels: n.Labels ?? {}, settings };
}

function imageIndex(images: Docker.ImageInfo[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const img of images) {
    for (const tag of img.RepoTags ?? []) if (tag !== '<none>:<none>') out[tag] = img.Id;
    for (const digest of img.RepoDigests ?? []) out[digest] = img.Id;
  }
  return out;
}
