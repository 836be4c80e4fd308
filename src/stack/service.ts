/**
 * One compose service → the normalized container config of its container. Every default is
 * written out as for applications (restart unless-stopped, rotated json-file logs), so that an
 * omitted key and the engine's default compare equal and the spec hash is stable.
 */
import { parseDuration } from '../duration';
import type { ContainerConfig, PullPolicy, ServiceConfig } from '../model';
import {
  DEFAULT_RESTART,
  logging,
  memoryBytes,
  nanoCpus,
  normalizeHealthcheck,
  normalizeImage,
  parseMemory,
  restartPolicy,
} from '../spec/container';
import type { DocContext } from '../spec/context';
import { sortedRecord } from '../spec/destination';
import { childPointer } from '../spec/pointer';
import { parsePorts } from '../spec/ports';
import type { PortObjectSpec } from '../spec/spec-types';
import type { Argv, ServiceSpec } from './compose-types';
import { keyValues, textList } from './key-values';
import { serviceMounts } from './service-volumes';
import { shellWords } from './shell-words';

/** What a service needs besides its own spec. */
export interface ServiceInput {
  stack: string;
  service: string;
  spec: ServiceSpec;
  /** The compose document's context: pointers like `/services/web/ports/0`. */
  ctx: DocContext;
  destination: string;
  /** The variables of the service's env files; `environment` wins over them. */
  envFromFiles: Record<string, string>;
  /** The named volumes the compose document declares at its top level. */
  declaredVolumes: Set<string>;
}

export interface ServiceParts {
  config: ContainerConfig;
  /** Docker names of the named volumes it mounts, sorted. */
  volumes: string[];
  pullPolicy: PullPolicy;
}

const PULL_POLICY: Record<NonNullable<ServiceSpec['pull_policy']>, PullPolicy> = {
  always: 'Always',
  missing: 'IfNotPresent',
  if_not_present: 'IfNotPresent',
  never: 'Never',
};

/** Normalize one schema-valid service; errors go to `input.ctx`. */
export function normalizeService(input: ServiceInput): ServiceParts {
  const { spec, ctx } = input;
  const base = childPointer('/services', input.service);
  const at = (key: string) => childPointer(base, key);
  const restart = restartPolicy(spec.restart ?? DEFAULT_RESTART);
  const { mounts, volumes } = serviceMounts(input, at('volumes'));

  const config: ContainerConfig = {
    image: normalizeImage(spec.image),
    command: argv(spec.command, at('command'), ctx),
    entrypoint: argv(spec.entrypoint, at('entrypoint'), ctx),
    env: sortedRecord({ ...input.envFromFiles, ...environment(input, at('environment')) }),
    ports: parsePorts((spec.ports ?? []).map(portSpec), ctx, at('ports')),
    mounts,
    restart: restart.policy,
    restartMaxRetries: restart.maxRetries,
    healthcheck: healthcheck(spec, ctx, at('healthcheck')),
    workingDir: spec.working_dir ?? null,
    user: spec.user ?? null,
    labels: sortedRecord(labels(spec, ctx, at('labels'))),
    stopGracePeriodMs: spec.stop_grace_period ? parseDuration(spec.stop_grace_period) : null,
    memoryBytes: memoryBytes(
      limit(spec, 'memory', ctx, base),
      ctx,
      limitPointer(spec, 'memory', base),
    ),
    nanoCpus: nanoCpus(limit(spec, 'cpus', ctx, base), ctx, limitPointer(spec, 'cpus', base)),
    logging: logging(spec.logging),
    destination: input.destination,
    service: serviceConfig(spec, ctx, base),
  };
  return { config, volumes, pullPolicy: PULL_POLICY[spec.pull_policy ?? 'missing'] };
}

/** A list stays as it is; a string is split as a shell splits words. `[]` is the image's. */
function argv(value: Argv | undefined, pointer: string, ctx: DocContext): string[] | null {
  if (value === undefined) return null;
  const words = typeof value === 'string' ? shellWords(value) : [...value];
  if (!Array.isArray(words)) {
    ctx.fail(pointer, words.error);
    return null;
  }
  return words.length > 0 ? words : null;
}

