import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import { loadSpecs } from '../../src/spec/load';
import { app, destination, load, writeSpecs, yaml } from './helpers';

// The contract's example (ARCHITECTURE.md, "Spec format"), minus the kinds not supported yet.
const CONTRACT_EXAMPLE = yaml(
  'apiVersion: berth/v1',
  'kind: Destination',
  'metadata:',
  '  name: production',
  'spec:',
  "  server: web-1            # optional: the agent's own server when omitted",
  '  displayName: Production  # free text; changing it touches nothing in Docker',
  '  network: prod-net        # Docker network name; default metadata.name',
  '  driver: bridge           # bridge now; overlay for swarm destinations later',
  '  internal: false',
  '  ipam: { subnet: 10.77.0.0/24, gateway: 10.77.0.1 }   # optional',
  '  options: {}              # driver options',
  '---',
  'apiVersion: berth/v1',
  'kind: Application          # or Database: same fields',
  'metadata:',
  '  name: web',
  'spec:',
  '  destination: production',
  '  image: nginx:1.27-alpine',
  '  pullPolicy: IfNotPresent # Always | IfNotPresent | Never',
  '  command: ["nginx", "-g", "daemon off;"]',
  '  env: { LOG_LEVEL: info, ACCEPT_EULA: Y }',
  '  ports: ["127.0.0.1:8080:80"]',
  '  volumes: ["data:/var/lib/web", "/srv/web/conf:/etc/web:ro"]',
  '  restart: unless-stopped  # the default',
  '  healthcheck: { test: ["CMD", "wget", "-q", "--spider", "http://localhost/"], interval: 10s }',
  '  aliases: [api]',
  '  extraDestinations: [shared]',
  '  suspend: false',
  '---',
  'apiVersion: berth/v1',
  'kind: Destination',
  'metadata:',
  '  name: shared',
  'spec: {}',
);

