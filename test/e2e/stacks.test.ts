/**
 * Stacks on a real engine: service names on the stack's own network, the destination
 * connection turned on and off in place, two stacks from one compose file side by side, and
 * removal of a stack (its volumes stay). The destination network is internal, so a peer there
 * may ask for names that do not exist: no query leaves the machine.
 */
import { endpointAliases, Peer, resolvesFrom, runPeer } from '../support/dockerx';
import { useScope } from '../support/scope';
import {
  actionsOf,
  containerIds,
  converge,
  destination,
  network,
  removeFile,
  sh,
  stackDoc,
  volumeLabels,
  writeCompose,
  writeDocs,
} from './e2e';
import { fetchScript, twoServices } from './stack-support';

describe('stacks and the destination network', () => {
  const scope = useScope('stacks');
  const p = scope.prefix;
  const dest = `${p}dest`;
  const [one, two] = [`${p}one`, `${p}two`];
  let dir: string;
  let onStack: Peer;
  let onDest: Peer;

  const writeStack = (name: string, connect: boolean) =>
    writeDocs(
      dir,
      `${name}.yaml`,
      stackDoc(name, {
        destination: dest,
        composeFile: 'compose.yaml',
        connectToDestinationNetwork: connect,
        variables: { WHO: name },
      }),
    );

  beforeAll(async () => {
    dir = scope.specsDir();
    writeDocs(dir, 'dest.yaml', destination(dest, { internal: true }));
    writeCompose(dir, 'compose.yaml', twoServices());
    writeStack(one, false);
    await converge(scope, dir);
    [onStack, onDest] = await Promise.all([
      runPeer(scope, `${one}_default`, { name: 'ask-stack' }),
      runPeer(scope, dest, { name: 'ask-dest' }),
    ]);
  });

  it('comes up: service names on the stack network, none of its names on the destination', async () => {
    expect(await resolvesFrom(scope.docker, onStack.id, 'app')).toBe(true);
    expect(await resolvesFrom(scope.docker, onStack.id, 'db')).toBe(true);
    expect(await sh(scope.docker, onStack.id, fetchScript('db'))).toContain(one);

    const attached = Object.keys((await network(scope.docker, dest))?.Containers ?? {});
    expect(attached).toEqual([onDest.id]);
    expect(await resolvesFrom(scope.docker, onDest.id, onDest.name)).toBe(true);
    for (const name of ['app', 'db', `${one}-app`, `${one}-db`]) {
      expect(await resolvesFrom(scope.docker, onDest.id, name)).toBe(false);
    }
  });

  it('the connection on and off connects and disconnects, keeping every container', async () => {
    const before = await containerIds(scope.docker, `${one}-`);
    writeStack(one, true);
    const on = await converge(scope, dir);

    expect(actionsOf(on)).toEqual([`endpoint-connect ${one}`, `endpoint-connect ${one}`]);
    expect(await containerIds(scope.docker, `${one}-`)).toEqual(before);
    expect(await resolvesFrom(scope.docker, onDest.id, `${one}-app`)).toBe(true);
    expect(await resolvesFrom(scope.docker, onDest.id, 'app')).toBe(false);
    const aliases = await endpointAliases(scope.docker, before[`${one}-app`], dest);
    expect(aliases).toEqual([before[`${one}-app`].slice(0, 12)]);

    writeStack(one, false);
    const off = await converge(scope, dir);
    expect(actionsOf(off)).toEqual([`endpoint-disconnect ${one}`, `endpoint-disconnect ${one}`]);
    expect(await containerIds(scope.docker, `${one}-`)).toEqual(before);
    expect(await resolvesFrom(scope.docker, onDest.id, `${one}-app`)).toBe(false);
  });

  it('two stacks from one compose file: own db by its bare name, <stack>-db outside', async () => {
    writeStack(one, true);
    writeStack(two, true);
    await converge(scope, dir);

    expect(await sh(scope.docker, `${one}-app`, fetchScript('db'))).toContain(one);
    expect(await sh(scope.docker, `${two}-app`, fetchScript('db'))).toContain(two);
    expect(await sh(scope.docker, onDest.id, fetchScript(`${two}-db`))).toContain(two);
    for (const stack of [one, two]) {
      const id = (await containerIds(scope.docker, `${stack}-db`))[`${stack}-db`];
      expect(await endpointAliases(scope.docker, id, dest)).toEqual([id.slice(0, 12)]);
      expect(await endpointAliases(scope.docker, id, `${stack}_default`)).toContain('db');
    }
    expect(await resolvesFrom(scope.docker, onDest.id, `${one}-db`)).toBe(true);
    expect(await resolvesFrom(scope.docker, onDest.id, 'db')).toBe(false);
  });

  it('removing a stack spec removes containers and networks, keeps volumes', async () => {
    removeFile(dir, `${two}.yaml`);
    const report = await converge(scope, dir);

    expect(actionsOf(report).sort()).toEqual([
      `container-remove ${two}`,
      `container-remove ${two}`,
      `network-remove ${two}`,
    ]);
    expect(await containerIds(scope.docker, `${two}-`)).toEqual({});
    expect(await network(scope.docker, `${two}_default`)).toBeNull();
    expect(await volumeLabels(scope.docker, `${two}_data`)).toMatchObject({
      'berth.kind': 'Stack',
      'berth.resource': two,
    });
    expect(Object.keys(await containerIds(scope.docker, `${one}-`))).toHaveLength(2);
  });
});
