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
  DesiredStackNetwork,
  DesiredState,
  ObservedContainer,
  ObservedState,
  ServiceConfig,
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
  const stackNetworks: DesiredStackNetwork[] = [];
  return { destinations, containers, stackNetworks, complete: true, destinationRefs: refs };
}

const netId = (name: string) => `net-${name}`;
const cid = (name: string) => `${name.replace(/[^a-z0-9]/g, '')}${'0'.repeat(64)}`.slice(0, 64);

/** What Docker shows after a perfect apply of `desired`. */
export function converged(desired: DesiredState, server = SERVER): ObservedState {
  const stackNetworks = (desired.stackNetworks ?? []).map((n) => ({
    id: netId(n.name),
    name: n.name,
    labels: { ...ownerLabels(server, 'Stack', n.stack), [LABEL.destination]: n.destination },
    settings: { ...n.settings, ipam: { subnet: '10.200.8.0/24', gateway: null, ipRange: null } },
  }));
  const destinationNetworks = desired.destinations.map((d) => ({
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
  }));
  return {
    networks: [...destinationNetworks, ...stackNetworks],
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
      ...(c.service ? { [LABEL.service]: c.service.name } : {}),
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

/** The compose-only settings of a service, all at their defaults. */
export const SERVICE_DEFAULTS: ServiceConfig = {
  hostname: null,
  stopSignal: null,
  tmpfs: [],
  readOnly: false,
  init: false,
  tty: false,
  stdinOpen: false,
  capAdd: [],
  capDrop: [],
  extraHosts: [],
  dns: [],
  ulimits: [],
  sysctls: {},
  shmSizeBytes: null,
  expose: [],
};

/** The container of `service` in stack `stack`: on `<stack>_default`, answering to its name. */
export function stackService(
  stack: string,
  service: string,
  destination: DesiredDestination,
  over: Partial<DesiredContainer> = {},
  cfg: Partial<ContainerConfig> = {},
): DesiredContainer {
  return app(
    `${stack}-${service}`,
    destination,
    {
      kind: 'Stack',
      resource: stack,
      attachments: [{ destination: null, network: `${stack}_default`, aliases: [service] }],
      service: { name: service, order: 0, dependsOn: [], healthTimeoutMs: 120_000 },
      ...over,
    },
    { service: SERVICE_DEFAULTS, ...cfg },
  );
}

/** The network `<stack>_<name>` of a stack on `destination`. */
export function stackNetwork(
  stack: string,
  destination: string,
  name = 'default',
): DesiredStackNetwork {
  return {
    name: `${stack}_${name}`,
    stack,
    destination,
    settings: { driver: 'bridge', internal: false, ipam: null, options: {} },
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
