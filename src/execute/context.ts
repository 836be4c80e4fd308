/**
 * What every executor step shares: the Docker client, the server, the logger, the network IDs
 * known so far and the alias cache, which steps keep true as they change endpoints.
 */
import Docker from 'dockerode';
import type { Logger } from 'pino';
import { AliasCache, endpointKey } from '../docker/observe';

export interface ExecContext {
  docker: Docker;
  server: string;
  log: Logger;
  aliases: AliasCache;
  /** Docker network name → ID, for berth's networks; filled as networks are made. */
  networkIds: Map<string, string>;
  /** Image references present on the engine (repo:tag → ID). */
  images: Record<string, string>;
  /** Images pulled during this pass: `pullPolicy: Always` pulls once per pass. */
  pulled: Set<string>;
  /** True once the process was asked to stop: no new action starts, the one in flight ends. */
  stopping: () => boolean;
  /** How many resources are worked on at once. */
  parallelism: number;
}

/** Runs `work` over `items`, at most `limit` at a time, in item order as far as it can. */
export async function inPool<T>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++];
      await work(item);
    }
  });
  await Promise.all(lanes);
}

/** The network ID to address a berth network by, or its name when it is not known yet. */
export function networkRef(ctx: ExecContext, network: string): string {
  return ctx.networkIds.get(network) ?? network;
}

/** Reads a container's endpoints and records their aliases (without Docker's short-ID alias). */
export async function recordAliases(ctx: ExecContext, containerId: string): Promise<void> {
  const info = await ctx.docker.getContainer(containerId).inspect();
  for (const ep of Object.values(info.NetworkSettings.Networks ?? {})) {
    const aliases = (ep.Aliases ?? []).filter((a: string) => a !== containerId.slice(0, 12));
    ctx.aliases.set(endpointKey(containerId, ep.NetworkID, ep.EndpointID), aliases);
  }
}
