import { app, destination, load, yaml } from '../spec/helpers';
import { COMPOSE, stack } from './helpers';

const prod = destination('prod');

/** The messages of a stack `mon` whose compose file `c.yaml` holds `lines`. */
async function composeErrors(...lines: string[]): Promise<string[]> {
  const result = await load({
    'prod.yaml': prod,
    'mon.yaml': stack('mon', 'composeFile: c.yaml', 'variables: { TAG: "1" }'),
    'c.yaml': yaml(...lines),
  });
  expect(result.desired.containers).toEqual([]);
  expect(result.desired.complete).toBe(false);
  return result.messages;
}

describe('refused compose keys', () => {
  test.each([
    ['build', '.', 'berth runs images and does not build them'],
    ['container_name', 'x', 'berth names every container <stack>-<service>'],
    ['network_mode', 'host', "a stack's services join the stack's own networks"],
    ['privileged', 'true', 'berth does not run privileged containers'],
    ['devices', '["/dev/fuse"]', 'berth does not pass host devices'],
    ['secrets', '[token]', 'pass the value through environment'],
    ['configs', '[conf]', 'mount the file with volumes instead'],
    ['profiles', '[debug]', 'berth runs every service of a stack'],
  ])('%s names file, line, stack, service and key, with a reason', async (key, value, why) => {
    const messages = await composeErrors(
      'services:',
      '  web:',
      '    image: berth-busybox:latest',
      `    ${key}: ${value}`,
    );
    expect(messages).toHaveLength(1);
    const who = "stack 'mon' service 'web'";
    const head = `specs/c.yaml:4 services.web.${key}: ${who}: ${key} is refused: `;
    expect(messages[0].startsWith(head)).toBe(true);
    expect(messages[0]).toContain(why);
  });

  test('top-level secrets are refused too; unknown keys are errors with a suggestion', async () => {
    const messages = await composeErrors(
      'services:',
      '  web: { image: berth-busybox:latest, enviroment: [A=1] }',
      'secrets: { token: { file: ./t } }',
    );
    expect(messages).toEqual([
      "specs/c.yaml:2 services.web: stack 'mon' service 'web': unknown field 'enviroment' " +
        "(did you mean 'environment'?)",
      "specs/c.yaml:3 secrets: stack 'mon': secrets is refused: pass the value through " +
        'environment (from spec.variables) or mount a file with volumes',
    ]);
  });
});

describe('bad compose values', () => {
  test('an undefined variable names itself, its file and line', async () => {
    const messages = await composeErrors(
      'services:',
      '  web:',
      '    image: berth-busybox:${TAG}',
      '    environment: { URL: "http://${HOST}/" }',
    );
    expect(messages).toEqual([
      "specs/c.yaml:4 services.web.environment.URL: stack 'mon' service 'web': variable HOST " +
        'is not set and has no default; set it in spec.variables',
    ]);
  });

  test('an external network that is not a destination network is refused', async () => {
    const messages = await composeErrors(
      'services:',
      '  web: { image: berth-busybox:latest, networks: [proxy] }',
      'networks: { proxy: { external: true } }',
    );
    expect(messages).toEqual([
      "specs/c.yaml:3 networks.proxy.external: stack 'mon': external network 'proxy' is not " +
        "the network of a destination on server 'web-1': a stack joins only destinations' " +
        'networks; declare a Destination with network: proxy, or drop external to give the ' +
        'stack a network of its own',
    ]);
  });

  test("aliases on a destination's network; undeclared networks and volumes", async () => {
    const messages = await composeErrors(
      'services:',
      '  web:',
      '    image: berth-busybox:latest',
      '    networks: { prod: { aliases: [www] }, back: }',
      '    volumes: [data:/data, ./rel:/rel]',
      'networks: { prod: { external: true } }',
    );
    expect(messages).toEqual([
      "specs/c.yaml:4 services.web.networks.back: stack 'mon' service 'web': network 'back' " +
        'is not declared: add it under the top-level networks (networks: { back: {} })',
      "specs/c.yaml:4 services.web.networks.prod.aliases: stack 'mon' service 'web': aliases " +
        "on a destination's network are refused: there the service answers to its container " +
        "name only, so that two stacks' services never collide",
      "specs/c.yaml:5 services.web.volumes[0]: stack 'mon' service 'web': volume 'data' is not " +
        'declared: add it under the top-level volumes (volumes: { data: {} }), or write an ' +
        'absolute host path to bind-mount a folder',
      "specs/c.yaml:5 services.web.volumes[1]: stack 'mon' service 'web': host path './rel' " +
        'is relative: write an absolute path, like /srv/mon/conf',
    ]);
  });

  test('depends_on on a missing service, and cycles', async () => {
    expect(
      await composeErrors('services:', '  a: { image: berth-busybox:latest, depends_on: [nope] }'),
    ).toEqual([
      "specs/c.yaml:2 services.a.depends_on[0]: stack 'mon' service 'a': service 'nope' is not " +
        'a service of this stack',
    ]);
    expect(
      await composeErrors(
        'services:',
        '  a: { image: berth-busybox:latest, depends_on: [b] }',
        '  b: { image: berth-busybox:latest, depends_on: { a: { condition: service_healthy } } }',
      ),
    ).toEqual([
      "specs/c.yaml:2 services.a.depends_on[0]: stack 'mon' service 'a': depends_on forms a " +
        'cycle among services a, b: remove one link',
    ]);
  });

  test('a variable without a value, and a shell line with an open quote', async () => {
    const messages = await composeErrors(
      'services:',
      '  a:',
      '    image: berth-busybox:latest',
      '    command: sh -c "echo',
      '    environment: [TOKEN]',
    );
    expect(messages).toEqual([
      "specs/c.yaml:4 services.a.command: stack 'mon' service 'a': no closing \" in: sh -c \"echo",
      "specs/c.yaml:5 services.a.environment[0]: stack 'mon' service 'a': TOKEN has no value: " +
        'berth takes no values from its own environment; write NAME=value, or ${VAR} with VAR ' +
        'set in spec.variables',
    ]);
  });
});