describe('loadSpecs on valid specs', () => {
  it('loads the contract example into the documented desired state', async () => {
    const result = await load({ 'web.yaml': CONTRACT_EXAMPLE });

    expect(result.messages).toEqual([]);
    expect(result.desired.complete).toBe(true);
    const file = result.files[0];
    expect(result.desired.destinations).toEqual([
      {
        name: 'production',
        displayName: 'Production',
        network: 'prod-net',
        settings: {
          driver: 'bridge',
          internal: false,
          ipam: { subnet: '10.77.0.0/24', gateway: '10.77.0.1', ipRange: null },
          options: {},
        },
        source: { file, line: 1 },
      },
      {
        name: 'shared',
        displayName: null,
        network: 'shared',
        settings: { driver: 'bridge', internal: false, ipam: null, options: {} },
        source: { file, line: 32 },
      },
    ]);
    expect(result.desired.containers).toEqual([
      {
        kind: 'Application',
        resource: 'web',
        name: 'web',
        destination: 'production',
        displayName: null,
        attachments: [
          { destination: 'production', network: 'prod-net', aliases: ['api'] },
          { destination: 'shared', network: 'shared', aliases: [] },
        ],
        pullPolicy: 'IfNotPresent',
        suspend: false,
        config: {
          image: 'nginx:1.27-alpine',
          command: ['nginx', '-g', 'daemon off;'],
          entrypoint: null,
          env: { ACCEPT_EULA: 'Y', LOG_LEVEL: 'info' },
          ports: [{ hostIp: '127.0.0.1', hostPort: '8080', containerPort: '80', protocol: 'tcp' }],
          mounts: [
            { type: 'bind', source: '/srv/web/conf', target: '/etc/web', readOnly: true },
            { type: 'volume', source: 'web_data', target: '/var/lib/web', readOnly: false },
          ],
          restart: 'unless-stopped',
          restartMaxRetries: 0,
          healthcheck: {
            test: ['CMD', 'wget', '-q', '--spider', 'http://localhost/'],
            intervalMs: 10_000,
            timeoutMs: null,
            retries: null,
            startPeriodMs: null,
          },
          workingDir: null,
          user: null,
          labels: {},
          stopGracePeriodMs: null,
          memoryBytes: null,
          nanoCpus: null,
          logging: { driver: 'json-file', options: { 'max-file': '3', 'max-size': '10m' } },
          destination: 'production',
        },
        volumes: ['web_data'],
        source: { file, line: 14 },
      },
    ]);
    expect(result.desired.destinationRefs).toEqual({ production: ['web'], shared: ['web'] });
  });

  it('writes out every default of a minimal application', async () => {
    const result = await load({
      'a.yaml': destination('prod') + '---\n' + app('web', ['image: nginx']),
    });

    expect(result.messages).toEqual([]);
    const [web] = result.desired.containers;
    expect(web.pullPolicy).toBe('IfNotPresent');
    expect(web.suspend).toBe(false);
    expect(web.attachments).toEqual([{ destination: 'prod', network: 'prod', aliases: [] }]);
    expect(web.volumes).toEqual([]);
    expect(web.config).toEqual({
      image: 'nginx:latest',
      command: null,
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
    });
  });

  it('normalizes every field of a full application', async () => {
    const result = await load({
      'd.yaml': destination('prod') + '---\n' + destination('alpha') + '---\n' + destination('zed'),
      'web.yaml': app('web', [
        'destination: prod',
        'displayName: The web',
        'image: 127.0.0.1:5000/team/web',
        'pullPolicy: Always',
        'entrypoint: [/bin/sh, -c]',
        'command: ["exec nginx"]',
        'env: { ZED: z, ALPHA: a }',
        'ports:',
        '  - "443"',
        '  - 8080:80/udp',
        '  - "[::1]:8081:80"',
        '  - 127.0.0.1::80',
        '  - { target: 80, published: 9090, hostIp: 10.0.0.1 }',
        '  - { target: 53, protocol: udp }',
        'volumes: [/cache/, "logs:/var/log/:rw", "data:/data", "data:/backup:ro"]',
        'restart: on-failure:5',
        'healthcheck:',
        '  test: curl -f http://localhost/',
        '  interval: 1m30s',
        '  timeout: 500ms',
        '  startPeriod: 1h',
        '  retries: 4',
        'aliases: [www, api]',
        'extraDestinations: [zed, alpha]',
        'workingDir: /app',
        'user: 1000:1000',
        'labels: { com.example.team: web, a: b }',
        'stopGracePeriod: 45s',
        'resources: { memory: 1.5g, cpus: 1.25 }',
        'logging: { driver: local }',
        'suspend: true',
      ]),
    });

    expect(result.messages).toEqual([]);
    const [web] = result.desired.containers;
    expect(web.displayName).toBe('The web');
    expect(web.pullPolicy).toBe('Always');
    expect(web.suspend).toBe(true);
    expect(web.attachments).toEqual([
      { destination: 'prod', network: 'prod', aliases: ['api', 'www'] },
      { destination: 'alpha', network: 'alpha', aliases: [] },
      { destination: 'zed', network: 'zed', aliases: [] },
    ]);
    expect(web.volumes).toEqual(['web_data', 'web_logs']);
    expect(web.config).toEqual({
      image: '127.0.0.1:5000/team/web:latest',
      command: ['exec nginx'],
      entrypoint: ['/bin/sh', '-c'],
      env: { ALPHA: 'a', ZED: 'z' },
      ports: [
        { hostIp: '', hostPort: '', containerPort: '53', protocol: 'udp' },
        { hostIp: '10.0.0.1', hostPort: '9090', containerPort: '80', protocol: 'tcp' },
        { hostIp: '127.0.0.1', hostPort: '', containerPort: '80', protocol: 'tcp' },
        { hostIp: '::1', hostPort: '8081', containerPort: '80', protocol: 'tcp' },
        { hostIp: '', hostPort: '8080', containerPort: '80', protocol: 'udp' },
        { hostIp: '', hostPort: '', containerPort: '443', protocol: 'tcp' },
      ],
      mounts: [
        { type: 'volume', source: 'web_data', target: '/backup', readOnly: true },
        { type: 'anonymous', target: '/cache' },
        { type: 'volume', source: 'web_data', target: '/data', readOnly: false },
        { type: 'volume', source: 'web_logs', target: '/var/log', readOnly: false },
      ],
      restart: 'on-failure',
      restartMaxRetries: 5,
      healthcheck: {
        test: ['CMD-SHELL', 'curl -f http://localhost/'],
        intervalMs: 90_000,
        timeoutMs: 500,
        retries: 4,
        startPeriodMs: 3_600_000,
      },
      workingDir: '/app',
      user: '1000:1000',
      labels: { a: 'b', 'com.example.team': 'web' },
      stopGracePeriodMs: 45_000,
      memoryBytes: 1610612736,
      nanoCpus: 1_250_000_000,
      logging: { driver: 'local', options: {} },
      destination: 'prod',
    });
  });

  it('reads several documents per file and files at any depth, in sorted order', async () => {
    const result = await load({
      'z.yml': destination('prod'),
      'apps/b.yaml': app('beta', ['image: busybox']) + '---\n' + app('alpha', ['image: busybox']),
      'apps/deep/er/c.YAML': app('gamma', ['image: busybox'], 'Database'),
      'apps/notes.txt': 'not a spec',
      'apps/trailing.yaml': app('delta', ['image: busybox']) + '---\n# the end\n',
    });

    expect(result.messages).toEqual([]);
    expect(result.files.map((f) => path.basename(f))).toEqual([
      'b.yaml',
      'c.YAML',
      'trailing.yaml',
      'z.yml',
    ]);
    const names = result.desired.containers.map((c) => [c.name, c.kind, c.source.line]);
    expect(names).toEqual([
      ['alpha', 'Application', 8],
      ['beta', 'Application', 1],
      ['delta', 'Application', 1],
      ['gamma', 'Database', 1],
    ]);
  });

  it('skips dot-directories and node_modules', async () => {
    const result = await load({
      'prod.yaml': destination('prod'),
      '.git/config.yaml': 'this: [is not: a spec',
      '.hidden/web.yaml': app('web', ['image: nginx']),
      'node_modules/x/package.yaml': 'name: x',
    });

    expect(result.messages).toEqual([]);
    expect(result.files.map((f) => path.basename(f))).toEqual(['prod.yaml']);
    expect(result.desired.containers).toEqual([]);
  });

  it('follows symlinked spec files, as mounted ConfigMaps have them', async () => {
    const root = await writeSpecs({ '..data/prod.yaml': destination('prod') });
    await fs.symlink('..data/prod.yaml', path.join(root, 'prod.yaml'));

    const result = await loadSpecs(root, { server: 'web-1' });

    expect(result.errors).toEqual([]);
    expect(result.desired.destinations.map((d) => d.name)).toEqual(['prod']);
  });

  it('names files by the root as given, so messages match what the user typed', async () => {
    const root = await writeSpecs({ 'web.yaml': destination('prod') + 'bogus: 1\n' });
    const relativeRoot = path.relative(process.cwd(), root);

    const result = await loadSpecs(relativeRoot, { server: 'web-1' });

    expect(result.files).toEqual([path.join(relativeRoot, 'web.yaml')]);
    expect(result.errors.map((e) => e.message)).toEqual([
      `${path.join(relativeRoot, 'web.yaml')}:6: unknown field 'bogus'`,
    ]);
  });

  it('leaves out destinations of other servers and the resources on them', async () => {
    const result = await load({
      'dest.yaml': [
        destination('here', 'server: web-1'),
        destination('there', 'server: web-2', 'network: here'),
        destination('anywhere'),
      ].join('---\n'),
      'apps.yaml': [
        app('web', ['destination: here', 'image: nginx', 'extraDestinations: [anywhere]']),
        app('web', ['destination: there', 'image: nginx']),
        app('api', ['destination: there', 'image: nginx']),
      ].join('---\n'),
    });

    expect(result.messages).toEqual([]);
    expect(result.desired.destinations.map((d) => d.name)).toEqual(['anywhere', 'here']);
    expect(result.desired.containers.map((c) => c.name)).toEqual(['web']);
    expect(result.desired.destinationRefs).toEqual({ anywhere: ['web'], here: ['web'] });
  });

  it('takes the only destination when a resource names none', async () => {
    const result = await load({
      'prod.yaml': destination('prod', 'server: web-1', 'network: prod-net'),
      'web.yaml': app('web', ['image: nginx']),
    });

    expect(result.messages).toEqual([]);
    expect(result.desired.containers[0].destination).toBe('prod');
    expect(result.desired.containers[0].attachments[0].network).toBe('prod-net');
  });

  it('normalizes destination settings: sorted options, ipam with nulls', async () => {
    const result = await load({
      'd.yaml': destination(
        'prod',
        'driver: macvlan',
        'internal: true',
        'ipam: { subnet: 10.1.0.0/16, ipRange: 10.1.2.0/24 }',
        'options: { parent: eth0, com.docker.network.mtu: 1400 }',
      ),
    });

    expect(result.messages).toEqual([]);
    expect(result.desired.destinations[0].settings).toEqual({
      driver: 'macvlan',
      internal: true,
      ipam: { subnet: '10.1.0.0/16', gateway: null, ipRange: '10.1.2.0/24' },
      options: { 'com.docker.network.mtu': '1400', parent: 'eth0' },
    });
  });

  it('limits json-file logs unless options are given', async () => {
    const result = await load({
      'd.yaml': destination('prod'),
      'a.yaml': [
        app('plain', ['image: nginx', 'logging: { driver: json-file }']),
        app('custom', ['image: nginx', 'logging: { options: { max-size: 1g } }']),
        app('unbounded', ['image: nginx', 'logging: { driver: json-file, options: {} }']),
      ].join('---\n'),
    });

    const logging = Object.fromEntries(
      result.desired.containers.map((c) => [c.name, c.config.logging]),
    );
    expect(logging).toEqual({
      custom: { driver: 'json-file', options: { 'max-size': '1g' } },
      plain: { driver: 'json-file', options: { 'max-file': '3', 'max-size': '10m' } },
      unbounded: { driver: 'json-file', options: {} },
    });
  });

  it('disables a healthcheck with disable: true', async () => {
    const result = await load({
      'a.yaml': [
        destination('prod'),
        app('web', ['image: nginx', 'healthcheck: { disable: true }']),
      ].join('---\n'),
    });

    expect(result.desired.containers[0].config.healthcheck).toEqual({
      test: ['NONE'],
      intervalMs: null,
      timeoutMs: null,
      retries: null,
      startPeriodMs: null,
    });
  });

  it('gives the same result on every load', async () => {
    const files = {
      'b.yaml': app('web', ['image: nginx', 'env: { B: 1, A: 2 }', 'ports: ["90", "80"]']),
      'a.yaml': destination('prod'),
    };

    const root = await writeSpecs(files);

    const first = await loadSpecs(root, { server: 'web-1' });
    const second = await loadSpecs(root, { server: 'web-1' });

    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
  });

  it('reads restart policies, with the retry limit of on-failure', async () => {
    const result = await load({
      'd.yaml': destination('prod'),
      'a.yaml': [
        app('no', ['image: busybox', 'restart: no']),
        app('always', ['image: busybox', 'restart: always']),
        app('failing', ['image: busybox', 'restart: on-failure']),
        app('limited', ['image: busybox', 'restart: on-failure:3'], 'Database'),
      ].join('---\n'),
    });

    expect(result.messages).toEqual([]);
    const policies = result.desired.containers.map((c) => [
      c.name,
      c.config.restart,
      c.config.restartMaxRetries,
    ]);
    expect(policies).toEqual([
      ['always', 'always', 0],
      ['failing', 'on-failure', 0],
      ['limited', 'on-failure', 3],
      ['no', 'no', 0],
    ]);
  });
});
