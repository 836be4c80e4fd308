/**
 * Ctrl-C (SIGINT) in the middle of an apply: the action in flight finishes (a recreate ends with
 * its replacement running), nothing new starts, no `--next` container is left, and the exit
 * code says the apply did not complete.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { nextName } from '../../src/labels';
import { waitFor } from '../support/dockerx';
import { useScope } from '../support/scope';
import { application, converge, destination, inspect, ROOT, writeDocs } from './e2e';

describe('apply interrupted by SIGINT during a recreate', () => {
  const scope = useScope('sigint');
  const p = scope.prefix;
  const app = `${p}app`;
  const later = `${p}later`;

  it('finishes the recreate in flight, starts nothing new, and exits 1', async () => {
    const dir = scope.specsDir();
    // `sleep` as PID 1 ignores SIGTERM: stopping the old container takes the whole 4 s grace
    // period, which leaves time to interrupt while the recreate is under way.
    const slow = { stopGracePeriod: '4s' };
    writeDocs(dir, 'a.yaml', destination(`${p}net`), application(app, slow));
    await converge(scope, dir);
    writeDocs(
      dir,
      'a.yaml',
      destination(`${p}net`),
      application(app, { ...slow, command: ['sleep', '3601'] }),
    );
    writeDocs(dir, 'b.yaml', application(later));

    const cli = path.join(ROOT, 'dist', 'src', 'cli.js');
    const child = spawn(process.execPath, [
      cli,
      'apply',
      dir,
      '--server',
      scope.server,
      '--parallelism',
      '1',
    ]);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number>((resolve) => child.once('close', (c) => resolve(c ?? -1)));

    // Started and not finished: the replacement exists beside the old container.
    await waitFor(async () => (await inspect(scope.docker, nextName(app))) !== null, 20_000);
    expect(await inspect(scope.docker, app)).not.toBeNull();
    child.kill('SIGINT');
    const code = await exited;

    expect(code).toBe(1);
    expect(stderr).toContain('SIGINT: finishing the action in flight, then stopping');
    expect(await inspect(scope.docker, nextName(app))).toBeNull();
    const now = await inspect(scope.docker, app);
    expect(now?.State.Running).toBe(true);
    expect(now?.Config.Cmd).toEqual(['sleep', '3601']);
    expect(await inspect(scope.docker, later)).toBeNull();
  });
});
