/**
 * The shape of each kind's `spec` once it has passed its JSON Schema (schemas/*.schema.json).
 * These types only restate what the schemas guarantee; keep both in step.
 */
import type { PullPolicy } from '../model';

export interface DestinationSpec {
  server?: string;
  displayName?: string;
  network?: string;
  driver?: string;
  internal?: boolean;
  ipam?: { subnet: string; gateway?: string; ipRange?: string };
  options?: Record<string, string>;
}

export interface PortObjectSpec {
  target: number;
  published?: number;
  hostIp?: string;
  protocol?: 'tcp' | 'udp';
}

export interface HealthcheckSpec {
  test?: string | string[];
  interval?: string;
  timeout?: string;
  startPeriod?: string;
  retries?: number;
  disable?: boolean;
}

/** The spec of an Application or a Database. */
export interface ContainerSpec {
  destination?: string;
  displayName?: string;
  image: string;
  pullPolicy?: PullPolicy;
  command?: string[];
  entrypoint?: string[];
  env?: Record<string, string>;
  ports?: Array<string | PortObjectSpec>;
  volumes?: string[];
  restart?: string;
  healthcheck?: HealthcheckSpec;
  aliases?: string[];
  extraDestinations?: string[];
  workingDir?: string;
  user?: string;
  labels?: Record<string, string>;
  stopGracePeriod?: string;
  resources?: { memory?: number | string; cpus?: number | string };
  logging?: { driver?: string; options?: Record<string, string> };
  suspend?: boolean;
}
