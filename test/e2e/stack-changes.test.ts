/**
 * Changing a running stack on a real engine: an edited service is the only container
 * recreated and its named volume keeps its data; a dropped service loses its container only;
 * a compose file that berth refuses (a refused key, an undefined variable, an external network
 * that is no destination's, a path outside the specs root) is an error that names stack,
 * service and key, and the running containers stay exactly as they were.
 */
import { useScope } from '../support/scope';
import {
  actionsOf,
  containerIds,
  converge,
  destination,
  inspect,
  pass,
  removeFile,
  sh,
  stackDoc,
  writeCompose,
  writeDocs,
} from './e2e';
import { service, twoServices } from './stack-support';

describe('editing a running stack', () => {
  const scope = useScope('stack-edit');
  const p = scope.prefix;
  const shop = `${p}shop`;
  let dir: string;

  const writeStack = (spec: Record<string, unknown> = {}) =>
    writeDocs(
      dir,
      'shop.yaml',
      stackDoc(shop, { destination: `${p}dest`, composeFile: 'compose.yaml', ...spec }),
    );

  beforeAll(async () => {
    dir = scope.specsDir();
    writeDocs(dir, 'dest.yaml', destination(`${p}dest`));
    writeCompose(dir, 'compose.yaml', twoServices());
    writeStack({ variables: { WHO: 'first' } });
    await converge(scope, dir);
    await sh(scope.docker, `${shop}-db`, 'echo kept > /data/proof');
  });

  it('recreates only the edited service; its named volume keeps the data', async () => {
    const before = await containerIds(scope.docker, `${shop}-`);
    writeStack({ variables: { WHO: 'second' } });

    const report = await converge(scope, dir);

    expect(actionsOf(report)).toEqual([`container-recreate ${shop}`]);
    const after = await containerIds(scope.docker, `${shop}-`);
    expect(after[`${shop}-app`]).toBe(before[`${shop}-app`]);
    expect(after[`${shop}-db`]).not.toBe(before[`${shop}-db`]);
    expect(await sh(scope.docker, `${shop}-db`, 'cat /data/proof')).toBe('kept\n');
    expect((await inspect(scope.docker, `${shop}-db`))?.Config.Env).toContain('WHO=second');
  });

  it('a service dropped from the compose file loses its container, not its volume', async () => {
    const before = await containerIds(scope.docker, `${shop}-`);
    const compose = twoServices() as { services: Record<string, unknown> };
    writeCompose(dir, 'compose.yaml', {
      services: { db: compose.services.db },
      volumes: { data: null },
    });
    writeStack({ variables: { WHO: 'second' } });

    const report = await converge(scope, dir);

    expect(actionsOf(report)).toEqual([`container-remove ${shop}`]);
    expect(await containerIds(scope.docker, `${shop}-`)).toEqual({
      [`${shop}-db`]: before[`${shop}-db`],
    });
    expect(await sh(scope.docker, `${shop}-db`, 'cat /data/proof')).toBe('kept\n');
  });
});

describe('a refused compose file leaves the running stack alone', () => {
  const scope = useScope('stack-refuse');
  const p = scope.prefix;
  const shop = `${p}shop`;
  let dir: string;
  let running: Record<string, string>;

  const writeStack = (spec: Record<string, unknown>) =>
    writeDocs(
      dir,
      'stacks/shop.yaml',
      stackDoc(shop, { destination: `${p}dest`, composeFile: 'compose.yaml', ...spec }),
    );

  /** One pass over the specs: its spec errors, after checking that nothing changed. */
  async function refused(): Promise<string[]> {
    const report = await pass(scope, dir);

    expect(report.plan.actions).toEqual([]);
    expect(report.results).toEqual([]);
    expect(await containerIds(scope.docker, `${shop}-`)).toEqual(running);
    for (const name of Object.keys(running)) {
      expect((await inspect(scope.docker, name))?.State.Running).toBe(true);
    }
    return report.specErrors.map((e) => e.message.replace(dir, 'DIR'));
  }

  beforeAll(async () => {
    dir = scope.specsDir();
    writeDocs(dir, 'dest.yaml', destination(`${p}dest`));
    writeCompose(dir, 'stacks/compose.yaml', twoServices());
    writeStack({ variables: { WHO: 'shop' } });
    await converge(scope, dir);
    running = await containerIds(scope.docker, `${shop}-`);
    expect(Object.keys(running).sort()).toEqual([`${shop}-app`, `${shop}-db`]);
  });

  it('a refused key names stack, service and key, and says what to do', async () => {
    const compose = twoServices() as { services: Record<string, Record<string, unknown>> };
    compose.services.app = { ...compose.services.app, build: '.' };
    writeCompose(dir, 'stacks/compose.yaml', compose);

    const [message, ...more] = await refused();

    expect(more).toEqual([]);
    expect(message).toMatch(
      new RegExp(
        `^DIR/stacks/compose\\.yaml:\\d+ services\\.app\\.build: stack '${shop}' service ` +
          "'app': build is refused: berth runs images and does not build them",
      ),
    );
  });

  it('an undefined variable is named, never replaced by an empty text', async () => {
    writeCompose(dir, 'stacks/compose.yaml', twoServices());
    writeStack({ variables: {} });

    expect(await refused()).toEqual([
      expect.stringMatching(
        new RegExp(
          `services\\.db\\.environment\\[0\\]: stack '${shop}' service 'db': variable WHO is ` +
            'not set and has no default; set it in spec.variables$',
        ),
      ),
    ]);
  });

  it('an external network must be the network of a destination', async () => {
    writeStack({ variables: { WHO: 'shop' } });
    writeCompose(dir, 'stacks/compose.yaml', {
      services: { app: service('sleep 3600', { networks: ['proxy'] }) },
      networks: { proxy: { external: true } },
    });

    expect(await refused()).toEqual([
      expect.stringContaining(
        `networks.proxy.external: stack '${shop}': external network 'proxy' is not the ` +
          `network of a destination on server '${scope.server}'`,
      ),
    ]);
  });

  it('a compose file outside the specs root is refused before it is read', async () => {
    // Named by no stack now, the file in the folder would be read as a spec file.
    removeFile(dir, 'stacks/compose.yaml');
    writeStack({ variables: { WHO: 'shop' }, composeFile: '../../compose.yaml' });

    expect(await refused()).toEqual([
      `DIR/stacks/shop.yaml:7 spec.composeFile: stack '${shop}': '../../compose.yaml' leaves ` +
        'the specs root; keep the compose file inside the specs folder and name it relative ' +
        'to this file',
    ]);
  });
});
