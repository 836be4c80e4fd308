/**
 * Converging a real engine: the basic example end to end (create, idempotent second pass,
 * recreate of exactly what changed, named volumes kept, edits that change nothing), suspended
 * resources, and anonymous volumes carried over a recreate.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

import Docker from 'dockerode';

import { specHash } from '../../src/hash';
import { LABEL } from '../../src/labels';
import { renderPlan } from '../../src/plan/render';
import { loadSpecs } from '../../src/spec/load';
import { endpointAliases, Peer, resolvesFrom, runPeer, waitFor } from '../support/dockerx';
import { RecordingProxy, startRecordingProxy } from '../support/recording-proxy';
import { createScope, Scope, TEST_IMAGE, useScope } from '../support/scope';
import {
  actionsOf,
  application,
  cli,
  containerIds,
  converge,
  destination,
  idOf,
  inspect,
  network,
  pass,
  sh,
  volumeLabels,
  writeDocs,
} from './e2e';
import { copyExample } from './example';

/** Replaces `from` by `to` in a spec file; the text must be there exactly once. */
function edit(dir: string, file: string, from: string, to: string): void {
  const full = path.join(dir, file);
  const text = fs.readFileSync(full, 'utf8');
  expect(text.split(from)).toHaveLength(2);
  fs.writeFileSync(full, text.replace(from, to));
}

/** An HTTP/1.0 GET of / on 127.0.0.1:port, answered as raw text. */
function httpGet(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write('GET / HTTP/1.0\r\n\r\n'));
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

function owner(scope: Scope, kind: string, resource: string, dest: string) {
  return {
    [LABEL.managed]: 'true',
    [LABEL.server]: scope.server,
    [LABEL.kind]: kind,
    [LABEL.resource]: resource,
    [LABEL.destination]: dest,
  };
}

