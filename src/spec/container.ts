/**
 * An Application or Database spec → DesiredContainer. Every default is written out here, so
 * that an omitted field and the engine's default compare equal and the spec hash is stable.
 */
import { parseDuration } from '../duration';
import type {
  ContainerConfig,
  DesiredContainer,
  DesiredDestination,
  Healthcheck,
  ResourceKind,
  RestartPolicy,
} from '../model';
import type { DocContext } from './context';
import { sortedRecord } from './destination';
import { parsePorts } from './ports';
import type { ContainerSpec, HealthcheckSpec } from './spec-types';
import { parseVolumes } from './volumes';

export const DEFAULT_RESTART: RestartPolicy = 'unless-stopped';

/**
 * Without limits, json-file logs of a chatty container grow until the disk is full: berth's
 * default keeps at most three files of 10 MB each.
 */
export const DEFAULT_LOG_OPTIONS: Readonly<Record<string, string>> = {
  'max-file': '3',
  'max-size': '10m',
};

/** Docker refuses memory limits under 6 MiB (Docker 20.10). */
const DISABLED_HEALTHCHECK: Healthcheck = {
  test: ['NONE'],
  intervalMs: null,
  timeoutMs: null,
  retries: null,
  startPeriodMs: null,
};

const MIN_MEMORY = 6 * 1024 * 1024;
const UNIT_POWER: Record<string, number> = { b: 0, k: 1, m: 2, g: 3, t: 4 };

/** What a container needs besides its own spec: its networks, already resolved. */
export interface ContainerInput {
  kind: ResourceKind;
  name: string;
  spec: ContainerSpec;
  destination: DesiredDestination;
  /** The extra destinations, sorted by name. */
  extras: DesiredDestination[];
  ctx: DocContext;
}

/** Normalize a schema-valid container spec; null when it has errors (they go to ctx). */
export function normalizeContainer(input: ContainerInput): DesiredContainer | null {
  const { spec, ctx, destination } = input;
  const config = containerConfig(input);
  const { mounts, volumes } = parseVolumes(spec.volumes ?? [], input.name, ctx);
  if (ctx.failed) return null;

  const aliases = [...(spec.aliases ?? [])].sort();
  return {
    kind: input.kind,
    resource: input.name,
    name: input.name,
    destination: destination.name,
    displayName: spec.displayName ?? null,
    attachments: [
      { destination: destination.name, network: destination.network, aliases },
      ...input.extras.map((d) => ({ destination: d.name, network: d.network, aliases: [] })),
    ],
    pullPolicy: spec.pullPolicy ?? 'IfNotPresent',
    suspend: spec.suspend ?? false,
    config: { ...config, mounts },
    volumes,
    source: ctx.source,
  };
}

function containerConfig({ spec, ctx, destination }: ContainerInput): ContainerConfig {
  const restart = restartPolicy(spec.restart ?? DEFAULT_RESTART);
  return {
    image: normalizeImage(spec.image),
    command: argv(spec.command),
    entrypoint: argv(spec.entrypoint),
    env: sortedRecord(spec.env ?? {}),
    ports: parsePorts(spec.ports ?? [], ctx),
    mounts: [],
    restart: restart.policy,
    restartMaxRetries: restart.maxRetries,
    healthcheck: spec.healthcheck ? normalizeHealthcheck(spec.healthcheck, ctx) : null,
    workingDir: spec.workingDir ?? null,
    user: spec.user ?? null,
    labels: sortedRecord(spec.labels ?? {}),
    stopGracePeriodMs: spec.stopGracePeriod ? parseDuration(spec.stopGracePeriod) : null,
    memoryBytes: memoryBytes(spec.resources?.memory, ctx),
    nanoCpus: nanoCpus(spec.resources?.cpus, ctx),
    logging: logging(spec.logging),
    destination: destination.name,
  };
}

