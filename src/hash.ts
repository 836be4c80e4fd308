/**
 * The spec hash: a digest of the normalized container config, stored in the `berth.spec-hash`
 * label. Its value is `<version>-<hex>`: the version names the input format, so a later berth
 * can still compute the hash a running container was made with and need not recreate every
 * container after an upgrade. Changing what goes into a version's input is a new version.
 */
import { createHash } from 'node:crypto';
import { ContainerConfig } from './model';
import { sortedEntries } from './sorted';

/** The input format this berth writes. */
export const HASH_VERSION = '1';

type Encoder = (config: ContainerConfig) => unknown;

/** Version → the value that version digests. Old versions stay here while they are in use. */
const ENCODERS: Record<string, Encoder> = {
  '1': (c) => [
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
  ],
};

/**
 * Hashes already computed for a config object in the current version. Desired state is
 * immutable once loaded, so a long-running process hashes each spec once, not once a pass.
 */
const memo = new WeakMap<ContainerConfig, string>();

/** The hash of a config in the given input version (default: the current one). */
export function specHash(config: ContainerConfig, version = HASH_VERSION): string {
  if (version !== HASH_VERSION) return digest(config, version);
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
