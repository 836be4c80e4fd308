/**
 * The shape of a compose document once it has passed schemas/compose.schema.json (after
 * interpolation). These types only restate what the schemas guarantee; keep both in step.
 */

export type Argv = string | string[];
export type KeyValues = Record<string, string | null> | string[];

export interface ComposePortObject {
  target: number;
  published?: number | string;
  host_ip?: string;
  protocol?: 'tcp' | 'udp';
  mode?: 'host';
}

export interface ComposeVolumeObject {
  type: 'volume' | 'bind';
  source?: string;
  target: string;
  read_only?: boolean;
}

export type DependsOnSpec = string[] | Record<string, { condition?: DependencyCondition }>;

export type DependencyCondition =
  'service_started' | 'service_healthy' | 'service_completed_successfully';

export interface ComposeHealthcheck {
  test?: string | string[];
  interval?: string;
  timeout?: string;
  start_period?: string;
  retries?: number;
  disable?: boolean;
}

export type ServiceNetworks = string[] | Record<string, { aliases?: string[] } | null>;

export type Size = number | string;

export interface ServiceSpec {
  image: string;
  pull_policy?: 'always' | 'never' | 'missing' | 'if_not_present';
  command?: Argv;
  entrypoint?: Argv;
  environment?: KeyValues;
  env_file?: string | string[];
  ports?: Array<string | ComposePortObject>;
  expose?: string[];
  volumes?: Array<string | ComposeVolumeObject>;
  depends_on?: DependsOnSpec;
  healthcheck?: ComposeHealthcheck;
  restart?: string;
  labels?: Record<string, string> | string[];
  networks?: ServiceNetworks;
  working_dir?: string;
  user?: string;
  hostname?: string;
  stop_grace_period?: string;
  stop_signal?: string;
  tmpfs?: string | string[];
  read_only?: boolean;
  init?: boolean;
  tty?: boolean;
  stdin_open?: boolean;
  cap_add?: string[];
  cap_drop?: string[];
  extra_hosts?: string[] | Record<string, string>;
  dns?: string | string[];
  ulimits?: Record<string, number | { soft: number; hard: number }>;
  sysctls?: KeyValues;
  shm_size?: Size;
  logging?: { driver?: string; options?: Record<string, string> };
  mem_limit?: Size;
  cpus?: number | string;
  deploy?: { resources?: { limits?: { cpus?: number | string; memory?: Size } } };
}

export interface ComposeNetwork {
  driver?: 'bridge';
  driver_opts?: Record<string, string>;
  internal?: boolean;
  external?: boolean;
  name?: string;
}

export interface ComposeDoc {
  services: Record<string, ServiceSpec>;
  networks?: Record<string, ComposeNetwork | null>;
  volumes?: Record<string, Record<string, never> | null>;
}

/** What a Stack document's spec holds once it has passed schemas/stack.schema.json. */
export interface StackSpec {
  destination?: string;
  connectToDestinationNetwork?: boolean;
  composeFile?: string;
  compose?: Record<string, unknown>;
  variables?: Record<string, string>;
  healthTimeout?: string;
  suspend?: boolean;
}
