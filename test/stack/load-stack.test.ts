import { destination, load, yaml } from '../spec/helpers';
import { COMPOSE, stack } from './helpers';

const prod = destination('prod', 'network: prod-net');

describe('Stack documents that load', () => {
  test('a compose file beside the spec: <stack>-<service> containers in start order', async () => {
    const result = await load({
      'prod.yaml': prod,
      'mon/stack.yaml': stack('mon', 'destination: prod', 'composeFile: compose.yaml'),
      'mon/compose.yaml': COMPOSE,
    });

    expect(result.messages).toEqual([]);
    const [app, db] = result.desired.containers;
    expect([app.name, db.name]).toEqual(['mon-app', 'mon-db']);
    expect([app.service?.order, db.service?.order]).toEqual([1, 0]);
    expect(app.service?.dependsOn).toEqual([
      { service: 'db', container: 'mon-db', condition: 'service_healthy' },
    ]);
    expect(app.kind).toBe('Stack');
    expect(app.resource).toBe('mon');
    expect(app.attachments).toEqual([
      { destination: null, network: 'mon_default', aliases: ['app'] },
    ]);
    expect(app.config.restart).toBe('unless-stopped');
    expect(app.config.command).toEqual(['sleep', '3600']);
    expect(db.volumes).toEqual(['mon_data']);
    expect(db.config.healthcheck?.test).toEqual(['CMD-SHELL', 'true']);
    expect(result.desired.stackNetworks).toEqual([
      { name: 'mon_default', stack: 'mon', destination: 'prod', settings: expect.any(Object) },
    ]);
  });

  test('the compose file is not read as a spec file, whatever it holds', async () => {
    const result = await load({
      'prod.yaml': prod,
      'mon.yaml': stack('mon', 'composeFile: compose/mon.yml'),
      'compose/mon.yml': COMPOSE,
    });
    expect(result.messages).toEqual([]);
    expect(result.files.map((f) => f.replace(/.*berth-spec-[^/]+\//, ''))).toEqual([
      'mon.yaml',
      'prod.yaml',
    ]);
  });

  test('variables, anchors, merge keys and env lists of a real compose file', async () => {
    const compose = yaml(
      'version: "3.8"',
      'name: ignored',
      'x-defaults: &defaults',
      '  restart: always',
      '  environment: [TZ=UTC, "MODE=0755"]',
      '  logging: { driver: json-file, options: { max-size: 1m } }',
      'services:',
      '  web:',
      '    <<: *defaults',
      '    image: "berth-busybox:${TAG}"',
      '    command: httpd -f -p "${PORT:-80}"',
      '    ports:',
      '      - { target: 80, published: "8080", host_ip: 127.0.0.1, protocol: tcp }',
      '    volumes:',
      '      - { type: volume, source: html, target: /www, read_only: true }',
      '      - /srv/conf:/conf:ro',
      '    labels: [team=web]',
      '    stop_grace_period: 1m30s',
      '    deploy: { resources: { limits: { memory: 64m, cpus: "0.5" } } }',
      'volumes: { html: }',
    );
    const result = await load({
      'prod.yaml': prod,
      'web.yaml': stack('site', 'composeFile: web-compose.yaml', 'variables: { TAG: latest }'),
      'web-compose.yaml': compose,
    });

    expect(result.messages).toEqual([]);
    const [web] = result.desired.containers;
    expect(web.config.image).toBe('berth-busybox:latest');
    expect(web.config.command).toEqual(['httpd', '-f', '-p', '80']);
    expect(web.config.restart).toBe('always');
    expect(web.config.env).toEqual({ MODE: '0755', TZ: 'UTC' });
    expect(web.config.logging).toEqual({ driver: 'json-file', options: { 'max-size': '1m' } });
    expect(web.config.ports).toEqual([
      { hostIp: '127.0.0.1', hostPort: '8080', containerPort: '80', protocol: 'tcp' },
    ]);
    expect(web.config.mounts).toEqual([
      { type: 'bind', source: '/srv/conf', target: '/conf', readOnly: true },
      { type: 'volume', source: 'site_html', target: '/www', readOnly: true },
    ]);
    expect(web.config.labels).toEqual({ team: 'web' });
    expect(web.config.stopGracePeriodMs).toBe(90_000);
    expect(web.config.memoryBytes).toBe(64 * 1024 * 1024);
    expect(web.config.nanoCpus).toBe(5e8);
  });

  test('an inline compose document, with merge keys, and env files beside the spec', async () => {
    const result = await load({
      'prod.yaml': prod,
      'mon.yaml': stack(
        'mon',
        'compose:',
        '  x-base: &base { image: berth-busybox:latest, env_file: [mon.env] }',
        '  services:',
        '    a: { <<: *base, environment: { B: "2" } }',
      ),
      'mon.env': '# comment\nA=1\nB=1\nQ="quoted value"\n',
    });
    expect(result.messages).toEqual([]);
    expect(result.desired.containers[0].config.env).toEqual({ A: '1', B: '2', Q: 'quoted value' });
  });

  test('env file values are interpolated from variables, single-quoted ones stay literal', async () => {
    const result = await load({
      'prod.yaml': prod,
      'mon.yaml': stack('mon', 'composeFile: c.yaml', 'variables: { P: pv }'),
      'c.yaml': yaml('services:', '  a: { image: berth-busybox:latest, env_file: a.env }'),
      'a.env': 'A=${P}\nB="<$P>"\nC=\'${P}\'\nD=$$P\n',
    });
    expect(result.messages).toEqual([]);
    expect(result.desired.containers[0].config.env).toEqual({
      A: 'pv',
      B: '<pv>',
      C: '${P}',
      D: '$P',
    });
  });

  test('connectToDestinationNetwork: the container name only on the destination', async () => {
    const result = await load({
      'prod.yaml': prod,
      'mon.yaml': stack('mon', 'connectToDestinationNetwork: true', 'composeFile: c.yaml'),
      'c.yaml': yaml(
        'services:',
        '  db:',
        '    image: berth-busybox:latest',
        '    networks: { back: { aliases: [database] } }',
        'networks: { back: { internal: true } }',
      ),
    });
    expect(result.messages).toEqual([]);
    expect(result.desired.containers[0].attachments).toEqual([
      { destination: null, network: 'mon_back', aliases: ['database', 'db'] },
      { destination: 'prod', network: 'prod-net', aliases: [] },
    ]);
    expect(result.desired.stackNetworks?.map((n) => [n.name, n.settings.internal])).toEqual([
      ['mon_back', true],
    ]);
  });

  test("an external network that is a destination's is joined like the destination's", async () => {
    const result = await load({
      'prod.yaml': [prod, destination('shared')].join('---\n'),
      'mon.yaml': stack('mon', 'destination: prod', 'composeFile: c.yaml'),
      'c.yaml': yaml(
        'services:',
        '  db: { image: berth-busybox:latest, networks: [default, shared] }',
        'networks: { shared: { external: true } }',
      ),
    });
    expect(result.messages).toEqual([]);
    expect(result.desired.containers[0].attachments).toEqual([
      { destination: null, network: 'mon_default', aliases: ['db'] },
      { destination: 'shared', network: 'shared', aliases: [] },
    ]);
    expect(result.desired.destinationRefs.shared).toEqual(['mon']);
  });

  test('two stacks from one compose file have names of their own', async () => {
    const result = await load({
      'prod.yaml': prod,
      'stacks.yaml': [
        stack('one', 'composeFile: c.yaml'),
        stack('two', 'composeFile: c.yaml'),
      ].join('---\n'),
      'c.yaml': COMPOSE,
    });
    expect(result.messages).toEqual([]);
    expect(result.desired.containers.map((c) => c.name)).toEqual([
      'one-app',
      'one-db',
      'two-app',
      'two-db',
    ]);
    expect(result.desired.containers.flatMap((c) => c.volumes)).toEqual(['one_data', 'two_data']);
  });

  test('healthTimeout defaults to 2m; suspend reaches every service', async () => {
    const result = await load({
      'prod.yaml': prod,
      'stacks.yaml': [
        stack('one', 'composeFile: c.yaml'),
        stack('two', 'composeFile: c.yaml', 'healthTimeout: 30s', 'suspend: true'),
      ].join('---\n'),
      'c.yaml': COMPOSE,
    });
    expect(result.messages).toEqual([]);
    expect(
      result.desired.containers.map((c) => `${c.name} ${c.service?.healthTimeoutMs} ${c.suspend}`),
    ).toEqual([
      'one-app 120000 false',
      'one-db 120000 false',
      'two-app 30000 true',
      'two-db 30000 true',
    ]);
  });
});