describe('applying the basic example', () => {
  const scope = useScope('example');
  const p = scope.prefix;
  const web = `${p}web`;
  const db = `${p}db`;
  const image2 = `${p}img:v2`;
  let dir: string;
  let port: number;
  let proxy: RecordingProxy;
  let viaProxy: Docker;
  let asker: Peer;

  beforeAll(async () => {
    dir = scope.specsDir();
    port = await scope.port();
    await copyExample(dir, scope, port);
    proxy = await startRecordingProxy();
    viaProxy = new Docker({ socketPath: proxy.socketPath });
  });
  afterAll(async () => {
    await proxy?.close();
    await scope.docker
      .getImage(image2)
      .remove()
      .catch(() => undefined);
  });

  it('creates networks, the named volume and containers, all with berth labels', async () => {
    const planned = await cli(['plan', dir, '--server', scope.server, '--exit-code']);
    expect(planned.code).toBe(2);

    const report = await converge(scope, dir);

    expect(actionsOf(report)).toEqual([
      `network-create ${p}production`,
      `network-create ${p}staging`,
      `volume-create ${db}`,
      `container-create ${db}`,
      `container-create ${web}`,
    ]);
    const prod = await network(scope.docker, `${p}prod`);
    const staging = await network(scope.docker, `${p}staging`);
    expect(prod?.Labels).toEqual(owner(scope, 'Destination', `${p}production`, `${p}production`));
    expect(staging?.Labels).toEqual(owner(scope, 'Destination', `${p}staging`, `${p}staging`));
    expect([prod?.Internal, staging?.Internal]).toEqual([false, true]);
    expect(await volumeLabels(scope.docker, `${db}_data`)).toEqual(
      owner(scope, 'Database', db, `${p}staging`),
    );

    const { desired } = await loadSpecs(dir, { server: scope.server });
    for (const spec of desired.containers) {
      const info = await inspect(scope.docker, spec.name);
      expect(info?.State.Running).toBe(true);
      expect(info?.Config.Labels).toEqual({
        ...owner(scope, spec.kind, spec.name, spec.destination),
        [LABEL.specHash]: specHash(spec.config),
      });
    }
    expect(await endpointAliases(scope.docker, web, `${p}prod`)).toContain('www');
    expect(await endpointAliases(scope.docker, web, `${p}staging`)).not.toContain('www');
    expect(await endpointAliases(scope.docker, db, `${p}staging`)).toContain('db');
    expect(await waitFor(() => httpGet(port), 10_000)).toContain('hello from berth');
    const healthy = async () => (await inspect(scope.docker, web))?.State.Health?.Status;
    expect(await waitFor(async () => (await healthy()) === 'healthy', 20_000, 500)).toBe(true);
  });

  it('applies again with nothing planned, no changing Docker call, the same IDs', async () => {
    const before = await containerIds(scope.docker, p);
    proxy.reset();

    const report = await converge(scope, dir, { docker: viaProxy });

    expect(renderPlan(report.plan)).toBe('No changes. Docker matches the specs.\n');
    expect(proxy.calls.length).toBeGreaterThan(0);
    expect(proxy.changingCalls()).toEqual([]);
    expect(await containerIds(scope.docker, p)).toEqual(before);
    const planned = await cli(['plan', dir, '--server', scope.server, '--exit-code']);
    expect(planned).toMatchObject({ code: 0, stdout: 'No changes. Docker matches the specs.\n' });
  });

  it('recreates only the application whose image changed', async () => {
    await scope.docker.getImage(TEST_IMAGE).tag({ repo: `${p}img`, tag: 'v2' });
    edit(dir, 'web.yaml', `image: ${TEST_IMAGE}`, `image: ${image2}`);
    const before = await containerIds(scope.docker, p);

    const report = await converge(scope, dir);

    expect(actionsOf(report)).toEqual([`container-recreate ${web}`]);
    expect(report.plan.actions[0].reason).toBe(`image changed ${TEST_IMAGE} → ${image2}`);
    const after = await containerIds(scope.docker, p);
    expect(Object.keys(after).sort()).toEqual([db, web]);
    expect(after[db]).toBe(before[db]);
    expect(after[web]).not.toBe(before[web]);
    const info = await inspect(scope.docker, web);
    expect([info?.Config.Image, info?.State.Running]).toEqual([image2, true]);
    expect(await endpointAliases(scope.docker, web, `${p}prod`)).toContain('www');
    expect(Object.keys(info?.NetworkSettings.Networks ?? {}).sort()).toEqual([
      `${p}prod`,
      `${p}staging`,
    ]);
    // Staging is internal: a peer there may ask for names that must not exist.
    asker = await runPeer(scope, `${p}staging`, { name: 'asker' });
    expect(await resolvesFrom(scope.docker, asker.id, web)).toBe(true);
    expect(await resolvesFrom(scope.docker, asker.id, `${web}--next`)).toBe(false);
  });

  it('recreates the application whose image tag now points at another image', async () => {
    const before = await containerIds(scope.docker, p);
    const committed = await scope.docker.getContainer(web).commit({ repo: `${p}img`, tag: 'v2' });

    const report = await converge(scope, dir);

    expect(actionsOf(report)).toEqual([`container-recreate ${web}`]);
    expect(report.plan.actions[0].reason).toMatch(
      new RegExp(`^image ${image2} now points at [0-9a-f]{12} \\(runs [0-9a-f]{12}\\)$`),
    );
    const after = await containerIds(scope.docker, p);
    expect(after[db]).toBe(before[db]);
    expect(after[web]).not.toBe(before[web]);
    expect((await inspect(scope.docker, web))?.Image).toBe(committed.Id);
  });

  it('recreates only the database whose command changed; its volume keeps its data', async () => {
    await sh(scope.docker, db, 'echo kept > /data/marker');
    edit(dir, 'db.yaml', '-p 5432', '-p 5433');
    const before = await containerIds(scope.docker, p);

    const report = await converge(scope, dir);

    expect(actionsOf(report)).toEqual([`container-recreate ${db}`]);
    const after = await containerIds(scope.docker, p);
    expect(after[web]).toBe(before[web]);
    expect(after[db]).not.toBe(before[db]);
    expect(await resolvesFrom(scope.docker, asker.id, 'db')).toBe(true);
    expect(await sh(scope.docker, db, 'cat /data/marker')).toBe('kept\n');
    expect(await sh(scope.docker, db, 'wc -l < /data/boot.log')).toMatch(/^\s*2\s*$/);
    const mounts = (await inspect(scope.docker, db))?.Mounts ?? [];
    expect(mounts.map((m) => [m.Name, m.Destination])).toEqual([[`${db}_data`, '/data']]);
  });

  it('recreates nothing when only display names or the pull policy change', async () => {
    edit(dir, 'destinations.yaml', 'displayName: Production', 'displayName: Live traffic');
    edit(dir, 'web.yaml', 'pullPolicy: Never ', 'pullPolicy: IfNotPresent ');
    edit(dir, 'db.yaml', '  aliases: [db]', '  aliases: [db]\n  displayName: The database');
    const before = await containerIds(scope.docker, p);
    proxy.reset();

    const report = await converge(scope, dir, { docker: viaProxy });

    expect(renderPlan(report.plan)).toBe('No changes. Docker matches the specs.\n');
    expect(proxy.changingCalls()).toEqual([]);
    expect(await containerIds(scope.docker, p)).toEqual(before);
  });
});

