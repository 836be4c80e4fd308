/**
 * In-memory desired and observed states for planner tests and the planner benchmark:
 * `converged(desired)` is what Docker would show after a perfect apply; tests then bend it.
 */
import { specHash } from '../../src/hash';
import { LABEL, ownerLabels } from '../../src/labels';
import {
  ContainerConfig,
  DesiredContainer,
  DesiredDestination,
  DesiredState,
  ObservedContainer,
  ObservedState,
} from '../../src/model';

export const SERVER = 'web-1';
export const IMAGE_ID = 'sha256:' + 'a'.repeat(64);

export function dest(name: string, over: Partial<DesiredDestination> = {}): DesiredDestination {
  return {
    name,
    displayName: null,
    network: `${name}-net`,
    settings: { driver: 'bridge', internal: false, ipam: null, options: {} },
    source: { file: `specs/${name}.yaml`, line: 1 },
    ...over,
  };
}

export function config(over: Partial<ContainerConfig> = {}): ContainerConfig {
  return {
    image: 'berth-busybox:latest',
    command: ['sleep', '3600'],
    entrypoint: null,
    env: {},
    ports: [],
    mounts: [],
    restart: 'unless-stopped',
    restartMaxRetries: 0,
    healthcheck: null,
    workingDir: null,
    user: null,
    labels: {},
    stopGracePeriodMs: null,
    memoryBytes: null,
    nanoCpus: null,
    logging: { driver: 'json-file', options: { 'max-file': '3', 'max-size': '10m' } },
    destination: 'prod',
    ...over,
  };
}

export function app(
  name: string,
  destination: DesiredDestination,
  over: Partial<DesiredContainer> = {},
  cfg: Partial<ContainerConfig> = {},
): DesiredContainer {
  return {
    kind: 'Application',
    resource: name,
    name,
    destination: destination.name,
    displayName: null,
    attachments: [{ destination: destination.name, network: destination.network, aliases: [] }],
    pullPolicy: 'IfNotPresent',
    suspend: false,
    config: config({ destination: destination.name, ...cfg }),
    volumes: [],
    source: { file: `specs/${name}.yaml`, line: 1 },
    ...over,
  };
}

export function desiredOf(
  destinations: DesiredDestination[],
  containers: DesiredContainer[],
): DesiredState {
  const refs: Record<string, string[]> = {};
  for (const c of containers) {
    for (const a of c.attachments) {
      if (a.destination !== null) (refs[a.destination] ??= []).push(c.resource);
    }
  }
  return { destinations, containers, complete: true, destinationRefs: refs };
}

const netId = (name: string) => `net-${name}`;
const cid = (name: string) => `${name.replace(/[^a-z0-9]/g, '')}${'0'.repeat(64)}`.slice(0, 64);

/** What Docker shows after a perfect apply of `desired`. */
export function converged(desired: DesiredState, server = SERVER): ObservedState {
  return {
    networks: desired.destinations.map((d) => ({
      id: netId(d.network),
      name: d.network,
      labels: {
        ...ownerLabels(server, 'Destination', d.name),
        [LABEL.destination]: d.name,
      },
      settings: {
        ...d.settings,
        ipam: d.settings.ipam ?? { subnet: '10.200.9.0/24', gateway: '10.200.9.1', ipRange: null },
      },
    })),
    volumes: desired.containers.flatMap((c) =>
      c.volumes.map((v) => ({ name: v, labels: ownerLabels(server, c.kind, c.resource) })),
    ),
    images: { 'berth-busybox:latest': IMAGE_ID },
    containers: desired.containers.map((c) => observedContainer(c, server)),
  };
}

export function observedContainer(c: DesiredContainer, server = SERVER): ObservedContainer {
  const networks: ObservedContainer['networks'] = {};
  for (const a of c.attachments) {
    networks[a.network] = {
      networkId: netId(a.network),
      endpointId: `ep-${c.name}-${a.network}`,
      aliases: [...a.aliases],
    };
  }
  return {
    id: cid(c.name),
    name: c.name,
    labels: {
      ...c.config.labels,
      ...ownerLabels(server, c.kind, c.resource),
      [LABEL.destination]: c.destination,
      [LABEL.specHash]: specHash(c.config),
    },
    state: 'running',
    exitCode: null,
    imageId: IMAGE_ID,
    image: c.config.image,
    command: [...(c.config.entrypoint ?? []), ...(c.config.command ?? [])].join(' '),
    networks,
    mounts: [],
  };
}

/** A container with no berth labels, as someone made it by hand. */
export function foreign(name: string, networks: string[] = []): ObservedContainer {
  const eps: ObservedContainer['networks'] = {};
  for (const n of networks)
    eps[n] = { networkId: netId(n), endpointId: `ep-${name}`, aliases: null };
  return {
    id: cid('f' + name),
    name,
    labels: {},
    state: 'running',
    exitCode: null,
    imageId: IMAGE_ID,
    image: 'berth-busybox:latest',
    command: 'sleep 3600',
    networks: eps,
    mounts: [],
  };
}
