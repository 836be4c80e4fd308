/**
 * Network changes on a real engine: aliases and extra destinations change in place; changed
 * network settings and renamed networks keep berth's containers (same IDs, same aliases); a
 * foreign container attached stops berth from recreating, moving or removing a network.
 */
import Docker from 'dockerode';

import { endpointAliases, Peer, resolvesFrom, runPeer } from '../support/dockerx';
import { LABEL, ownerLabels } from '../../src/labels';
import { useScope } from '../support/scope';
import {
  actionsOf,
  application,
  cli,
  containerIds,
  converge,
  destination,
  inspect,
  isRunning,
  network,
  pass,
  writeDocs,
} from './e2e';

/** Names of the networks a container is attached to, sorted. */
async function networksOf(scope: { docker: Docker }, name: string): Promise<string[]> {
  const info = await inspect(scope.docker, name);
  return Object.keys(info?.NetworkSettings.Networks ?? {}).sort();
}

describe('aliases and extra destinations', () => {
  // Both networks are internal, so peers may look up names that do not exist.
  const scope = useScope('alias');
  const p = scope.prefix;
  const one = `${p}one`;
  const two = `${p}two`;
  const app = `${p}app`;
  let dir: string;
  let askOne: Peer;
  let askTwo: Peer;
  let appId: string;

  beforeAll(async () => {
    dir = scope.specsDir();
    writeDocs(
      dir,
      'destinations.yaml',
      destination(one, { internal: true }),
      destination(two, { internal: true }),
    );
    writeDocs(dir, 'app.yaml', application(app, { destination: one, aliases: ['first'] }));
    await converge(scope, dir);
    appId = (await inspect(scope.docker, app))?.Id ?? '';
    [askOne, askTwo] = await Promise.all([
      runPeer(scope, one, { name: 'ask-one' }),
      runPeer(scope, two, { name: 'ask-two' }),
    ]);
  });

  it('changes aliases in place: the new alias resolves, the old one is gone', async () => {
    expect(await resolvesFrom(scope.docker, askOne.id, 'first')).toBe(true);
    writeDocs(dir, 'app.yaml', application(app, { destination: one, aliases: ['second'] }));

    const report = await converge(scope, dir);

    expect(actionsOf(report)).toEqual([`endpoint-realias ${app}`]);
    expect((await inspect(scope.docker, app))?.Id).toBe(appId);
    const aliases = await endpointAliases(scope.docker, app, one);
    expect(aliases).toContain('second');
    expect(aliases).not.toContain('first');
    expect(await resolvesFrom(scope.docker, askOne.id, 'second')).toBe(true);
    expect(await resolvesFrom(scope.docker, askOne.id, 'first')).toBe(false);
    expect((await pass(scope, dir, { dryRun: true })).plan.actions).toEqual([]);
  });

  it('joins and leaves an extra destination in place', async () => {
    const spec = { destination: one, aliases: ['second'] };
    writeDocs(dir, 'app.yaml', application(app, { ...spec, extraDestinations: [two] }));

    const joined = await converge(scope, dir);

    expect(actionsOf(joined)).toEqual([`endpoint-connect ${app}`]);
    expect(await networksOf(scope, app)).toEqual([one, two]);
    expect(await resolvesFrom(scope.docker, askTwo.id, app)).toBe(true);
    expect(await resolvesFrom(scope.docker, askTwo.id, 'second')).toBe(false);

    writeDocs(dir, 'app.yaml', application(app, spec));
    const left = await converge(scope, dir);

    expect(actionsOf(left)).toEqual([`endpoint-disconnect ${app}`]);
    expect(await networksOf(scope, app)).toEqual([one]);
    expect(await resolvesFrom(scope.docker, askTwo.id, app)).toBe(false);
    expect(await isRunning(scope.docker, app)).toBe(true);
    expect((await inspect(scope.docker, app))?.Id).toBe(appId);
  });

  it('keeps the network of a deleted destination while a foreign container is on it', async () => {
    const before = await network(scope.docker, two);
    writeDocs(dir, 'destinations.yaml', destination(one, { internal: true }));

    const kept = await cli(['apply', dir, '--server', scope.server]);

    expect(kept.code).toBe(0);
    expect(kept.stderr).toContain(
      `warning: Destination ${two}: network '${two}' of removed destination ${two} kept: ` +
        `containers are attached: ${askTwo.name}; detach them, then berth removes it`,
    );
    expect((await network(scope.docker, two))?.Id).toBe(before?.Id);

    await scope.docker.getContainer(askTwo.id).remove({ force: true });
    const removed = await converge(scope, dir);
    expect(actionsOf(removed)).toEqual([`network-remove ${two}`]);
    expect(await network(scope.docker, two)).toBeNull();
  });
});