describe('a suspended resource', () => {
  const scope = useScope('suspend');
  const p = scope.prefix;
  const app = `${p}app`;
  let dir: string;

  beforeAll(async () => {
    dir = scope.specsDir();
    writeDocs(dir, 'net.yaml', destination(`${p}net`));
    writeDocs(dir, 'app.yaml', application(app));
    await converge(scope, dir);
  });

  it('is left as it is: a changed spec is not applied', async () => {
    const id = await idOf(scope.docker, app);
    writeDocs(dir, 'app.yaml', application(app, { suspend: true, command: ['sleep', '3601'] }));

    const report = await converge(scope, dir);

    expect(renderPlan(report.plan)).toBe(
      `= Application ${app}: suspended\nNo changes. Docker matches the specs.\n`,
    );
    const info = await inspect(scope.docker, app);
    expect([info?.Id, info?.Config.Cmd, info?.State.Running]).toEqual([
      id,
      ['sleep', '3600'],
      true,
    ]);
  });

  it('is not made again after its container was removed by hand, until resumed', async () => {
    await scope.docker.getContainer(app).remove({ force: true });

    const report = await converge(scope, dir);

    expect(report.plan.actions).toEqual([]);
    expect(await inspect(scope.docker, app)).toBeNull();

    writeDocs(dir, 'app.yaml', application(app, { command: ['sleep', '3601'] }));
    const resumed = await converge(scope, dir);
    expect(actionsOf(resumed)).toEqual([`container-create ${app}`]);
    expect((await inspect(scope.docker, app))?.Config.Cmd).toEqual(['sleep', '3601']);
  });
});

describe('anonymous volumes', () => {
  // Cleaned up by hand: the carried volume is mounted by name, so removing the container with
  // its volumes does not remove it, and it has no scoped name or label.
  const scope = createScope('anon');
  const p = scope.prefix;
  const app = `${p}app`;
  let dir: string;
  let volume: string | undefined;
  afterAll(async () => {
    await scope.cleanup();
    if (volume)
      await scope.docker
        .getVolume(volume)
        .remove()
        .catch(() => undefined);
  });

  /** The volume mounted at /cache in the app's container. */
  async function cacheVolume(): Promise<string | undefined> {
    const mounts = (await inspect(scope.docker, app))?.Mounts ?? [];
    return mounts.find((m) => m.Destination === '/cache')?.Name;
  }

  beforeAll(() => {
    dir = scope.specsDir();
    writeDocs(dir, 'net.yaml', destination(`${p}net`));
  });

  it('are carried over a recreate with their files', async () => {
    writeDocs(dir, 'app.yaml', application(app, { volumes: ['/cache'] }));
    await converge(scope, dir);
    volume = await cacheVolume();
    const id = await idOf(scope.docker, app);
    expect(volume).toMatch(/^[0-9a-f]{64}$/);
    await sh(scope.docker, app, 'echo cached > /cache/file');

    const changed = { volumes: ['/cache'], command: ['sleep', '3601'] };
    writeDocs(dir, 'app.yaml', application(app, changed));
    const report = await converge(scope, dir);

    expect(actionsOf(report)).toEqual([`container-recreate ${app}`]);
    expect(await idOf(scope.docker, app)).not.toBe(id);
    expect(await cacheVolume()).toBe(volume);
    expect(await sh(scope.docker, app, 'cat /cache/file')).toBe('cached\n');
    const again = await pass(scope, dir, { dryRun: true });
    expect(again.plan.actions).toEqual([]);
  });

  it('are not carried once the spec no longer declares them', async () => {
    writeDocs(dir, 'app.yaml', application(app, { command: ['sleep', '3602'] }));

    const report = await converge(scope, dir);

    expect(actionsOf(report)).toEqual([`container-recreate ${app}`]);
    expect((await inspect(scope.docker, app))?.Mounts).toEqual([]);
  });
});

describe('a pullPolicy: Always image that cannot be pulled', () => {
  const scope = useScope('pullfail');
  const p = scope.prefix;
  const app = `${p}app`;
  // A local tag whose registry (loopback, nothing listens) refuses every pull.
  const image = `127.0.0.1:1/${p}img:v1`;
  afterAll(() =>
    scope.docker
      .getImage(image)
      .remove()
      .catch(() => undefined),
  );

  it('holds the resource back: its container is neither removed nor recreated', async () => {
    await scope.docker.getImage(TEST_IMAGE).tag({ repo: `127.0.0.1:1/${p}img`, tag: 'v1' });
    const dir = scope.specsDir();
    writeDocs(dir, 'net.yaml', destination(`${p}net`));
    writeDocs(dir, 'app.yaml', application(app, { image, pullPolicy: 'IfNotPresent' }));
    await converge(scope, dir);
    const id = await idOf(scope.docker, app);
    writeDocs(dir, 'app.yaml', application(app, { image, pullPolicy: 'Always' }));

    const run = await cli(['apply', dir, '--server', scope.server]);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${app}: pulling image ${image} failed: `);
    const info = await inspect(scope.docker, app);
    expect([info?.Id, info?.State.Running]).toEqual([id, true]);
  });
});
