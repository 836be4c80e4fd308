/**
 * The plain data that flows through a pass: the desired state (from the specs), the observed
 * state (from Docker), and the normalized container config that the spec hash covers.
 * No behaviour lives here.
 */

export type ResourceKind = 'Application' | 'Database' | 'Stack';
export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';
export type RestartPolicy = 'no' | 'always' | 'unless-stopped' | 'on-failure';

/** Where a spec document starts: the specs root joined with the file's path, 1-based line. */
export interface SourceRef {
  file: string;
  line: number;
}

/** The network settings of a destination that force a network recreate when they change. */
export interface NetworkSettings {
  driver: string;
  internal: boolean;
  /** null: Docker picks the subnet from its address pool. */
  ipam: { subnet: string; gateway: string | null; ipRange: string | null } | null;
  /** Driver options, keys sorted. */
  options: Record<string, string>;
}

export interface DesiredDestination {
  name: string;
  displayName: string | null;
  /** Docker network name (spec.network, default metadata.name). */
  network: string;
  settings: NetworkSettings;
  source: SourceRef;
}

export interface PortBinding {
  /** '' binds every address, as Docker does when no address is written. */
  hostIp: string;
  /** '' lets Docker pick a free host port. */
  hostPort: string;
  containerPort: string;
  protocol: 'tcp' | 'udp';
}

export type Mount =
  /** A named volume; `source` is its Docker name `<resource>_<volume>`. */
  | { type: 'volume'; source: string; target: string; readOnly: boolean }
  | { type: 'bind'; source: string; target: string; readOnly: boolean }
  /** An anonymous volume at `target` (kept across recreates, as Compose does). */
  | { type: 'anonymous'; target: string };

export interface Healthcheck {
  /** Docker's form: ['CMD', ...], ['CMD-SHELL', '...'] or ['NONE']. */
  test: string[];
  intervalMs: number | null;
  timeoutMs: number | null;
  retries: number | null;
  startPeriodMs: number | null;
}

/**
 * Everything about a container that can only change by recreating it, normalized so that an
 * omitted field and the engine's default compare equal. The spec hash covers exactly this.
 */
export interface ContainerConfig {
  image: string;
  command: string[] | null;
  entrypoint: string[] | null;
  /** Literal text as written in the spec, keys sorted. */
  env: Record<string, string>;
  /** Sorted by containerPort, protocol, hostIp, hostPort. */
  ports: PortBinding[];
  /** Sorted by target. */
  mounts: Mount[];
  restart: RestartPolicy;
  /** Only for `on-failure`; 0 means no limit. */
  restartMaxRetries: number;
  healthcheck: Healthcheck | null;
  workingDir: string | null;
  user: string | null;
  /** The operator's own labels (berth's labels are added at create), keys sorted. */
  labels: Record<string, string>;
  stopGracePeriodMs: number | null;
  memoryBytes: number | null;
  nanoCpus: number | null;
  logging: { driver: string; options: Record<string, string> };
  /** The destination's metadata.name: moving a resource to another destination recreates it. */
  destination: string;
  /** What only compose services set; absent for applications and databases (hash version 1). */
  service?: ServiceConfig;
}

/** The container settings a compose service may set beyond an application's, normalized. */
export interface ServiceConfig {
  hostname: string | null;
  stopSignal: string | null;
  /** `target` or `target:options`, sorted. */
  tmpfs: string[];
  readOnly: boolean;
  init: boolean;
  tty: boolean;
  stdinOpen: boolean;
  /** Sorted, as written. */
  capAdd: string[];
  capDrop: string[];
  /** `host:ip`, sorted. */
  extraHosts: string[];
  dns: string[];
  /** Sorted by name. */
  ulimits: { name: string; soft: number; hard: number }[];
  /** Keys sorted. */
  sysctls: Record<string, string>;
  shmSizeBytes: number | null;
  /** Ports exposed without publishing, `80/tcp`, sorted. */
  expose: string[];
}

