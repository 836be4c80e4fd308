/**
 * The watched folder on a real temp folder. Waits poll for the state they expect (never a fixed
 * sleep as an assertion of speed); `sampling` records every text the snapshot held meanwhile,
 * so that a test sees a half-written text even if it was in the snapshot only for a moment.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import pino from 'pino';
import { Snapshot } from '../../src/agent/specs';
import { SpecWatcher } from '../../src/agent/watch';
import { app, tempDir } from '../spec/helpers';

const SETTLE_MS = 200;
const log = pino({ level: 'silent' });

const web = app('web', ['destination: production', 'image: berth-busybox:latest']);
const web2 = app('web', ['destination: production', 'image: berth-busybox:2']);

let root: string;
let watcher: SpecWatcher;
let changes: string[];

beforeEach(async () => {
  root = await tempDir();
  changes = [];
});

afterEach(async () => {
  await watcher?.close();
});

async function start(): Promise<void> {
  watcher = new SpecWatcher(root, SETTLE_MS, (rel) => changes.push(rel), log);
  await watcher.start();
}

async function write(rel: string, text: string): Promise<void> {
  await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
  await fs.writeFile(path.join(root, rel), text);
}

/** Resolves once `check` holds, polling every 20 ms; fails after `ms`. */
async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Records every distinct text (or absence) of `rel` in the snapshot while it runs. */
function sampling(rel: string): { seen: (string | undefined)[]; stop: () => void } {
  const seen: (string | undefined)[] = [watcher.snapshot().get(rel)];
  const sample = () => {
    const now = watcher.snapshot().get(rel);
    if (now !== seen[seen.length - 1]) seen.push(now);
  };
  const timer = setInterval(sample, 5);
  // The last sample is taken on stop: the wait that ends a test may see a change first.
  const stop = () => {
    clearInterval(timer);
    sample();
  };
  return { seen, stop };
}