describe('bad Stack documents', () => {
  test('a compose file outside the specs root is refused and not read', async () => {
    const result = await load({
      'prod.yaml': prod,
      'sub/mon.yaml': stack('mon', 'composeFile: ../../elsewhere/compose.yaml'),
    });
    expect(result.messages).toEqual([
      "specs/sub/mon.yaml:6 spec.composeFile: stack 'mon': '../../elsewhere/compose.yaml' " +
        'leaves the specs root; keep the compose file inside the specs folder and name it ' +
        'relative to this file',
    ]);
    expect(result.errors[0].code).toBe('SPEC_PATH');
  });

  test('a missing compose file, an absolute path, and both composeFile and compose', async () => {
    const result = await load({
      'prod.yaml': prod,
      'a.yaml': stack('sa', 'composeFile: nope.yaml'),
      'b.yaml': stack('sb', 'composeFile: /etc/compose.yaml'),
      'c.yaml': stack('sc', 'composeFile: x.yaml', 'compose: { services: {} }'),
    });
    expect(result.messages).toEqual([
      "specs/a.yaml:6 spec.composeFile: stack 'sa': cannot read specs/nope.yaml: no such file",
      'specs/b.yaml:6 spec.composeFile: must be a path relative to this spec file, like ' +
        'monitoring/compose.yaml (it must stay inside the specs folder)',
      "specs/c.yaml:7 spec.compose: stack 'sc': set composeFile or compose, not both",
    ]);
  });

  test('a compose file that no Stack names is one error that says so', async () => {
    const result = await load({
      'prod.yaml': prod,
      'mon.yaml': stack('mon', 'composeFile: compose.yml'),
      'compose.yaml': yaml('x-common: &c { image: berth-busybox:latest }', 'services:', '  a: *c'),
    });
    expect(result.messages).toEqual([
      'specs/compose.yaml:1: this is a compose file that no Stack names: name it in the ' +
        "composeFile of a Stack (relative to the Stack's file), or keep it outside the specs " +
        'folder',
      "specs/mon.yaml:6 spec.composeFile: stack 'mon': cannot read specs/compose.yml: no such file",
    ]);
  });

  test('an env file outside the root is refused', async () => {
    const messages = await composeErrors(
      'services:',
      '  a: { image: berth-busybox:latest, env_file: ../secret.env }',
    );
    expect(messages).toEqual([
      "specs/c.yaml:2 services.a.env_file: stack 'mon' service 'a': '../secret.env' leaves the " +
        'specs root; keep env files inside the specs folder',
    ]);
  });

  test('an undefined variable in an env file names the env file and line', async () => {
    const result = await load({
      'prod.yaml': prod,
      'mon.yaml': stack('mon', 'composeFile: c.yaml', 'variables: { P: "1" }'),
      'c.yaml': yaml('services:', '  a: { image: berth-busybox:latest, env_file: a.env }'),
      'a.env': 'A=${P}\nB=${NOPE}\n',
    });
    expect(result.messages).toEqual([
      "specs/a.env:2: stack 'mon': env file of service 'a': variable NOPE is not set and has " +
        'no default; set it in spec.variables',
    ]);
    expect(result.errors[0].code).toBe('SPEC_VARIABLE');
    expect(result.desired.containers).toEqual([]);
  });

  test('a service container name taken by an application is a name clash', async () => {
    const result = await load({
      'prod.yaml': prod,
      'a.yaml': app('mon-db', ['image: berth-busybox:latest']),
      'mon.yaml': stack('mon', 'composeFile: c.yaml'),
      'c.yaml': COMPOSE,
    });
    expect(result.messages).toEqual([
      "specs/c.yaml:7 services.db: stack 'mon' service 'db': container name 'mon-db' is " +
        "already used by Application 'mon-db' at specs/a.yaml:1 (Docker names are unique per " +
        'server)',
    ]);
    expect(result.desired.containers.map((c) => c.name)).toEqual(['mon-db']);
  });

  test('a broken stack leaves the other documents loading, and removals held', async () => {
    const result = await load({
      'prod.yaml': prod,
      'web.yaml': app('web', ['image: berth-busybox:latest']),
      'mon.yaml': stack('mon', 'compose: { services: { a: { image: "x:${NOPE}" } } }'),
    });
    expect(result.messages).toEqual([
      "specs/mon.yaml:6 spec.compose.services.a.image: stack 'mon' service 'a': variable NOPE " +
        'is not set and has no default; set it in spec.variables',
    ]);
    expect(result.desired.containers.map((c) => c.name)).toEqual(['web']);
    expect(result.desired.complete).toBe(false);
  });
});
