/**
 * A compose file as project READMEs print them (fixtures/readme-compose.yaml: anchors and
 * merge keys, env lists and maps, long-form ports and volumes, healthchecks, depends_on with
 * all three conditions, a one-shot job, an internal network with an alias) converges on a real
 * engine with its images replaced by the test image, and a second pass has nothing to do.
 */
import fs from 'node:fs';
import path from 'node:path';

import { endpointAliases, waitFor } from '../support/dockerx';
import { TEST_IMAGE, useScope, writeSpec } from '../support/scope';
import { containerIds, converge, destination, inspect, sh, stackDoc, writeDocs } from './e2e';

const FIXTURE = path.join(__dirname, 'fixtures', 'readme-compose.yaml');

/** The fixture with every `image:` set to the test image; all else as written. */
function readmeCompose(): string {
  const text = fs.readFileSync(FIXTURE, 'utf8');
  const replaced = text.replace(/^( {4}image: ).*$/gm, `$1${TEST_IMAGE}`);
  expect(replaced.match(new RegExp(`image: ${TEST_IMAGE}`, 'g'))).toHaveLength(4);
  return replaced;
}

describe('a compose file from a project README', () => {
  const scope = useScope('stack-readme');
  const p = scope.prefix;
  const forge = `${p}forge`;
  let dir: string;
  let port: number;

  beforeAll(async () => {
    dir = scope.specsDir();
    port = await scope.port();
    writeDocs(dir, 'dest.yaml', destination(`${p}dest`));
    writeSpec(dir, 'forge/compose.yaml', readmeCompose());
    writeDocs(
      dir,
      'forge/stack.yaml',
      stackDoc(forge, {
        destination: `${p}dest`,
        composeFile: 'compose.yaml',
        healthTimeout: '30s',
        variables: { DB_PASSWORD: 's3cret', HTTP_PORT: String(port) },
      }),
    );
  });

  it('converges: services healthy, the job completed, names and aliases in place', async () => {
    await converge(scope, dir);

    const names = Object.keys(await containerIds(scope.docker, `${forge}-`)).sort();
    expect(names).toEqual(['cache', 'db', 'migrate', 'server'].map((s) => `${forge}-${s}`));
    const migrate = await inspect(scope.docker, `${forge}-migrate`);
    expect([migrate?.State.Status, migrate?.State.ExitCode]).toEqual(['exited', 0]);
    const server = await inspect(scope.docker, `${forge}-server`);
    expect(server?.Config.Env).toEqual(
      expect.arrayContaining([
        'GITEA__database__PASSWD=s3cret',
        `GITEA__server__ROOT_URL=http://localhost:${port}/`,
      ]),
    );
    expect(server?.HostConfig.RestartPolicy?.Name).toBe('unless-stopped');
    expect(server?.HostConfig.LogConfig?.Config).toEqual({ 'max-file': '3', 'max-size': '10m' });
    expect(server?.HostConfig.PortBindings).toEqual({
      '3000/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }],
    });

    expect(await sh(scope.docker, `${forge}-server`, 'cat /data/migrated')).toMatch(/^migrated /);
    expect(await sh(scope.docker, `${forge}-server`, 'wget -q -O - http://postgres:5432/')).toBe(
      'db-ok\n',
    );
    const db = await inspect(scope.docker, `${forge}-db`);
    expect(await endpointAliases(scope.docker, db!.Id, `${forge}_backend`)).toEqual(
      expect.arrayContaining(['db', 'postgres']),
    );
    expect((await scope.docker.getNetwork(`${forge}_backend`).inspect()).Internal).toBe(true);
    const health = async (s: string) => (await inspect(scope.docker, `${forge}-${s}`))?.State;
    await waitFor(async () => (await health('server'))?.Health?.Status === 'healthy', 20_000);
    expect((await health('db'))?.Health?.Status).toBe('healthy');
  });

  it('is served on the published loopback port, and a second pass has nothing to do', async () => {
    const page = await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text());
    expect(page).toBe('forge-ok\n');

    const again = await converge(scope, dir);

    expect(again.plan.actions).toEqual([]);
  });
});