/**
 * `nginx` means `nginx:latest` to Docker; writing the tag out makes both spellings one config.
 * A colon before the last `/` belongs to a registry port (`127.0.0.1:5000/app`), not a tag.
 */
export function normalizeImage(image: string): string {
  if (image.includes('@')) return image;
  const lastPart = image.slice(image.lastIndexOf('/') + 1);
  return lastPart.includes(':') ? image : `${image}:latest`;
}

/** An empty list leaves the image's own command, exactly as an omitted one does. */
function argv(list: string[] | undefined): string[] | null {
  return list && list.length > 0 ? [...list] : null;
}

/** `on-failure:5` → policy and retry limit. */
export function restartPolicy(text: string): { policy: RestartPolicy; maxRetries: number } {
  const [policy, retries] = text.split(':');
  return { policy: policy as RestartPolicy, maxRetries: retries ? Number(retries) : 0 };
}

/** A healthcheck in Docker's form; `base` points at it, `startPeriodKey` names that field. */
export function normalizeHealthcheck(
  spec: HealthcheckSpec,
  ctx: DocContext,
  base = '/spec/healthcheck',
  startPeriodKey = 'startPeriod',
): Healthcheck | null {
  if (spec.disable) {
    if (spec.test !== undefined)
      ctx.fail(`${base}/disable`, 'set either test or disable: true, not both');
    return { ...DISABLED_HEALTHCHECK, test: ['NONE'] };
  }

  const test = typeof spec.test === 'string' ? ['CMD-SHELL', spec.test] : [...(spec.test ?? [])];
  return {
    test,
    intervalMs: positiveDuration(spec.interval, `${base}/interval`, ctx),
    timeoutMs: positiveDuration(spec.timeout, `${base}/timeout`, ctx),
    retries: spec.retries ?? null,
    startPeriodMs: positiveDuration(spec.startPeriod, `${base}/${startPeriodKey}`, ctx),
  };
}

// Docker rejects a healthcheck duration under 1ms, and 0 would mean "inherit from the image".
function positiveDuration(text: string | undefined, pointer: string, ctx: DocContext) {
  if (text === undefined) return null;
  const ms = parseDuration(text);
  if (ms < 1) ctx.fail(pointer, 'must be at least 1ms');
  return ms;
}

/** `512m`, `1g`, `256k`, `1.5g`, `512MB` or a number of bytes; 1024-based, as Docker reads it. */
export function parseMemory(value: number | string): number {
  if (typeof value === 'number') return value;
  const m = /^([0-9]+(?:\.[0-9]+)?) ?([bkmgt]?)/i.exec(value);
  if (!m) return NaN;
  return Math.floor(Number(m[1]) * 1024 ** UNIT_POWER[m[2].toLowerCase() || 'b']);
}

/** A memory limit in bytes; errors go to `pointer`. */
export function memoryBytes(
  value: number | string | undefined,
  ctx: DocContext,
  pointer = '/spec/resources/memory',
): number | null {
  if (value === undefined) return null;
  const bytes = parseMemory(value);
  if (!(bytes >= MIN_MEMORY))
    ctx.fail(pointer, 'must be at least 6m: Docker refuses smaller limits');
  return bytes;
}

/** A CPU limit in Docker's NanoCpus; errors go to `pointer`. */
export function nanoCpus(
  value: number | string | undefined,
  ctx: DocContext,
  pointer = '/spec/resources/cpus',
): number | null {
  if (value === undefined) return null;
  const nano = Math.round(Number(value) * 1e9);
  if (!(nano > 0)) ctx.fail(pointer, 'must be more than 0');
  return nano;
}

/** The logging settings with berth's default (json-file, rotated). */
export function logging(spec: ContainerSpec['logging']): ContainerConfig['logging'] {
  const driver = spec?.driver ?? 'json-file';
  const fallback = driver === 'json-file' ? DEFAULT_LOG_OPTIONS : {};
  return { driver, options: sortedRecord(spec?.options ?? fallback) };
}