function environment(input: ServiceInput, pointer: string): Record<string, string> {
  const why =
    'has no value: berth takes no values from its own environment; write NAME=value, or ' +
    '${VAR} with VAR set in spec.variables';
  return keyValues(input.spec.environment, pointer, input.ctx, why);
}

function labels(spec: ServiceSpec, ctx: DocContext, pointer: string): Record<string, string> {
  const out = keyValues(spec.labels, pointer, ctx, 'has no value: write key=value');
  if (Array.isArray(spec.labels)) {
    spec.labels.forEach((text, i) => {
      if (!text.startsWith('berth.')) return;
      const detail = "label keys starting with 'berth.' are reserved for berth's own labels";
      ctx.fail(childPointer(pointer, i), detail);
    });
  }
  return out;
}

function portSpec(port: NonNullable<ServiceSpec['ports']>[number]): string | PortObjectSpec {
  if (typeof port === 'string') return port;
  return {
    target: port.target,
    published: port.published === undefined ? undefined : Number(port.published),
    hostIp: port.host_ip,
    protocol: port.protocol,
  };
}

function healthcheck(spec: ServiceSpec, ctx: DocContext, pointer: string) {
  const h = spec.healthcheck;
  if (!h) return null;
  const converted = { ...h, startPeriod: h.start_period };
  if (h.disable === undefined && h.test === undefined) {
    ctx.fail(pointer, "missing required field 'test' (or disable: true)");
    return null;
  }
  return normalizeHealthcheck(converted, ctx, pointer, 'start_period');
}

type LimitKey = 'memory' | 'cpus';
const TOP_KEY: Record<LimitKey, 'mem_limit' | 'cpus'> = { memory: 'mem_limit', cpus: 'cpus' };

/** `mem_limit` / `cpus`, or the same under `deploy.resources.limits`; not both. */
function limit(spec: ServiceSpec, key: LimitKey, ctx: DocContext, base: string) {
  const top = spec[TOP_KEY[key]];
  const deployed = spec.deploy?.resources?.limits?.[key];
  if (top !== undefined && deployed !== undefined) {
    const detail = `set either ${TOP_KEY[key]} or deploy.resources.limits.${key}, not both`;
    ctx.fail(childPointer(base, TOP_KEY[key]), detail);
  }
  return top ?? deployed;
}

function limitPointer(spec: ServiceSpec, key: LimitKey, base: string): string {
  if (spec[TOP_KEY[key]] !== undefined) return childPointer(base, TOP_KEY[key]);
  return `${base}/deploy/resources/limits/${key}`;
}

function serviceConfig(spec: ServiceSpec, ctx: DocContext, base: string): ServiceConfig {
  const sorted = (xs: string[] | undefined) => [...(xs ?? [])].sort();
  return {
    hostname: spec.hostname ?? null,
    stopSignal: spec.stop_signal ?? null,
    tmpfs: sorted(textList(spec.tmpfs)),
    readOnly: spec.read_only ?? false,
    init: spec.init ?? false,
    tty: spec.tty ?? false,
    stdinOpen: spec.stdin_open ?? false,
    capAdd: sorted(spec.cap_add),
    capDrop: sorted(spec.cap_drop),
    extraHosts: sorted(extraHosts(spec.extra_hosts)),
    dns: sorted(textList(spec.dns)),
    ulimits: ulimits(spec.ulimits),
    sysctls: sortedRecord(keyValues(spec.sysctls, `${base}/sysctls`, ctx, 'has no value')),
    shmSizeBytes: spec.shm_size === undefined ? null : parseMemory(spec.shm_size),
    expose: sorted((spec.expose ?? []).map((p) => (p.includes('/') ? p : `${p}/tcp`))),
  };
}

/** `host:ip` for Docker; compose also writes `host=ip` and a map. */
function extraHosts(value: ServiceSpec['extra_hosts']): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return Object.entries(value).map(([h, ip]) => `${h}:${ip}`);
  return value.map((text) => text.replace(/^([^:=]+)=/, '$1:'));
}

function ulimits(value: ServiceSpec['ulimits']): ServiceConfig['ulimits'] {
  return Object.keys(value ?? {})
    .sort()
    .map((name) => {
      const v = (value ?? {})[name];
      return typeof v === 'number' ? { name, soft: v, hard: v } : { name, ...v };
    });
}
