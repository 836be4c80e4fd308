/**
 * The safe recreate on a real engine: a replacement that cannot run leaves the old container
 * running (same ID, no `--next` left), with an error that says why; and a `--next` container
 * left by an interrupted recreate is resolved by the next pass.
 */
import { nextName } from '../../src/labels';
import { createOptions } from '../../src/execute/create-options';
import { loadSpecs } from '../../src/spec/load';
import { holdPort, waitFor } from '../support/dockerx';
import { useScope } from '../support/scope';
import {
  actionsOf,
  application,
  cli,
  converge,
  destination,
  idOf,
  inspect,
  isRunning,
  pass,
  writeDocs,
} from './e2e';

describe('a replacement that cannot run', () => {
  const scope = useScope('badrecreate');
  const p = scope.prefix;
  const app = `${p}app`;
  let dir: string;
  let port: number;
  let id: string;

  /** The app as the specs say, published on `hostPort`. */
  function writeApp(spec: Record<string, unknown>, hostPort = port): void {
    writeDocs(dir, 'app.yaml', application(app, { ports: [`127.0.0.1:${hostPort}:80`], ...spec }));
  }

  /** The old container still runs under its name and ID, and no replacement is left. */
  async function expectOldKept(): Promise<void> {
    const info = await inspect(scope.docker, app);
    expect([info?.Id, info?.State.Running]).toEqual([id, true]);
    expect(await inspect(scope.docker, nextName(app))).toBeNull();
  }

  /** A valid spec converges by a recreate, with no clean-up in between. */
  async function expectRecovers(spec: Record<string, unknown>): Promise<void> {
    writeApp(spec);
    const report = await converge(scope, dir);
    expect(actionsOf(report)).toEqual([`container-recreate ${app}`]);
    const info = await inspect(scope.docker, app);
    expect(info?.Id).not.toBe(id);
    expect(info?.State.Running).toBe(true);
    expect(await inspect(scope.docker, nextName(app))).toBeNull();
    id = info?.Id ?? '';
  }

  /** Applies in-process and returns the one failed action's error text. */
  async function failure(): Promise<string> {
    const report = await pass(scope, dir);
    expect(actionsOf(report)).toEqual([`container-recreate ${app}`]);
    expect(report.results.map((r) => r.ok)).toEqual([false]);
    return report.results[0].error ?? '';
  }

  beforeAll(async () => {
    dir = scope.specsDir();
    port = await scope.port();
    writeDocs(dir, 'net.yaml', destination(`${p}net`));
    writeApp({});
    await converge(scope, dir);
    id = await idOf(scope.docker, app);
  });

  it('keeps the old container when the image is absent and pullPolicy is Never', async () => {
    writeApp({ image: `${p}absent:1` });

    const run = await cli(['apply', dir, '--server', scope.server]);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `FAILED Application ${app}: recreate container ${app}: image ${p}absent:1 is not on ` +
        'the engine and pullPolicy is Never; load or build it on this server',
    );
    expect(run.stdout).toBe('0 of 1 action(s) applied, 1 failed.\n');
    await expectOldKept();
    await expectRecovers({ command: ['sleep', '3601'] });
  });

  it('keeps the old container when the image cannot be pulled', async () => {
    writeApp({ image: '127.0.0.1:1/none:latest', pullPolicy: 'IfNotPresent' });

    expect(await failure()).toMatch(/pulling image 127\.0\.0\.1:1\/none:latest failed: .+/);
    await expectOldKept();
    await expectRecovers({ command: ['sleep', '3602'] });
  });

  it('keeps the old container when the new command does not exist', async () => {
    writeApp({ command: ['/no/such/program'] });

    const error = await failure();

    expect(error).toContain(`replacement for ${app} did not start: `);
    expect(error).toMatch(/\/no\/such\/program.*no such file or directory/);
    expect(error).toContain(`the old container ${id.slice(0, 12)} runs again unchanged`);
    await expectOldKept();
    await expectRecovers({ command: ['sleep', '3603'] });
  });

  it('keeps the old container when the new host port is taken by another process', async () => {
    const taken = await holdPort(await scope.port());
    try {
      writeApp({ command: ['sleep', '3603'] }, taken.port);

      const error = await failure();

      expect(error).toContain(`replacement for ${app} did not start: `);
      expect(error).toContain(`127.0.0.1:${taken.port}`);
      expect(error).toMatch(/address already in use/);
      await expectOldKept();
    } finally {
      await taken.close();
    }
    port = taken.port;
    await expectRecovers({ command: ['sleep', '3603'] });
  });
});

