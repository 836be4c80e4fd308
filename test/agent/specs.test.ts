import { AgentLoad, LastGood, refusedText, snapshotReader } from '../../src/agent/specs';
import { BerthError } from '../../src/errors';
import { app, destination } from '../spec/helpers';

/** The snapshot is all a LastGood reads: the root only names files in messages. */
const ROOT = '/specs';

const destinations = destination('production', 'network: prod-net');
const web = app('web', ['destination: production', 'image: berth-busybox:latest']);
const db = app('db', ['destination: production', 'image: berth-busybox:latest'], 'Database');
/** web with a misspelt field on line 7 (the schema rejects unknown keys). */
const webTypo = app('web', [
  'destination: production',
  'image: berth-busybox:latest',
  'imagePullPolicy: Never',
]);
const webNewImage = app('web', ['destination: production', 'image: berth-busybox:2']);
const api = app('api', ['destination: production', 'image: berth-busybox:latest']);
/** api with `image` misspelt on line 7. */
const apiTypo = app('api', ['destination: production', 'imgae: berth-busybox:latest']);

function snapshot(files: Record<string, string>): Map<string, string> {
  return new Map(Object.entries(files));
}

/** What a pass would converge to and report, in a form that reads well in a test. */
function summary(load: AgentLoad) {
  return {
    containers: load.desired.containers.map((c) => `${c.name} ${c.config.image}`),
    destinations: load.desired.destinations.map((d) => d.name),
    complete: load.desired.complete,
    errors: load.errors.map((e) => e.message.split(ROOT + '/').join('')),
    stale: load.stale,
  };
}