/** Writes `text` to `rel` in `pieces` appends, `gapMs` apart (a slow copy, an editor). */
async function writeInPieces(rel: string, text: string, pieces: number, gapMs: number) {
  const size = Math.ceil(text.length / pieces);
  const file = path.join(root, rel);
  await fs.writeFile(file, '');
  for (let at = 0; at < text.length; at += size) {
    await fs.appendFile(file, text.slice(at, at + size));
    await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
}

/**
 * Waits until the watcher saw `rel` go: chokidar reports an unlink only when the file is still
 * gone a moment later, so a test of "back within settle" re-creates it only after that (the
 * watcher's pending removal is the one sign of it from outside).
 */
async function gone(rel: string): Promise<void> {
  await until(`${rel} seen gone`, () => watcher['removals'].has(rel));
}

const has = (s: Snapshot, rel: string, text: string) => s.get(rel) === text;

describe('SpecWatcher', () => {
  it('starts with every file under the root, dot-folders and node_modules left out', async () => {
    await write('web.yaml', web);
    await write('stack/compose.yaml', 'services: {}\n');
    await write('.git/HEAD.yaml', 'x');
    await write('node_modules/x/y.yaml', 'x');

    await start();

    expect([...watcher.snapshot().keys()].sort()).toEqual(['stack/compose.yaml', 'web.yaml']);
    expect(changes).toEqual([]);
  });

  it('a new file, in a subfolder too, is taken once it settled, and onChange names it', async () => {
    await start();

    await write('apps/web.yaml', web);

    await until('apps/web.yaml settled', () => has(watcher.snapshot(), 'apps/web.yaml', web));
    expect(changes).toEqual(['apps/web.yaml']);
  });

  it('leaves out, with a warning, files whose real path leaves the root', async () => {
    const outside = await tempDir();
    await fs.writeFile(path.join(outside, 'secret.env'), 'TOKEN=hunter2\n');
    await fs.mkdir(path.join(outside, 'dir'));
    await fs.writeFile(path.join(outside, 'dir', 'x.env'), 'TOKEN=hunter2\n');
    await write('web.yaml', web);
    await fs.symlink(path.join(outside, 'secret.env'), path.join(root, 'app.env'));
    await fs.symlink(path.join(outside, 'dir'), path.join(root, 'linked'));
    const warnings: string[] = [];
    const warn = (obj: { file: string }) => void warnings.push(obj.file);
    const spy = { ...log, warn } as unknown as typeof log;
    watcher = new SpecWatcher(root, SETTLE_MS, (rel) => changes.push(rel), spy);
    await watcher.start();

    await fs.symlink(path.join(outside, 'secret.env'), path.join(root, 'late.env'));
    await write('db.yaml', web2);
    await until('db.yaml settled', () => watcher.snapshot().has('db.yaml'));

    // Held as refused (reading them fails with the reason), never with their text.
    const snap = watcher.snapshot();
    expect(snap.get('app.env')).toMatch(/^\u0000it links to .*secret\.env, outside the specs root/);
    for (const [rel, text] of snap) {
      if (rel !== 'db.yaml' && rel !== 'web.yaml') expect(text.startsWith('\u0000')).toBe(true);
    }
    expect([...snap.values()].join()).not.toContain('hunter2');
    expect(warnings).toEqual(expect.arrayContaining([path.join(root, 'app.env')]));
  });

  it('a file written in several small writes settles once, with its final text', async () => {
    await write('web.yaml', web);
    await start();
    const samples = sampling('web.yaml');

    // Each write comes well within `settle` of the one before.
    await writeInPieces('web.yaml', web2, 6, SETTLE_MS / 4);
    await until('the final text settled', () => has(watcher.snapshot(), 'web.yaml', web2));
    samples.stop();

    expect(samples.seen).toEqual([web, web2]);
    expect(changes).toEqual(['web.yaml']);
  });

  it('a file deleted and written again within settle is never dropped', async () => {
    await write('web.yaml', web);
    await start();
    const samples = sampling('web.yaml');

    await fs.rm(path.join(root, 'web.yaml'));
    await gone('web.yaml');
    await write('web.yaml', web2);
    await until('the new text settled', () => has(watcher.snapshot(), 'web.yaml', web2));
    samples.stop();

    expect(samples.seen).toEqual([web, web2]);
  });

  it('a file deleted, then written again slowly, never shows a half-written text', async () => {
    await write('web.yaml', web);
    await start();
    const samples = sampling('web.yaml');

    // The writes go on past `settle` after the delete, each well within `settle` of the last.
    await fs.rm(path.join(root, 'web.yaml'));
    await gone('web.yaml');
    await writeInPieces('web.yaml', web2, 8, SETTLE_MS / 4);
    await until('the new text settled', () => has(watcher.snapshot(), 'web.yaml', web2));
    samples.stop();

    expect(samples.seen).toEqual([web, web2]);
  });

  it('a file deleted for good is dropped once it stayed gone for settle', async () => {
    await write('web.yaml', web);
    await write('db.yaml', web2);
    await start();

    const deleted = Date.now();
    await fs.rm(path.join(root, 'web.yaml'));
    await until('web.yaml dropped', () => !watcher.snapshot().has('web.yaml'));

    // Not before `settle` (a lower bound, less a little for timer granularity).
    expect(Date.now() - deleted).toBeGreaterThanOrEqual(SETTLE_MS - 20);
    expect([...watcher.snapshot().keys()]).toEqual(['db.yaml']);
    expect(changes).toEqual(['web.yaml']);
  });

  it('files in dot-folders and dot-files are never read, whenever they change', async () => {
    await start();

    await write('.git/objects/x.yaml', web);
    await write('.web.yaml.swp', web);
    await write('..data/web.yaml', web);
    // A file written after them settles after them: by then they would have shown.
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    await write('web.yaml', web);
    await until('web.yaml settled', () => watcher.snapshot().has('web.yaml'));
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

    expect([...watcher.snapshot().keys()]).toEqual(['web.yaml']);
    expect(changes).toEqual(['web.yaml']);
  });

  it('a file rewritten with the same text does not call onChange', async () => {
    await write('web.yaml', web);
    await write('db.yaml', web);
    await start();

    await write('web.yaml', web);
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS / 2));
    await write('db.yaml', web2);
    await until('db.yaml settled', () => has(watcher.snapshot(), 'db.yaml', web2));
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

    expect(changes).toEqual(['db.yaml']);
  });

  it('the snapshot is a copy: a held version does not change under its holder', async () => {
    await write('web.yaml', web);
    await start();
    const held = watcher.snapshot();

    await write('web.yaml', web2);
    await until('web.yaml changed', () => has(watcher.snapshot(), 'web.yaml', web2));

    expect(held.get('web.yaml')).toBe(web);
  });
});
