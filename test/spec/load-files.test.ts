import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { BerthError } from '../../src/errors';
import { loadSpecs } from '../../src/spec/load';
import { app, destination, load, tempDir, writeSpecs, yaml } from './helpers';

async function rootError(root: string): Promise<BerthError> {
  const err = await loadSpecs(root, { server: 'web-1' }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(BerthError);
  expect((err as BerthError).code).toBe('SPEC_ROOT');
  return err as BerthError;
}

describe('spec roots that must never mean "remove everything"', () => {
  it('refuses a missing root', async () => {
    const root = path.join(await tempDir(), 'nope');

    const err = await rootError(root);

    expect(err.message).toBe(
      `specs root '${root}' does not exist: create it, or point berth at your specs`,
    );
  });

  it('refuses a root that is a file', async () => {
    const root = path.join(await writeSpecs({ 'web.yaml': destination('prod') }), 'web.yaml');

    const err = await rootError(root);

    expect(err.message).toBe(
      `specs root '${root}' is not a directory: point berth at the folder that holds the specs`,
    );
  });

  it('refuses an empty root', async () => {
    const root = await tempDir();

    const err = await rootError(root);

    expect(err.message).toBe(
      `specs root '${root}' holds no spec documents (*.yaml, *.yml): berth will not take that ` +
        'as "remove everything"; add specs there or point berth at the right folder',
    );
  });

  it('refuses a root whose files hold nothing but comments', async () => {
    const root = await writeSpecs({ 'a.yaml': '# soon\n', 'b/c.yml': '\n\n', 'd.txt': 'x' });

    await rootError(root);
  });

  it('refuses a root whose only specs sit in dot-directories', async () => {
    const root = await writeSpecs({ '.git/web.yaml': destination('prod') });

    await rootError(root);
  });
});

describe('files that cannot be read as specs', () => {
  it('reports an empty file beside good ones, which may be half-written', async () => {
    const result = await load({ 'prod.yaml': destination('prod'), 'web.yaml': '  \n# todo\n' });

    expect(result.messages).toEqual([
      'specs/web.yaml:1: file holds no spec document (it may be half-written): finish it or ' +
        'remove it',
    ]);
    expect(result.desired.complete).toBe(false);
    expect(result.desired.destinations.map((d) => d.name)).toEqual(['prod']);
    expect(result.errors[0].code).toBe('SPEC_SYNTAX');
  });

  it('reports a YAML syntax error with its line and reads nothing of that file', async () => {
    const result = await load({
      'prod.yaml': destination('prod'),
      'web.yaml': app('web', ['image: nginx']) + '---\n' + app('api', ['image: [nginx']),
    });

    expect(result.messages).toEqual([
      'specs/web.yaml:14: invalid YAML: Flow sequence in block collection must be ' +
        'sufficiently indented and end with a ]',
    ]);
    expect(result.errors[0].code).toBe('SPEC_SYNTAX');
    expect(result.errors[0].location).toEqual({
      file: result.files[1],
      line: 14,
      path: '',
    });
    expect(result.desired.containers).toEqual([]);
    expect(result.desired.complete).toBe(false);
  });

  it('reports a duplicate key with the lines of both keys', async () => {
    const result = await load({
      'a.yaml': yaml(
        'apiVersion: berth/v1',
        'kind: Destination',
        'metadata: { name: prod }',
        'spec: {}',
        '---',
        'apiVersion: berth/v1',
        'kind: Application',
        'metadata: { name: web }',
        'spec:',
        '  image: nginx',
        '  env:',
        '    FOO: one',
        '    BAR: two',
        '    FOO: three',
      ),
    });

    expect(result.messages).toEqual([
      'specs/a.yaml:14 spec.env.FOO: duplicate key, first at line 12',
    ]);
    expect(result.errors[0].code).toBe('SPEC_DUPLICATE_KEY');
    expect(result.desired.containers).toEqual([]);
    expect(result.desired.destinations.map((d) => d.name)).toEqual(['prod']);
  });

  it('reports a duplicate top-level key in a flow map', async () => {
    const result = await load({
      'a.yaml': destination('prod') + 'metadata: { name: other }\n',
    });

    expect(result.messages).toEqual(['specs/a.yaml:6 metadata: duplicate key, first at line 3']);
  });

  it('refuses YAML merge keys rather than guessing what they mean', async () => {
    const result = await load({
      'a.yaml': yaml(
        'apiVersion: berth/v1',
        'kind: Destination',
        'metadata: { name: prod }',
        'spec:',
        '  <<: { driver: bridge }',
      ),
    });

    expect(result.messages).toEqual([
      'specs/a.yaml:5 spec["<<"]: YAML merge keys (<<) are not supported: write the fields out',
    ]);
  });

  it('expands anchors and aliases within a document', async () => {
    const result = await load({
      'a.yaml': [destination('prod'), app('web', ['image: &img nginx', 'command: [*img]'])].join(
        '---\n',
      ),
    });

    expect(result.messages).toEqual([]);
    expect(result.desired.containers[0].config.command).toEqual(['nginx']);
  });

  it('reports an alias to an anchor of another document', async () => {
    const result = await load({
      'a.yaml':
        app('web', ['image: nginx', 'env: &env { A: 1 }']) +
        '---\n' +
        app('api', ['image: nginx', 'env: *env']),
    });

    expect(result.messages).toContain(
      'specs/a.yaml:15 spec.env: alias *env has no anchor &env before it in this document',
    );
  });

  it('reports an unreadable path that looks like a spec file', async () => {
    const root = await writeSpecs({ 'prod.yaml': destination('prod') });
    await fs.symlink('missing.yaml', path.join(root, 'broken.yaml'));

    const result = await loadSpecs(root, { server: 'web-1' });

    expect(result.errors.map((e) => e.message)).toEqual([
      `${root}/broken.yaml:1: cannot read the file: ENOENT: no such file or directory, open ` +
        `'${root}/broken.yaml'`,
    ]);
    expect(result.desired.complete).toBe(false);
  });
});
