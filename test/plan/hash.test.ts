import { HASH_VERSION, hashMatches, SERVICE_HASH_VERSION, specHash } from '../../src/hash';
import { ContainerConfig } from '../../src/model';
import { SERVICE_DEFAULTS } from './build';

/** A config written out in full, so that the pinned hashes below depend on nothing else. */
const web: ContainerConfig = {
  image: 'nginx:1.27-alpine',
  command: ['nginx', '-g', 'daemon off;'],
  entrypoint: null,
  env: { ACCEPT_EULA: 'Y', LOG_LEVEL: 'info', MODE: '0755' },
  ports: [{ hostIp: '127.0.0.1', hostPort: '8080', containerPort: '80', protocol: 'tcp' }],
  mounts: [
    { type: 'bind', source: '/srv/web/conf', target: '/etc/web', readOnly: true },
    { type: 'volume', source: 'web_data', target: '/var/lib/web', readOnly: false },
  ],
  restart: 'unless-stopped',
  restartMaxRetries: 0,
  healthcheck: {
    test: ['CMD', 'true'],
    intervalMs: 10000,
    timeoutMs: null,
    retries: null,
    startPeriodMs: null,
  },
  workingDir: null,
  user: null,
  labels: { team: 'web' },
  stopGracePeriodMs: null,
  memoryBytes: null,
  nanoCpus: null,
  logging: { driver: 'json-file', options: { 'max-file': '3', 'max-size': '10m' } },
  destination: 'production',
};

describe('spec hash', () => {
  // If one of these changes, every running container would be recreated by an upgrade: add a
  // new version to src/hash.ts instead of changing what version 1 digests.
  test('version 1 hashes are pinned', () => {
    expect(HASH_VERSION).toBe('1');
    expect(specHash(web)).toBe('1-610bda9e00a0fa1e6885e80b158d51ac');
    expect(specHash({ ...web, env: {} })).toBe('1-8296aebf66d658e85f0e71d6b0bbdbc8');
  });

  test('stack containers are written in version 2, which adds the compose-only settings', () => {
    const service = SERVICE_DEFAULTS;
    const stacked = { ...web, service };
    expect(SERVICE_HASH_VERSION).toBe('2');
    expect(specHash(stacked)).toBe('2-1370def160899470470901aedd9db1c4');
    expect(specHash({ ...stacked, service: { ...service, init: true } })).not.toBe(
      specHash(stacked),
    );
    expect(hashMatches(specHash(stacked), stacked)).toBe(true);
    expect(hashMatches(specHash(web), web)).toBe(true);
  });

  test('every field that needs a recreate changes the hash', () => {
    const variants: Partial<ContainerConfig>[] = [
      { image: 'nginx:1.28' },
      { command: null },
      { env: { ...web.env, MODE: '755' } },
      { ports: [] },
      { mounts: [] },
      { restart: 'always' },
      { healthcheck: null },
      { user: '1000' },
      { labels: {} },
      { memoryBytes: 1 },
      { logging: { driver: 'local', options: {} } },
      { destination: 'staging' },
    ];
    const seen = new Set([specHash(web)]);
    for (const v of variants) seen.add(specHash({ ...web, ...v }));
    expect(seen.size).toBe(variants.length + 1);
  });

  test('key order of maps does not matter', () => {
    const reordered = { ...web, env: { MODE: '0755', LOG_LEVEL: 'info', ACCEPT_EULA: 'Y' } };
    expect(specHash(reordered)).toBe(specHash(web));
  });

  test('a label is checked in the version it carries; unknown versions never match', () => {
    expect(hashMatches(specHash(web), web)).toBe(true);
    expect(hashMatches(specHash(web).replace(/^1-/, '9-'), web)).toBe(false);
    expect(hashMatches(undefined, web)).toBe(false);
  });
});