describe('LastGood', () => {
  let lastGood: LastGood;
  const pass = async (files: Record<string, string>) =>
    summary(await lastGood.load(snapshot(files)));

  beforeEach(() => {
    lastGood = new LastGood(ROOT, 'web-1');
  });

  it('loads valid files as they are, complete', async () => {
    expect(await pass({ 'dest.yaml': destinations, 'web.yaml': web, 'db.yaml': db })).toEqual({
      containers: ['db berth-busybox:latest', 'web berth-busybox:latest'],
      destinations: ['production'],
      complete: true,
      errors: [],
      stale: [],
    });
  });

  it('the same files load once: a pass that finds them unchanged reuses the state', async () => {
    const files = { 'dest.yaml': destinations, 'web.yaml': web };
    const first = await lastGood.load(snapshot(files));

    expect(await lastGood.load(snapshot(files))).toBe(first);
    const changed = await lastGood.load(snapshot({ ...files, 'web.yaml': webNewImage }));
    expect(changed).not.toBe(first);
    expect(summary(changed).containers).toEqual(['web berth-busybox:2']);
  });

  it('resources whose last good text fails too stay known as missing, not converged', async () => {
    // web names no destination: fine while there is exactly one, ambiguous once a second comes.
    const bare = app('web', ['image: berth-busybox:latest']);
    await lastGood.load(snapshot({ 'dest.yaml': destinations, 'web.yaml': bare }));

    const staging = destination('staging', 'network: staging-net');
    const load = await lastGood.load(
      snapshot({ 'dest.yaml': destinations, 'staging.yaml': staging, 'web.yaml': bare }),
    );

    expect(load.desired.containers).toEqual([]);
    expect(load.desired.complete).toBe(false);
    expect(load.missing.map((c) => c.name)).toEqual(['web']);
    expect(summary(load).errors.join('\n')).toMatch(/^web\.yaml:/);

    const back = await lastGood.load(snapshot({ 'dest.yaml': destinations, 'web.yaml': bare }));
    expect(back.missing).toEqual([]);
    expect(back.desired.containers.map((c) => c.name)).toEqual(['web']);
  });

  it('a file the watcher refused to read is invalid: its last good text stays, nothing goes', async () => {
    await pass({ 'dest.yaml': destinations, 'web.yaml': web });

    const refused = refusedText(
      'it links to /etc/x.yaml, outside the specs root: copy the file in',
    );
    expect(await pass({ 'dest.yaml': destinations, 'web.yaml': refused })).toEqual({
      containers: ['web berth-busybox:latest'],
      destinations: ['production'],
      complete: false,
      errors: [
        'web.yaml:1: cannot read the file: it links to /etc/x.yaml, outside the specs root: copy the file in',
      ],
      stale: ['web.yaml'],
    });
  });

  it("a Stack's compose file the watcher refused keeps its last good text in force", async () => {
    const stack = [
      'apiVersion: berth/v1',
      'kind: Stack',
      'metadata:',
      '  name: mon',
      'spec:',
      '  destination: production',
      '  composeFile: mon/compose.yaml',
      '',
    ].join('\n');
    const compose = 'services:\n  app:\n    image: berth-busybox:latest\n';
    const files = { 'dest.yaml': destinations, 'mon.yaml': stack, 'mon/compose.yaml': compose };
    expect((await pass(files)).containers).toEqual(['mon-app berth-busybox:latest']);

    const link = refusedText('it links to /etc/compose.yaml, outside the specs root');
    const load = await lastGood.load(snapshot({ ...files, 'mon/compose.yaml': link }));
    expect(summary(load).containers).toEqual(['mon-app berth-busybox:latest']);
    expect(load.desired.complete).toBe(false);
    expect(load.missing).toEqual([]);

    // Then a real file again, but invalid: still the last good text, never the link's error.
    const broken = 'services:\n  app:\n    image: berth-busybox:latest\n    privileged: true\n';
    const again = await lastGood.load(snapshot({ ...files, 'mon/compose.yaml': broken }));
    expect(summary(again).containers).toEqual(['mon-app berth-busybox:latest']);
    expect(summary(again).errors.join('\n')).not.toMatch(/links to/);
  });

  it('keeps the last good text of a file with a bad field, then takes the fixed one', async () => {
    await pass({ 'dest.yaml': destinations, 'web.yaml': web });

    expect(await pass({ 'dest.yaml': destinations, 'web.yaml': webTypo })).toEqual({
      containers: ['web berth-busybox:latest'],
      destinations: ['production'],
      complete: false,
      errors: [expect.stringMatching(/^web\.yaml:8 spec(\.imagePullPolicy)?: .*imagePullPolicy/)],
      stale: ['web.yaml'],
    });
    expect(await pass({ 'dest.yaml': destinations, 'web.yaml': webNewImage })).toEqual({
      containers: ['web berth-busybox:2'],
      destinations: ['production'],
      complete: true,
      errors: [],
      stale: [],
    });
  });

  it('the last good text is the last valid one, not the first', async () => {
    await pass({ 'dest.yaml': destinations, 'web.yaml': web });
    await pass({ 'dest.yaml': destinations, 'web.yaml': webNewImage });

    const load = await pass({ 'dest.yaml': destinations, 'web.yaml': webTypo });

    expect(load.containers).toEqual(['web berth-busybox:2']);
  });

  it('a file truncated to empty among others keeps its last good text in force', async () => {
    await pass({ 'dest.yaml': destinations, 'web.yaml': web, 'db.yaml': db });

    expect(await pass({ 'dest.yaml': destinations, 'web.yaml': '', 'db.yaml': db })).toEqual({
      containers: ['db berth-busybox:latest', 'web berth-busybox:latest'],
      destinations: ['production'],
      complete: false,
      errors: [expect.stringMatching(/^web\.yaml:1: .*half-written/)],
      stale: ['web.yaml'],
    });
  });

  it('the only spec file truncated to empty keeps its last good text in force', async () => {
    const all = destinations + '---\n' + web;
    await pass({ 'all.yaml': all });

    for (const empty of ['', '\n', '# nothing yet\n']) {
      expect(await pass({ 'all.yaml': empty })).toEqual({
        containers: ['web berth-busybox:latest'],
        destinations: ['production'],
        complete: false,
        errors: [expect.stringMatching(/^all\.yaml:1: .*last good version stays in force/)],
        stale: ['all.yaml'],
      });
    }
  });

  it('all spec files empty: those with a last good text stay, others add nothing', async () => {
    await pass({ 'dest.yaml': destinations, 'web.yaml': web });

    const load = await pass({ 'dest.yaml': '', 'web.yaml': '', 'new.yaml': '' });

    expect(load).toMatchObject({
      containers: ['web berth-busybox:latest'],
      destinations: ['production'],
      complete: false,
      stale: ['dest.yaml', 'web.yaml'],
    });
    expect(load.errors.map((e) => e.split(':')[0])).toEqual(['dest.yaml', 'web.yaml']);
  });

  it('an empty root with no last good text is an error, never "remove all"', async () => {
    await expect(lastGood.load(snapshot({ 'web.yaml': '' }))).rejects.toMatchObject({
      code: 'SPEC_ROOT',
    });
    await expect(lastGood.load(snapshot({}))).rejects.toBeInstanceOf(BerthError);
  });

  it('a file deleted is gone: its resources leave the desired state, complete', async () => {
    await pass({ 'dest.yaml': destinations, 'web.yaml': web, 'db.yaml': db });

    expect(await pass({ 'dest.yaml': destinations, 'db.yaml': db })).toEqual({
      containers: ['db berth-busybox:latest'],
      destinations: ['production'],
      complete: true,
      errors: [],
      stale: [],
    });
  });

  it('a file deleted and later written again invalid has no last good text left', async () => {
    await pass({ 'dest.yaml': destinations, 'web.yaml': web });
    await pass({ 'dest.yaml': destinations });

    const load = await pass({ 'dest.yaml': destinations, 'web.yaml': webTypo });

    expect(load).toMatchObject({ containers: [], complete: false, stale: [] });
  });

  it('a new invalid file adds nothing, and the pass removes nothing while it stands', async () => {
    await pass({ 'dest.yaml': destinations, 'db.yaml': db });

    expect(await pass({ 'dest.yaml': destinations, 'db.yaml': db, 'web.yaml': webTypo })).toEqual({
      containers: ['db berth-busybox:latest'],
      destinations: ['production'],
      complete: false,
      errors: [expect.stringMatching(/^web\.yaml:8 /)],
      stale: [],
    });
  });

  it('an invalid file that was never good, even on the first pass, adds nothing', async () => {
    const load = await pass({ 'dest.yaml': destinations, 'web.yaml': webTypo });

    expect(load).toMatchObject({ containers: [], destinations: ['production'], complete: false });
  });

  it('a YAML syntax error names file and line, and the last good text stays', async () => {
    await pass({ 'dest.yaml': destinations, 'web.yaml': web });
    const broken = web.replace('image: berth-busybox:latest', 'image: [berth-busybox');

    const load = await pass({ 'dest.yaml': destinations, 'web.yaml': broken });

    expect(load.containers).toEqual(['web berth-busybox:latest']);
    expect(load.errors).toEqual([expect.stringMatching(/^web\.yaml:\d+.*: invalid YAML/)]);
    expect(load.stale).toEqual(['web.yaml']);
  });

  it('errors carry file, line and field path, the root named as it was given', async () => {
    await pass({ 'dest.yaml': destinations, 'apps/web.yaml': web });

    const load = await lastGood.load(
      snapshot({ 'dest.yaml': destinations, 'apps/web.yaml': webTypo }),
    );

    expect(load.errors).toHaveLength(1);
    expect(load.errors[0].location).toEqual({
      file: '/specs/apps/web.yaml',
      line: 8,
      path: expect.stringMatching(/^spec/),
    });
    expect(load.stale).toEqual(['apps/web.yaml']);
    expect(load.desired.containers[0].source).toEqual({ file: '/specs/apps/web.yaml', line: 1 });
  });

  it('a file that is invalid now still claims the names its current text declares', async () => {
    // web moves from a.yaml to b.yaml, but a.yaml is saved with a typo in web itself.
    await pass({ 'dest.yaml': destinations, 'a.yaml': web });

    const load = await pass({
      'dest.yaml': destinations,
      'a.yaml': webTypo,
      'b.yaml': webNewImage,
    });

    expect(load).toEqual({
      containers: ['web berth-busybox:latest'],
      destinations: ['production'],
      complete: false,
      errors: [
        expect.stringMatching(/^a\.yaml:8 /),
        expect.stringMatching(/^b\.yaml:4 metadata\.name: .*'web' is already used .*a\.yaml:1/),
      ],
      stale: ['a.yaml'],
    });
  });

  it("a valid file clashing with another's last good text: no throw, it says why", async () => {
    // web moves from a.yaml to b.yaml, and a.yaml is saved with a typo in api: the last good
    // a.yaml still declares web, so b.yaml's web cannot run beside it, and the errors say so.
    await pass({ 'dest.yaml': destinations, 'a.yaml': web + '---\n' + api });

    const load = await pass({
      'dest.yaml': destinations,
      'a.yaml': apiTypo,
      'b.yaml': webNewImage,
    });

    expect(load).toEqual({
      containers: ['api berth-busybox:latest', 'web berth-busybox:latest'],
      destinations: ['production'],
      complete: false,
      errors: [
        expect.stringMatching(/^a\.yaml:\d+ /),
        expect.stringMatching(/^a\.yaml:7 spec: unknown field 'imgae'/),
        expect.stringMatching(
          /^b\.yaml:4 metadata\.name: .*'web' is already used .*a\.yaml:1.*last good version/,
        ),
      ],
      stale: ['a.yaml'],
    });
  });

  it('destinations of a stale file stay in force for the resources that name them', async () => {
    await pass({ 'dest.yaml': destinations, 'web.yaml': web });
    const destTypo = destinations.replace('network: prod-net', 'netwrok: prod-net');

    const load = await pass({ 'dest.yaml': destTypo, 'web.yaml': web });

    expect(load).toEqual({
      containers: ['web berth-busybox:latest'],
      destinations: ['production'],
      complete: false,
      errors: [
        expect.stringMatching(/^dest\.yaml:6 spec: unknown field 'netwrok'/),
        // web.yaml is invalid with it: its resources keep their last good spec too.
        expect.stringMatching(/^web\.yaml:6 spec\.destination: .*has errors \(dest\.yaml:1\)/),
      ],
      stale: ['dest.yaml', 'web.yaml'],
    });
  });
});

describe('snapshotReader', () => {
  const files = snapshot({
    'web.yaml': web,
    'b/db.yml': db,
    'README.md': '# notes',
    'stack/compose.env': 'TAG=1',
    '.git/config.yaml': 'x',
    'node_modules/x/y.yaml': 'x',
    'A.YAML': destinations,
  });

  it('lists the spec files sorted, named as messages name them', async () => {
    const listed = await snapshotReader(ROOT, files).list();

    expect(listed).toEqual([
      { relative: 'A.YAML', display: '/specs/A.YAML' },
      { relative: 'b/db.yml', display: '/specs/b/db.yml' },
      { relative: 'web.yaml', display: '/specs/web.yaml' },
    ]);
  });

  it('reads any file of the snapshot, and fails on one it does not hold', async () => {
    const reader = snapshotReader(ROOT, files);

    await expect(reader.read('stack/compose.env')).resolves.toBe('TAG=1');
    await expect(reader.read('gone.yaml')).rejects.toThrow(/gone\.yaml/);
  });
});