describe('a finished one-shot container whose replacement cannot run', () => {
  const scope = useScope('oneshot');
  const p = scope.prefix;
  const job = `${p}job`;

  it('is left as it was, not run again', async () => {
    const dir = scope.specsDir();
    const spec = { restart: 'no', volumes: ['data:/data'] };
    writeDocs(dir, 'net.yaml', destination(`${p}net`));
    writeDocs(dir, 'job.yaml', application(job, { ...spec, command: ['sh', '-c', 'echo ran'] }));
    await converge(scope, dir);
    const done = await waitFor(async () => {
      const info = await inspect(scope.docker, job);
      return info?.State.Status === 'exited' && info;
    });
    writeDocs(dir, 'job.yaml', application(job, { ...spec, command: ['/no/such/program'] }));

    const report = await pass(scope, dir);

    expect(report.results.map((r) => [r.action.type, r.ok])).toEqual([
      ['container-recreate', false],
    ]);
    expect(report.results[0].error).toContain(`the old container ${done.Id.slice(0, 12)} is kept`);
    const info = await inspect(scope.docker, job);
    expect([info?.Id, info?.State.Status, info?.State.StartedAt]).toEqual([
      done.Id,
      'exited',
      done.State.StartedAt,
    ]);
    expect(await inspect(scope.docker, nextName(job))).toBeNull();
  });
});

describe('a replacement left by an interrupted recreate', () => {
  const scope = useScope('interrupted');
  const p = scope.prefix;
  const app = `${p}app`;
  let dir: string;

  /** Creates `<app>--next` as the executor would, from the spec now in the folder. */
  async function makeNext(): Promise<string> {
    const { desired } = await loadSpecs(dir, { server: scope.server });
    const spec = desired.containers.find((c) => c.name === app);
    if (!spec) throw new Error(`no spec for ${app}`);
    const net = await scope.docker.getNetwork(`${p}net`).inspect();
    const created = await scope.docker.createContainer(
      createOptions(spec, scope.server, nextName(app), net.Id),
    );
    return created.id;
  }

  beforeAll(async () => {
    dir = scope.specsDir();
    writeDocs(dir, 'net.yaml', destination(`${p}net`));
    writeDocs(dir, 'app.yaml', application(app));
    await converge(scope, dir);
  });

  it('is removed and the old container started again when the old one exists', async () => {
    const oldId = await idOf(scope.docker, app);
    writeDocs(dir, 'app.yaml', application(app, { command: ['sleep', '3601'] }));
    const nextId = await makeNext();
    // Interrupted after "stop the old container", before the replacement started.
    await scope.docker.getContainer(oldId).stop({ t: 0 });
    writeDocs(dir, 'app.yaml', application(app));

    const report = await converge(scope, dir);

    expect(actionsOf(report)).toEqual([`next-discard ${app}`, `container-start ${app}`]);
    expect(await inspect(scope.docker, nextId)).toBeNull();
    const info = await inspect(scope.docker, app);
    expect([info?.Id, info?.State.Running, info?.Config.Cmd]).toEqual([
      oldId,
      true,
      ['sleep', '3600'],
    ]);
    expect((await pass(scope, dir, { dryRun: true })).plan.actions).toEqual([]);
  });

  it('is promoted under the real name when the old container is gone', async () => {
    const oldId = await idOf(scope.docker, app);
    writeDocs(dir, 'app.yaml', application(app, { command: ['sleep', '3602'] }));
    const nextId = await makeNext();
    // Interrupted after the replacement started and the old container was removed.
    await scope.docker.getContainer(nextId).start();
    await scope.docker.getContainer(oldId).remove({ force: true });

    const report = await converge(scope, dir);

    expect(actionsOf(report)).toEqual([`next-promote ${app}`]);
    expect(await inspect(scope.docker, nextName(app))).toBeNull();
    const info = await inspect(scope.docker, app);
    expect([info?.Id, info?.State.Running, info?.Config.Cmd]).toEqual([
      nextId,
      true,
      ['sleep', '3602'],
    ]);
    expect(await isRunning(scope.docker, app)).toBe(true);
    expect((await pass(scope, dir, { dryRun: true })).plan.actions).toEqual([]);
  });

  it('is promoted and started when it never ran and the old container is gone', async () => {
    const oldId = await idOf(scope.docker, app);
    writeDocs(dir, 'app.yaml', application(app, { command: ['sleep', '3603'] }));
    const nextId = await makeNext();
    await scope.docker.getContainer(oldId).remove({ force: true });

    const report = await converge(scope, dir);

    expect(actionsOf(report)).toEqual([`next-promote ${app}`, `container-start ${app}`]);
    const info = await inspect(scope.docker, app);
    expect([info?.Id, info?.State.Running]).toEqual([nextId, true]);
    expect(await inspect(scope.docker, nextName(app))).toBeNull();
  });
});
