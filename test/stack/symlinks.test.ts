/**
 * Symlinks must not carry a file from outside the specs root into a stack: the real path of a
 * compose or env file is checked, not only the path the spec names.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { loadSpecs } from '../../src/spec/load';
import { destination, tempDir, writeSpecs, yaml } from '../spec/helpers';
import { stack } from './helpers';

const compose = yaml('services:', '  a: { image: berth-busybox:latest, env_file: app.env }');

/** Loads `files` plus the links (relative path → target); messages name the root `specs`. */
async function loadWithLinks(files: Record<string, string>, links: Record<string, string>) {
  const root = await writeSpecs({ 'prod.yaml': destination('prod'), ...files });
  for (const [rel, target] of Object.entries(links)) {
    await fs.symlink(target, path.join(root, rel));
  }
  const result = await loadSpecs(root, { server: 'web-1' });
  const messages = result.errors.map((e) => e.message.split(root).join('specs'));
  return { result, messages };
}

describe('symlinks out of the specs root', () => {
  it('refuses an env file that links outside the root, and reads none of it', async () => {
    const outside = await tempDir();
    await fs.writeFile(path.join(outside, 'secret.env'), 'TOKEN=hunter2\n');

    const { result, messages } = await loadWithLinks(
      { 'sub/mon.yaml': stack('mon', 'composeFile: c.yaml'), 'sub/c.yaml': compose },
      { 'sub/app.env': path.join(outside, 'secret.env') },
    );

    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(
      /^specs\/sub\/c\.yaml:2 services\.a\.env_file: stack 'mon' service 'a': cannot read env file specs\/sub\/app\.env: it links to .*secret\.env, which leaves the specs root/,
    );
    expect(result.errors[0].code).toBe('SPEC_PATH');
    expect(JSON.stringify(result.desired)).not.toContain('hunter2');
  });

  it('refuses a compose file that links outside the root', async () => {
    const outside = await tempDir();
    await fs.writeFile(path.join(outside, 'outside.yaml'), compose);

    const { result, messages } = await loadWithLinks(
      { 'sub/mon.yaml': stack('mon', 'composeFile: link.yaml') },
      { 'sub/link.yaml': path.join(outside, 'outside.yaml') },
    );

    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(
      /^specs\/sub\/mon\.yaml:6 spec\.composeFile: stack 'mon': cannot read specs\/sub\/link\.yaml: it links to .*outside\.yaml, which leaves the specs root/,
    );
    expect(result.errors[0].code).toBe('SPEC_PATH');
    expect(result.desired.containers).toEqual([]);
  });

  it('still follows links that stay inside the root', async () => {
    const { result } = await loadWithLinks(
      {
        'sub/mon.yaml': stack('mon', 'composeFile: link.yaml'),
        'real/c.compose': yaml(
          'services:',
          '  a: { image: berth-busybox:latest, env_file: a.env }',
        ),
        'real/a.env': 'A=1\n',
      },
      { 'sub/link.yaml': '../real/c.compose', 'sub/a.env': '../real/a.env' },
    );

    expect(result.errors).toEqual([]);
    expect(result.desired.containers.map((c) => c.name)).toEqual(['mon-a']);
  });
});
