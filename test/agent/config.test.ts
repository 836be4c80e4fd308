import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { levels } from 'pino';
import agentConfigSchema from '../../schemas/agent-config.schema.json';
import { AGENT_DEFAULTS, AgentFlags, loadAgentConfig } from '../../src/agent/config';
import { BerthError } from '../../src/errors';

let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-agent-config-'));
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Writes `text` as the config file and returns its path. */
function configFile(text: string): string {
  const file = path.join(dir, 'agent.yaml');
  fs.writeFileSync(file, text);
  return file;
}

/** The message of the error loading rejects with; fails when loading succeeds. */
async function problemsOf(file: string | null, flags: AgentFlags = {}): Promise<string> {
  const err = await loadAgentConfig(file, flags).then(
    () => new Error('expected the config to be rejected'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BerthError);
  expect((err as BerthError).code).toBe('CONFIG');
  return (err as BerthError).message;
}

test('settings a file leaves out take their defaults', async () => {
  const config = await loadAgentConfig(configFile('server: web1\nspecs: /srv/specs\n'), {});
  expect(config).toEqual({
    server: 'web1',
    specs: '/srv/specs',
    source: null,
    schedule: '*/30 * * * * *',
    listen: '127.0.0.1:9469',
    logLevel: 'info',
    settle: '1s',
    pullInterval: '1h',
    pruneGuard: { maxShare: 0.5, minCount: 3 },
    allowMassPrune: false,
  });
});

test('a git source takes default branch, path and interval', async () => {
  const file = configFile('server: web1\nsource:\n  git:\n    url: https://git.example/specs\n');
  const config = await loadAgentConfig(file, {});
  expect(config.specs).toBeNull();
  expect(config.source).toEqual({
    git: { url: 'https://git.example/specs', branch: 'main', path: '.', interval: '1m' },
  });
});

test('without a file, flags alone make a config', async () => {
  const config = await loadAgentConfig(null, { server: 'web1', specs: '/srv/specs' });
  expect(config).toMatchObject({ server: 'web1', specs: '/srv/specs', listen: '127.0.0.1:9469' });
});

test('flags win over the file', async () => {
  const file = configFile(
    'server: web1\nspecs: /srv/specs\nlisten: 0.0.0.0:9000\nlogLevel: debug\nsettle: 500ms\n',
  );
  const config = await loadAgentConfig(file, { server: 'web2', listen: '[::1]:9469' });
  expect(config).toMatchObject({
    server: 'web2',
    listen: '[::1]:9469',
    logLevel: 'debug',
    settle: '500ms',
  });
});

test('a git flag replaces the file specs folder, and git flags override source.git fields', async () => {
  const specsFile = configFile('server: web1\nspecs: /srv/specs\n');
  const fromFlag = await loadAgentConfig(specsFile, { gitUrl: 'https://git.example/a' });
  expect(fromFlag.specs).toBeNull();
  expect(fromFlag.source?.git.url).toBe('https://git.example/a');

  const gitFile = configFile(
    'server: web1\nsource:\n  git:\n    url: https://git.example/a\n    branch: main\n',
  );
  const merged = await loadAgentConfig(gitFile, { gitBranch: 'prod', gitPath: 'specs/web1' });
  expect(merged.source?.git).toEqual({
    url: 'https://git.example/a',
    branch: 'prod',
    path: 'specs/web1',
    interval: '1m',
  });
  expect((await loadAgentConfig(gitFile, { specs: '/srv/specs' })).source).toBeNull();
});

test('server is required, from the file or --server', async () => {
  const file = configFile('specs: /srv/specs\n');
  expect(await problemsOf(file)).toBe(
    `server: required: add server: NAME to ${file}, or pass --server NAME`,
  );
  expect(await problemsOf(null, { specs: '/srv/specs' })).toBe(
    'server: required: pass --server NAME',
  );
});

test('server must be a DNS label, in the file and as a flag', async () => {
  const label =
    "must be a DNS label: lowercase letters, digits and '-', starting and ending with a letter or digit";
  const file = configFile('server: Web_1\nspecs: /srv/specs\n');
  expect(await problemsOf(file)).toBe(`${file}:1 server: ${label}`);
  expect(await problemsOf(null, { server: 'Web_1', specs: '/s' })).toBe(`--server: ${label}`);
});

test('specs and source.git are exclusive, and one of them is required', async () => {
  const both = configFile('server: web1\nspecs: /srv/specs\nsource:\n  git:\n    url: u\n');
  expect(await problemsOf(both)).toBe(
    `${both}:4 source.git: specs and source.git are both set: pick one source of specs, ` +
      'a folder or a git repository',
  );

  const neither = configFile('server: web1\n');
  expect(await problemsOf(neither)).toBe(
    `no source of specs: set specs or source.git.url in ${neither}, or pass --specs DIR or ` +
      '--git-url URL',
  );

  expect(await problemsOf(null, { server: 'web1', specs: '/s', gitUrl: 'u' })).toBe(
    '--specs and --git-url: pick one source of specs, a folder or a git repository',
  );
});

test('a git source needs a url', async () => {
  const file = configFile('server: web1\nsource:\n  git:\n    branch: main\n');
  expect(await problemsOf(file)).toBe(
    `${file}:3 source.git: url is required: add url: to source.git, or pass --git-url URL`,
  );
  expect(await problemsOf(null, { server: 'web1', gitBranch: 'main' })).toBe(
    'source.git: url is required: add url: to source.git, or pass --git-url URL',
  );
});

test('an unknown key is an error naming file, line and field', async () => {
  const file = configFile(
    'server: web1\nspecs: /srv/specs\npruneGuard:\n  maxShar: 0.2\nlisen: x\n',
  );
  expect(await problemsOf(file)).toBe(
    [
      `${file}:4 pruneGuard: unknown field 'maxShar' (did you mean 'maxShare'?)`,
      `${file}:5: unknown field 'lisen' (did you mean 'listen'?)`,
    ].join('\n'),
  );
});

test('bad durations are all reported, one per line', async () => {
  const file = configFile(
    'server: web1\nsource:\n  git:\n    url: u\n    interval: 1 m\nsettle: 1 s\npullInterval: soon\n',
  );
  const hint = 'must be a duration like 500ms, 30s, 5m or 1h';
  expect(await problemsOf(file)).toBe(
    [
      `${file}:5 source.git.interval: ${hint}`,
      `${file}:6 settle: ${hint}`,
      `${file}:7 pullInterval: ${hint}`,
    ].join('\n'),
  );
});

test('listen must be host:port with a port from 1 to 65535', async () => {
  const at = (listen: string) => configFile(`server: web1\nspecs: /s\nlisten: "${listen}"\n`);
  let file = at('9469');
  expect(await problemsOf(file)).toBe(
    `${file}:3 listen: must be host:port, like 127.0.0.1:9469 or [::1]:9469 (got '9469')`,
  );
  file = at('127.0.0.1:70000');
  expect(await problemsOf(file)).toBe(`${file}:3 listen: port must be 1–65535 (got 70000)`);
  file = at('[::zz]:9469');
  expect(await problemsOf(file)).toBe(
    `${file}:3 listen: '::zz' is not an IPv6 address (in [::zz]:9469)`,
  );
  expect(await problemsOf(null, { server: 'web1', specs: '/s', listen: 'localhost:0' })).toBe(
    '--listen: port must be 1–65535 (got 0)',
  );
  for (const ok of ['localhost:1', '0.0.0.0:65535', '[::1]:9469', '[::]:80']) {
    expect((await loadAgentConfig(null, { server: 'a', specs: '/s', listen: ok })).listen).toBe(ok);
  }
});

test('logLevel must be a pino level', async () => {
  const file = configFile('server: web1\nspecs: /s\nlogLevel: loud\n');
  expect(await problemsOf(file)).toBe(
    `${file}:3 logLevel: must be one of: fatal, error, warn, info, debug, trace, silent (got 'loud')`,
  );
  const allowed = agentConfigSchema.properties.logLevel.enum;
  expect(allowed.filter((l) => l !== 'silent').sort()).toEqual(Object.keys(levels.values).sort());
});

test('pruneGuard needs a share in (0, 1] and a whole count of at least 0', async () => {
  const file = configFile('server: web1\nspecs: /s\npruneGuard:\n  maxShare: 0\n  minCount: 1.5\n');
  expect(await problemsOf(file)).toBe(
    [
      `${file}:4 pruneGuard.maxShare: must be more than 0`,
      `${file}:5 pruneGuard.minCount: must be a whole number`,
    ].join('\n'),
  );
  const high = configFile(
    'server: web1\nspecs: /s\npruneGuard:\n  maxShare: 1.5\n  minCount: -1\n',
  );
  expect(await problemsOf(high)).toBe(
    [
      `${high}:4 pruneGuard.maxShare: must be at most 1`,
      `${high}:5 pruneGuard.minCount: must be at least 0`,
    ].join('\n'),
  );
  const edge = configFile('server: web1\nspecs: /s\npruneGuard:\n  maxShare: 1\n  minCount: 0\n');
  expect((await loadAgentConfig(edge, {})).pruneGuard).toEqual({ maxShare: 1, minCount: 0 });
});

test('problems of the file and of the flags are reported together', async () => {
  const file = configFile('server: web1\nspecs: /s\nsettle: soon\n');
  expect(await problemsOf(file, { listen: 'nope' })).toBe(
    [
      `${file}:3 settle: must be a duration like 500ms, 30s, 5m or 1h`,
      "--listen: must be host:port, like 127.0.0.1:9469 or [::1]:9469 (got 'nope')",
    ].join('\n'),
  );
});

test('a missing config file is a clear error', async () => {
  const file = path.join(dir, 'missing.yaml');
  expect(await problemsOf(file, { server: 'web1', specs: '/s' })).toBe(
    `${file}: config file does not exist: create it, or pass the right path to --config`,
  );
});

test('a folder given as config file is a clear error', async () => {
  expect(await problemsOf(dir)).toBe(`${dir}: is a folder, not a config file`);
});

test('a YAML syntax error names file and line', async () => {
  const file = configFile('server: web1\nspecs: [a\n');
  expect(await problemsOf(file)).toBe(
    `${file}:3: invalid YAML: Flow sequence in block collection must be sufficiently indented ` +
      'and end with a ]',
  );
});

test('an empty file, a file that is not a map and a duplicate key are errors', async () => {
  let file = configFile('# nothing yet\n');
  expect(await problemsOf(file)).toBe(
    `${file}: config file is empty: write the agent's settings into it`,
  );
  file = configFile('- server\n');
  expect(await problemsOf(file)).toBe(
    `${file}:1: a config file must be a map of settings, like server: web1`,
  );
  file = configFile('server: web1\nspecs: /s\nserver: web2\n');
  expect(await problemsOf(file)).toBe(`${file}:3 server: duplicate key, first at line 1`);
});

test('the result and the defaults are frozen all the way down', async () => {
  const file = configFile('server: web1\nsource:\n  git:\n    url: u\n');
  const config = await loadAgentConfig(file, {});
  expect(Object.isFrozen(config)).toBe(true);
  expect(Object.isFrozen(config.pruneGuard)).toBe(true);
  expect(Object.isFrozen(config.source)).toBe(true);
  expect(Object.isFrozen(config.source?.git)).toBe(true);
  expect(Object.isFrozen(AGENT_DEFAULTS.pruneGuard)).toBe(true);
  expect(Object.isFrozen(AGENT_DEFAULTS.source.git)).toBe(true);
});
