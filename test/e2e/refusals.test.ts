/**
 * What `berth` refuses, through the real CLI and its exit codes: a foreign container holding a
 * resource's name, invalid spec files (no removal while any is invalid), mass removals, an
 * empty specs folder, and a server locked by another live process.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { acquireLock } from '../../src/lock';
import { nextName } from '../../src/labels';
import { TEST_IMAGE, useScope, writeSpec } from '../support/scope';
import {
  application,
  berthContainers,
  cli,
  containerIds,
  converge,
  destination,
  inspect,
  network,
  removeFile,
  writeDocs,
} from './e2e';

describe('a foreign container holding a resource name', () => {
  const scope = useScope('foreign');
  const p = scope.prefix;
  const web = `${p}web`;

  it('is neither adopted nor removed, and the error names it', async () => {
    const dir = scope.specsDir();
    const stranger = await scope.docker.createContainer({
      name: web,
      Image: TEST_IMAGE,
      Cmd: ['sleep', '3600'],
      HostConfig: { NetworkMode: 'none' },
    });
    await stranger.start();
    writeDocs(dir, 'net.yaml', destination(`${p}net`));
    writeDocs(dir, 'web.yaml', application(web));

    const run = await cli(['apply', dir, '--server', scope.server]);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `error: Application ${web}: container '${web}' (${stranger.id.slice(0, 12)}) exists but ` +
        `is not berth's Application ${web} for server '${scope.server}' (labels: no berth ` +
        'labels); remove or rename it, or rename the resource',
    );
    const info = await inspect(scope.docker, web);
    expect([info?.Id, info?.State.Running, info?.Config.Labels]).toEqual([stranger.id, true, {}]);
    expect(await inspect(scope.docker, nextName(web))).toBeNull();
    expect(await network(scope.docker, `${p}net`)).not.toBeNull();

    removeFile(dir, 'web.yaml');
    const again = await cli(['apply', dir, '--server', scope.server]);

    expect(again.code).toBe(0);
    expect((await inspect(scope.docker, web))?.Id).toBe(stranger.id);
  });
});

/** A spec file that is broken in one way, with what `validate` must say about it. */
interface Broken {
  what: string;
  text: (name: string) => string;
  /** `file:line field: ` as the error starts, then a part of its message. */
  where: string;
  says: string;
}

const head = (name: string) =>
  `apiVersion: berth/v1\nkind: Application\nmetadata:\n  name: ${name}\nspec:\n`;

const BROKEN: Broken[] = [
  {
    what: 'a YAML syntax error',
    text: (n) => head(n) + `  image: ${TEST_IMAGE}\n\tpullPolicy: Never\n`,
    where: 'b.yaml:7 spec.pullPolicy: ',
    says: 'invalid YAML: Tabs are not allowed as indentation',
  },
  {
    what: 'a schema error',
    text: (n) => head(n) + `  image: ${TEST_IMAGE}\n  ports: ["not-a-port"]\n`,
    where: 'b.yaml:7 spec.ports[0]: ',
    says: 'must look like "80", "8080:80"',
  },
  {
    what: 'a duplicate key',
    text: (n) => head(n) + `  image: ${TEST_IMAGE}\n  pullPolicy: Never\n  image: ${TEST_IMAGE}\n`,
    where: 'b.yaml:8 spec.image: ',
    says: 'duplicate key, first at line 6',
  },
];

