/**
 * A bad agent config is refused before anything else happens: exit 1, a CONFIG error that names
 * the file and line, no lock taken, and no Docker engine asked (DOCKER_HOST names a socket that
 * does not exist, so a Docker error would show if the agent got that far).
 */
import fs from 'node:fs';
import path from 'node:path';

import { cli } from '../e2e/e2e';
import { specsDir, writeSpec } from '../support/scope';

describe('berth agent with a bad config', () => {
  const dir = specsDir('agent-config');
  const locks = path.join(dir, 'locks');
  const env = { BERTH_LOCK_DIR: locks, DOCKER_HOST: `unix://${path.join(dir, 'no-docker.sock')}` };

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('exits 1 with CONFIG and file:line for an unknown key and a missing server', async () => {
    const file = writeSpec(
      dir,
      'bad.yaml',
      `specs: ${dir}\nlisten: 127.0.0.1:1\nschedule: '0 0 * * * *'\nlistne: 127.0.0.1:2\n`,
    );

    const result = await cli(['agent', '--config', file], env);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${file}:4: unknown field 'listne'`);
    expect(result.stderr).toMatch(/server: required/);
    expect(result.stderr).toContain('[CONFIG]');
    expect(result.stderr).not.toMatch(/docker|ENOENT|sock/i);
    expect(result.stdout).toBe(''); // no log line: the agent never started
    expect(fs.existsSync(locks)).toBe(false);
  });

  it('exits 1 with CONFIG for a missing server alone, before touching Docker', async () => {
    const file = writeSpec(dir, 'no-server.yaml', `specs: ${dir}\nlogLevel: debug\n`);

    const result = await cli(['agent', '--config', file], env);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`server: required: add server: NAME to ${file}`);
    expect(result.stderr).toContain('[CONFIG]');
    expect(result.stderr).not.toMatch(/docker|ENOENT|sock/i);
    expect(result.stdout).toBe('');
    expect(fs.existsSync(locks)).toBe(false);
  });
});