describe('network settings and renames', () => {
  const scope = useScope('netchange');
  const p = scope.prefix;
  const dest = `${p}dest`;
  const [a, b] = [`${p}a`, `${p}b`];
  let dir: string;
  let ids: Record<string, string>;

  /** Writes the destination with these settings, and apps a (alias alpha) and b (beta). */
  function writeSpecs(settings: Record<string, unknown>): void {
    writeDocs(dir, 'dest.yaml', destination(dest, settings));
    writeDocs(
      dir,
      'apps.yaml',
      application(a, { destination: dest, aliases: ['alpha'] }),
      application(b, { destination: dest, aliases: ['beta'] }),
    );
  }

  /** Both apps run with their IDs unchanged, attached to `net` only, with their aliases. */
  async function expectAttached(net: string): Promise<void> {
    expect(await containerIds(scope.docker, p)).toMatchObject(ids);
    for (const [name, alias] of [
      [a, 'alpha'],
      [b, 'beta'],
    ]) {
      expect(await isRunning(scope.docker, name)).toBe(true);
      expect(await networksOf(scope, name)).toEqual([net]);
      expect(await endpointAliases(scope.docker, name, net)).toContain(alias);
    }
  }

  beforeAll(async () => {
    dir = scope.specsDir();
    writeSpecs({ network: `${p}net`, internal: false });
    await converge(scope, dir);
    ids = await containerIds(scope.docker, p);
  });

  it('recreates a network whose settings changed and reattaches berth containers', async () => {
    const old = await network(scope.docker, `${p}net`);
    writeSpecs({ network: `${p}net`, internal: true });

    const report = await converge(scope, dir);

    expect(actionsOf(report)).toEqual([`network-recreate ${dest}`]);
    expect(report.plan.actions[0].reason).toBe('internal false → true');
    const now = await network(scope.docker, `${p}net`);
    expect(now?.Id).not.toBe(old?.Id);
    expect(now?.Internal).toBe(true);
    await expectAttached(`${p}net`);
    const peer = await runPeer(scope, `${p}net`, { name: 'asker' });
    expect(await resolvesFrom(scope.docker, peer.id, 'alpha')).toBe(true);
    expect(await resolvesFrom(scope.docker, peer.id, 'beta')).toBe(true);
    await scope.docker.getContainer(peer.id).remove({ force: true });

    // A reattached container must survive a restart on the new network.
    await scope.docker.getContainer(a).restart({ t: 1 });
    await expectAttached(`${p}net`);
    expect((await pass(scope, dir, { dryRun: true })).plan.actions).toEqual([]);
  });

  it('moves berth containers to a renamed network and removes the old one', async () => {
    writeSpecs({ network: `${p}net2`, internal: true });

    const report = await converge(scope, dir);

    expect(actionsOf(report)).toEqual([`network-move ${dest}`]);
    expect(await network(scope.docker, `${p}net`)).toBeNull();
    expect((await network(scope.docker, `${p}net2`))?.Labels).toMatchObject({
      'berth.server': scope.server,
      'berth.destination': dest,
    });
    await expectAttached(`${p}net2`);
    await scope.docker.getContainer(b).restart({ t: 1 });
    await expectAttached(`${p}net2`);
    expect((await pass(scope, dir, { dryRun: true })).plan.actions).toEqual([]);
  });

  it('finishes a move that was interrupted after a container joined the new network', async () => {
    // As the executor leaves it: net3 made with berth's labels, a joined to it, b not yet.
    const net3 = await scope.docker.createNetwork({
      Name: `${p}net3`,
      CheckDuplicate: true,
      Internal: true,
      Labels: { ...ownerLabels(scope.server, 'Destination', dest), [LABEL.destination]: dest },
    });
    await net3.connect({ Container: ids[a], EndpointConfig: { Aliases: ['alpha'] } });
    writeSpecs({ network: `${p}net3`, internal: true });

    const report = await converge(scope, dir);

    expect(actionsOf(report)).toEqual([`network-move ${dest}`]);
    expect(await network(scope.docker, `${p}net2`)).toBeNull();
    await expectAttached(`${p}net3`);
    expect((await pass(scope, dir, { dryRun: true })).plan.actions).toEqual([]);
  });

  it('neither recreates nor moves a network with a foreign container, naming it', async () => {
    const stranger = await runPeer(scope, `${p}net3`, { name: 'stranger' });
    const before = await network(scope.docker, `${p}net3`);

    writeSpecs({ network: `${p}net3`, internal: false });
    const settings = await cli(['apply', dir, '--server', scope.server]);

    expect(settings.stderr).toContain(
      `warning: Destination ${dest}: network '${p}net3' not recreated ` +
        `(internal true → false): foreign containers are attached: ${stranger.name}`,
    );
    expect(settings.code).toBe(0);
    expect(await network(scope.docker, `${p}net3`)).toMatchObject({
      Id: before?.Id,
      Internal: true,
    });

    writeSpecs({ network: `${p}net4`, internal: true });
    const move = await cli(['apply', dir, '--server', scope.server]);

    expect(move.stderr).toContain(
      `warning: Destination ${dest}: network of destination ${dest} not moved from ` +
        `'${p}net3' to '${p}net4': foreign containers are attached: ${stranger.name}`,
    );
    expect(move.code).toBe(1);
    expect(await network(scope.docker, `${p}net4`)).toBeNull();
    expect((await network(scope.docker, `${p}net3`))?.Id).toBe(before?.Id);
    await expectAttached(`${p}net3`);
  });
});