describe('an invalid spec file', () => {
  const scope = useScope('invalid');
  const p = scope.prefix;
  const [a, b, d] = [`${p}a`, `${p}b`, `${p}d`];
  let dir: string;
  let ids: Record<string, string>;

  beforeAll(async () => {
    dir = scope.specsDir();
    writeDocs(dir, 'net.yaml', destination(`${p}net`));
    for (const name of [a, b, d]) {
      writeDocs(dir, `${name.slice(p.length)}.yaml`, application(name));
    }
    await converge(scope, dir);
    ids = await containerIds(scope.docker, p);
  });

  it.each(BROKEN)('with $what fails validate, naming file, line and field', async (broken) => {
    writeSpec(dir, 'b.yaml', broken.text(b));

    const run = await cli(['validate', dir, '--server', scope.server]);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${path.join(dir, broken.where)}${broken.says}`);
  });

  it('with a YAML syntax error names the field where it broke', async () => {
    writeSpec(dir, 'b.yaml', BROKEN[0].text(b));

    const run = await cli(['validate', dir, '--server', scope.server]);

    expect(run.stderr).toContain(`${path.join(dir, 'b.yaml')}:7 spec`);
  });

  it.each(BROKEN.map((broken, i) => ({ ...broken, round: i + 1 })))(
    'with $what: apply creates and updates the rest, removes nothing, exits 1',
    async (broken) => {
      const fresh = `${p}n${broken.round}`;
      writeSpec(dir, 'b.yaml', broken.text(b));
      writeDocs(dir, 'a.yaml', application(a, { command: ['sleep', `${3600 + broken.round}`] }));
      writeDocs(dir, `${fresh.slice(p.length)}.yaml`, application(fresh));
      if (fs.existsSync(path.join(dir, 'd.yaml'))) removeFile(dir, 'd.yaml');

      const run = await cli(['apply', dir, '--server', scope.server]);

      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`${path.join(dir, broken.where)}${broken.says}`);
      expect(run.stderr).toContain(
        `warning: Server ${scope.server}: 2 removal(s) held back while spec files are invalid: ${b}, ${d}`,
      );
      const now = await containerIds(scope.docker, p);
      expect(now).toMatchObject({ [b]: ids[b], [d]: ids[d] });
      expect(now[a]).not.toBe(ids[a]);
      expect((await inspect(scope.docker, a))?.Config.Cmd).toEqual([
        'sleep',
        `${3600 + broken.round}`,
      ]);
      expect((await inspect(scope.docker, fresh))?.State.Running).toBe(true);
      ids = now;
    },
  );
});

describe('berth plan with an invalid spec file', () => {
  const scope = useScope('planbad');
  const p = scope.prefix;

  it('exits 1 and never says Docker matches the specs', async () => {
    const dir = scope.specsDir();
    writeDocs(dir, 'net.yaml', destination(`${p}net`));
    await converge(scope, dir);
    writeSpec(dir, 'b.yaml', BROKEN[1].text(`${p}b`));

    const run = await cli(['plan', dir, '--server', scope.server]);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain(path.join(dir, 'b.yaml'));
    expect(run.stdout).toBe('No changes planned; see the warnings and errors above.\n');
  });
});

describe('mass removal and empty specs', () => {
  const scope = useScope('massprune');
  const p = scope.prefix;
  const names = [1, 2, 3, 4, 5].map((i) => `${p}m${i}`);
  let dir: string;
  let ids: Record<string, string>;

  beforeAll(async () => {
    dir = scope.specsDir();
    writeDocs(dir, 'net.yaml', destination(`${p}net`));
    for (const [i, name] of names.entries()) writeDocs(dir, `m${i + 1}.yaml`, application(name));
    await converge(scope, dir);
    ids = await containerIds(scope.docker, p);
  });

  it('refuses to remove most containers without --allow-mass-prune; changes nothing', async () => {
    for (const i of [2, 3, 4, 5]) removeFile(dir, `m${i}.yaml`);
    writeDocs(dir, 'm1.yaml', application(names[0], { command: ['sleep', '3601'] }));

    const run = await cli(['apply', dir, '--server', scope.server]);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `refusing to remove 4 of 5 berth containers on server '${scope.server}' (more than 50%): ` +
        `${names.slice(1).join(', ')}; if the specs are right, run again with --allow-mass-prune`,
    );
    expect(run.stdout).toBe('Nothing applied: see the messages above.\n');
    expect(await containerIds(scope.docker, p)).toEqual(ids);
    expect((await inspect(scope.docker, names[0]))?.Config.Cmd).toEqual(['sleep', '3600']);
  });

  it('removes them with --allow-mass-prune', async () => {
    const run = await cli(['apply', dir, '--server', scope.server, '--allow-mass-prune']);

    expect(run.code).toBe(0);
    expect(await berthContainers(scope.docker, scope.server)).toEqual([names[0]]);
    expect((await inspect(scope.docker, names[0]))?.Config.Cmd).toEqual(['sleep', '3601']);
  });

  it('refuses an empty or missing specs folder outright and removes nothing', async () => {
    const before = await containerIds(scope.docker, p);
    const empty = scope.specsDir();
    const blank = scope.specsDir();
    writeSpec(blank, 'empty.yaml', '');

    for (const folder of [empty, blank, path.join(empty, 'missing')]) {
      const run = await cli(['apply', folder, '--server', scope.server, '--allow-mass-prune']);

      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/\[SPEC_ROOT\]/);
    }
    expect(await containerIds(scope.docker, p)).toEqual(before);
    expect(await network(scope.docker, `${p}net`)).not.toBeNull();
  });
});

describe('the per-server lock', () => {
  const scope = useScope('lock');
  const p = scope.prefix;
  let dir: string;
  let lockDir: string;

  beforeAll(() => {
    dir = scope.specsDir();
    lockDir = scope.specsDir();
    writeDocs(dir, 'net.yaml', destination(`${p}net`));
    writeDocs(dir, 'app.yaml', application(`${p}app`));
  });

  it('makes apply refuse while a live process holds it, naming the holder', async () => {
    const release = acquireLock(lockDir, scope.server, 'e2e lock holder');
    try {
      const run = await cli(['apply', dir, '--server', scope.server], { BERTH_LOCK_DIR: lockDir });

      expect(run.code).toBe(1);
      expect(run.stderr).toContain(
        `berth: server '${scope.server}' is locked by e2e lock holder (pid ${process.pid}, since `,
      );
      expect(run.stderr).toContain('[LOCKED]');
      expect(await berthContainers(scope.docker, scope.server)).toEqual([]);
      expect(await network(scope.docker, `${p}net`)).toBeNull();
    } finally {
      release();
    }
  });

  it('is taken over when the process that held it is gone', async () => {
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const holder = { pid: Number(gone.stdout), command: 'berth apply', since: '2024-01-01' };
    const file = path.join(lockDir, `${scope.server}.lock`);
    fs.writeFileSync(file, JSON.stringify(holder));

    const run = await cli(['apply', dir, '--server', scope.server], { BERTH_LOCK_DIR: lockDir });

    expect(run.code).toBe(0);
    expect(await berthContainers(scope.docker, scope.server)).toEqual([`${p}app`]);
    expect(fs.existsSync(file)).toBe(false);
  });
});
