/**
 * Removals on a real engine: a deleted resource spec removes its container and keeps its named
 * volumes; one server's pass never changes or removes another server's objects.
 */
import fs from 'node:fs';
import path from 'node:path';

import { LABEL } from '../../src/labels';
import { useScope } from '../support/scope';
import {
  actionsOf,
  application,
  berthContainers,
  containerIds,
  converge,
  database,
  destination,
  inspect,
  network,
  pass,
  removeFile,
  sh,
  volumeLabels,
  writeDocs,
} from './e2e';

describe('a deleted resource spec', () => {
  const scope = useScope('remove');
  const p = scope.prefix;
  const [app, db, keep] = [`${p}app`, `${p}db`, `${p}keep`];
  let dir: string;

  beforeAll(async () => {
    dir = scope.specsDir();
    writeDocs(dir, 'net.yaml', destination(`${p}net`));
    writeDocs(dir, 'app.yaml', application(app, { volumes: ['data:/data'] }));
    writeDocs(dir, 'db.yaml', database(db, { volumes: ['data:/data', 'logs:/logs'] }));
    writeDocs(dir, 'keep.yaml', application(keep));
    await converge(scope, dir);
    await sh(scope.docker, db, 'echo precious > /data/rows');
  });

  it('removes an application container and keeps its named volume', async () => {
    const before = await containerIds(scope.docker, p);
    removeFile(dir, 'app.yaml');

    const report = await converge(scope, dir);

    expect(actionsOf(report)).toEqual([`container-remove ${app}`]);
    expect(await inspect(scope.docker, app)).toBeNull();
    expect(await volumeLabels(scope.docker, `${app}_data`)).toMatchObject({
      [LABEL.resource]: app,
    });
    const after = await containerIds(scope.docker, p);
    expect(after).toEqual({ [db]: before[db], [keep]: before[keep] });
  });

  it('removes a database container and keeps all its named volumes and their data', async () => {
    const keepId = (await inspect(scope.docker, keep))?.Id;
    removeFile(dir, 'db.yaml');

    const report = await converge(scope, dir);

    expect(actionsOf(report)).toEqual([`container-remove ${db}`]);
    expect(await inspect(scope.docker, db)).toBeNull();
    for (const v of [`${db}_data`, `${db}_logs`]) {
      expect(await volumeLabels(scope.docker, v)).toMatchObject({ [LABEL.kind]: 'Database' });
    }
    expect((await inspect(scope.docker, keep))?.Id).toBe(keepId);

    // The data is still there: a database declared again finds it.
    writeDocs(dir, 'db.yaml', database(db, { volumes: ['data:/data', 'logs:/logs'] }));
    const back = await converge(scope, dir);
    expect(actionsOf(back)).toEqual([`container-create ${db}`]);
    expect(await sh(scope.docker, db, 'cat /data/rows')).toBe('precious\n');
  });
});

describe('two servers on one engine', () => {
  const a = useScope('two-a');
  const b = useScope('two-b');
  let dirA: string;
  let dirB: string;

  /** What server B has on the engine: containers with ID and start time, network, volume. */
  async function stateOfB() {
    const names = await berthContainers(b.docker, b.server);
    const containers = await Promise.all(names.map((n) => inspect(b.docker, n)));
    return {
      containers: containers.map((c) => [c?.Name, c?.Id, c?.State.StartedAt, c?.State.Running]),
      network: (await network(b.docker, `${b.prefix}net`))?.Id,
      volume: await volumeLabels(b.docker, `${b.prefix}app_data`),
    };
  }

  beforeAll(async () => {
    dirB = b.specsDir();
    writeDocs(dirB, 'net.yaml', destination(`${b.prefix}net`, { server: b.server }));
    writeDocs(
      dirB,
      'apps.yaml',
      application(`${b.prefix}app`, { destination: `${b.prefix}net`, volumes: ['data:/data'] }),
      application(`${b.prefix}other`, { destination: `${b.prefix}net` }),
    );
    await converge(b, dirB);
    dirA = a.specsDir();
    writeDocs(dirA, 'net.yaml', destination(`${a.prefix}net`));
    writeDocs(dirA, 'app.yaml', application(`${a.prefix}app`));
    await converge(a, dirA);
  });

  it('applying as one server with almost no specs leaves the other server alone', async () => {
    const before = await stateOfB();
    expect(before.containers).toHaveLength(2);
    removeFile(dirA, 'app.yaml');
    // The other server's specs in the same folder belong to it (spec.server): not to A.
    for (const file of ['net.yaml', 'apps.yaml']) {
      fs.copyFileSync(path.join(dirB, file), path.join(dirA, `b-${file}`));
    }

    const report = await converge(a, dirA);

    expect(actionsOf(report)).toEqual([`container-remove ${a.prefix}app`]);
    expect(await berthContainers(a.docker, a.server)).toEqual([]);
    expect(await stateOfB()).toEqual(before);
  });

  it("a spec naming the other server's container or network is refused, not adopted", async () => {
    const before = await stateOfB();
    for (const file of ['net.yaml', 'apps.yaml']) removeFile(dirA, `b-${file}`);
    writeDocs(dirA, 'clash.yaml', destination(`${a.prefix}b-net`, { network: `${b.prefix}net` }));
    const other = application(`${b.prefix}other`, { destination: `${a.prefix}net` });
    writeDocs(dirA, 'app.yaml', other);

    const report = await pass(a, dirA);

    const problems = report.plan.problems.map((x) => `${x.code} ${x.resource}`);
    expect(problems).toEqual([`NAME_CLASH ${a.prefix}b-net`, `NAME_CLASH ${b.prefix}other`]);
    expect(report.plan.problems[1].message).toContain(`berth.server=${b.server}`);
    expect(report.plan.actions).toEqual([]);
    expect(await stateOfB()).toEqual(before);
  });
});
