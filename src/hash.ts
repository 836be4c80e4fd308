/**
 * The spec hash: a digest of the normalized container config, stored in the `berth.spec-hash`
 * label. Its value is `<version>-<hex>`: the version names the input format, so a later berth
 * can still compute the hash a running container was made with and need not recreate every
 * container after an upgrade. Changing what goes into a version's input is a new version.
 */
import { createHash } from 'node:crypto';
import { ContainerConfig, ServiceConfig } from './model';
import { sortedEntries } from './sorted';

/** The input format this berth writes for application and database containers. */
export const HASH_VERSION = '1';

/**
 * The input format of stack containers: version 1 plus the compose-only settings. Containers
 * without them keep writing version 1, so stacks changed no existing container's hash.
 */
export const SERVICE_HASH_VERSION = '2';

type Encoder = (config: ContainerConfig) => unknown;

/** Version → the value that version digests. Old versions stay here while they are in use. */
const ENCODERS: Record<string, Encoder> = {
  '1': (c) => encodeV1(c),
  '2': (c) => [encodeV1(c), c.service ? encodeService(c.service) : null],
};

function encodeV1(c: ContainerConfig): unknown {
  return [
    c.image,
    c.command,
    c.entrypoint,
    sortedEntries(c.env),
    c.ports.map((p) => [p.hostIp, p.hostPort, p.containerPort, p.protocol]),
    c.mounts.map((m) =>
      m.type === 'anonymous' ? [m.type, m.target] : [m.type, m.source, m.target, m.readOnly],
    ),
    c.restart,
    c.restartMaxRetries,
    c.healthcheck && [
      c.healthcheck.test,
      c.healthcheck.intervalMs,
      c.healthcheck.timeoutMs,
      c.healthcheck.retries,
      c.healthcheck.startPeriodMs,
    ],
    c.workingDir,
    c.user,
    sortedEntries(c.labels),
    c.stopGracePeriodMs,
    c.memoryBytes,
    c.nanoCpus,
    [c.logging.driver, sortedEntries(c.logging.options)],
    c.destination,
  ];
}

function encodeService(s: ServiceConfig): unknown {
  return [
    s.hostname,
    s.stopSignal,
    s.tmpfs,
    s.readOnly,
    s.init,
    s.tty,
    s.stdinOpen,
    s.capAdd,
    s.capDrop,
    s.extraHosts,
    s.dns,
    s.ulimits.map((u) => [u.name, u.soft, u.hard]),
    sortedEntries(s.sysctls),
    s.shmSizeBytes,
    s.expose,
  ];
}

/** The version a config is written in: 2 when it has compose-only settings, else 1. */
export function versionOf(config: ContainerConfig): string {
  return config.service ? SERVICE_HASH_VERSION : HASH_VERSION;
}

/**
 * Hashes already computed for a config object in the current version. Desired state is
 * immutable once loaded, so a long-running process hashes each spec once, not once a pass.
 */
const memo = new WeakMap<ContainerConfig, string>();

/** The hash of a config in the given input version (default: the one it is written in). */
export function specHash(config: ContainerConfig, version = versionOf(config)): string {
  if (version !== versionOf(config)) return digest(config, version);
  let hash = memo.get(config);
  if (hash === undefined) {
    hash = digest(config, version);
    memo.set(config, hash);
  }
  return hash;
}

function digest(config: ContainerConfig, version: string): string {
  const encode = ENCODERS[version];
  if (!encode) throw new Error(`internal: no spec hash encoder for version ${version}`);
  const digest = createHash('sha256')
    .update(JSON.stringify(encode(config)))
    .digest('hex');
  return `${version}-${digest.slice(0, 32)}`;
}

/**
 * Whether a container labelled with `label` runs `config`: the hash is recomputed in the version
 * the label carries. A label of an unknown version never matches.
 */
export function hashMatches(label: string | undefined, config: ContainerConfig): boolean {
  if (!label) return false;
  const version = label.split('-', 1)[0];
  if (!ENCODERS[version]) return false;
  return specHash(config, version) === label;
}
