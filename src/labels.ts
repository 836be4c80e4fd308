/**
 * Every Docker label and derived Docker name berth uses, in one place (contract: "Names and
 * labels in Docker"). No other module spells a label key.
 */

export const LABEL = {
  managed: 'berth.managed',
  server: 'berth.server',
  kind: 'berth.kind',
  resource: 'berth.resource',
  destination: 'berth.destination',
  service: 'berth.service',
  specHash: 'berth.spec-hash',
  copyOf: 'berth.copy-of',
} as const;

/** Suffix of a replacement container while a recreate is in flight. */
export const NEXT_SUFFIX = '--next';

export type Labels = Record<string, string>;

/** The labels that make an object berth's for one server. */
export function ownerLabels(server: string, kind: string, resource: string): Labels {
  return {
    [LABEL.managed]: 'true',
    [LABEL.server]: server,
    [LABEL.kind]: kind,
    [LABEL.resource]: resource,
  };
}

/** True when an object carries berth's labels for this server (safety rule 1). */
export function isOwned(labels: Labels | null | undefined, server: string): boolean {
  return !!labels && labels[LABEL.managed] === 'true' && labels[LABEL.server] === server;
}

/** Docker name of a named volume of an application, a database or a stack. */
export function volumeName(resource: string, volume: string): string {
  return `${resource}_${volume}`;
}

/** Docker name of a stack's container for one compose service. */
export function stackContainerName(stack: string, service: string): string {
  return `${stack}-${service}`;
}

/** Docker name of a stack's network (`default` for the one every service joins by default). */
export function stackNetworkName(stack: string, network: string): string {
  return `${stack}_${network}`;
}

/** Docker name of the replacement container during a recreate. */
export function nextName(container: string): string {
  return container + NEXT_SUFFIX;
}

/** The container name a `--next` name stands in for, or null for an ordinary name. */
export function baseOfNext(name: string): string | null {
  return name.endsWith(NEXT_SUFFIX) ? name.slice(0, -NEXT_SUFFIX.length) : null;
}