/** A network a container joins: a destination's, or (destination null) its stack's own. */
export interface Attachment {
  destination: string | null;
  network: string;
  aliases: string[];
}

export type DependsOnCondition =
  'service_started' | 'service_healthy' | 'service_completed_successfully';

/** What a stack container knows of its place in the stack. */
export interface StackService {
  /** The compose service name (label `berth.service`). */
  name: string;
  /** Position in the stack's start order (depends_on first). */
  order: number;
  /** Sorted by service. */
  dependsOn: { service: string; container: string; condition: DependsOnCondition }[];
  /** How long a service_healthy or service_completed_successfully dependency may take. */
  healthTimeoutMs: number;
  /** The compose file as messages name it, when not inline: its errors are the stack's too. */
  composeFile?: string;
}

/** A network of a stack: `<stack>_default` or `<stack>_<net>`. */
export interface DesiredStackNetwork {
  name: string;
  stack: string;
  destination: string;
  settings: NetworkSettings;
}

/** One container berth should run. */
export interface DesiredContainer {
  kind: ResourceKind;
  /** metadata.name of the resource. */
  resource: string;
  /** Docker container name. */
  name: string;
  destination: string;
  displayName: string | null;
  /**
   * The destination network with the resource's aliases (sorted), then extra destinations; for a
   * stack container its stack networks first, then destination networks. The first is the one
   * the container is created on.
   */
  attachments: Attachment[];
  pullPolicy: PullPolicy;
  suspend: boolean;
  config: ContainerConfig;
  /** Docker names of the named volumes this container mounts, sorted. */
  volumes: string[];
  source: SourceRef;
  /** Set for the containers of a stack. */
  service?: StackService;
}

/** What the specs ask for, plus what could not be loaded. */
export interface DesiredState {
  destinations: DesiredDestination[];
  containers: DesiredContainer[];
  /** The networks of this server's stacks, sorted by name; absent means none. */
  stackNetworks?: DesiredStackNetwork[];
  /**
   * False when any spec file failed to load: the pass then creates and updates but removes
   * nothing (safety rule 2).
   */
  complete: boolean;
  /**
   * Destination name → resources whose specs name it, including resources whose destination
   * does not exist: a destination still named is never removed.
   */
  destinationRefs: Record<string, string[]>;
}

export interface ObservedEndpoint {
  networkId: string;
  endpointId: string;
  /** From the alias cache; null while unknown (the container list does not show them). */
  aliases: string[] | null;
}

export interface ObservedMount {
  type: string;
  /** Volume name for volumes, '' for binds. */
  name: string;
  source: string;
  target: string;
}

export type ContainerHealth = 'healthy' | 'unhealthy' | 'starting' | null;

export interface ObservedContainer {
  id: string;
  /** Without Docker's leading slash. */
  name: string;
  labels: Record<string, string>;
  /** Docker's state: created, running, paused, restarting, removing, exited, dead. */
  state: string;
  /** Parsed from the status text for exited containers, else null. */
  exitCode: number | null;
  /** Docker's healthcheck verdict, parsed from the status text; null without a healthcheck. */
  health?: ContainerHealth;
  /** When Docker created it, in seconds since the epoch (the container list's `Created`). */
  created?: number;
  imageId: string;
  image: string;
  /** The command line as the container list shows it (entrypoint and command), or null. */
  command: string | null;
  /** Keyed by network name. */
  networks: Record<string, ObservedEndpoint>;
  mounts: ObservedMount[];
}

export interface ObservedNetwork {
  id: string;
  name: string;
  labels: Record<string, string>;
  settings: NetworkSettings;
}

export interface ObservedVolume {
  name: string;
  labels: Record<string, string>;
}

/** The engine as one batch of list calls saw it. */
export interface ObservedState {
  containers: ObservedContainer[];
  networks: ObservedNetwork[];
  volumes: ObservedVolume[];
  /** Image reference (repo:tag, as listed) → image ID. */
  images: Record<string, string>;
}
