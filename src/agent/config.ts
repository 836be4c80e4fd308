/**
 * The agent's settings: a YAML config file, checked against schemas/agent-config.schema.json
 * like a spec (unknown keys are errors with file and line), then overridden by flags, then
 * checked as a whole. Every problem is reported at once, one per line; the result is frozen.
 */
import cron from 'node-cron';
import { promises as fs } from 'node:fs';
import { isIPv6 } from 'node:net';
import Ajv2020 from 'ajv/dist/2020';
import type { ValidateFunction } from 'ajv';
import agentConfigSchema from '../../schemas/agent-config.schema.json';
import documentSchema from '../../schemas/document.schema.json';
import { BerthError, formatLocation, messageOf } from '../errors';
import { DEFAULT_PRUNE_GUARD } from '../plan/plan';
import { convertDocument } from '../spec/coerce';
import { isRecord } from '../spec/document';
import { locate, Positions } from '../spec/pointer';
import { specErrorsFrom } from '../spec/schema-errors';
import { parseSpecText } from '../spec/yaml-tree';

/** Where the agent reads specs from when they live in git. */
export interface GitSource {
  url: string;
  /** Default `main`. */
  branch: string;
  /** The specs folder inside the repository; default `.` (its root). */
  path: string;
  /** How often the repository is fetched; default `1m`. */
  interval: string;
}

/** The agent's settings after file, flags and defaults are merged. */
export interface AgentConfig {
  /** The server this agent reconciles; required (a DNS label), no default. */
  server: string;
  /** The watched specs folder; null when specs come from git. Exactly one of the two is set. */
  specs: string | null;
  /** Specs from a git repository; null when `specs` is set. */
  source: { git: GitSource } | null;
  /** node-cron expression (with seconds) for the periodic pass; default every 30 s. */
  schedule: string;
  /** host:port of the HTTP endpoint; default `127.0.0.1:9469`. */
  listen: string;
  /** A pino level; default `info`. */
  logLevel: string;
  /** A changed file is read once it stayed unchanged this long; default `1s`. */
  settle: string;
  /** How often `pullPolicy: Always` images are pulled; default `1h`. */
  pullInterval: string;
  /** Safety rule 4; default at most half of berth's containers, any 3 or fewer. */
  pruneGuard: { maxShare: number; minCount: number };
  /**
   * Overrides safety rule 4 for every pass of this agent; default false. Meant for one start
   * after a deliberate removal of many resources, then set back.
   */
  allowMassPrune: boolean;
}

/** What a setting falls back to: everything but `server` and the choice of specs source. */
export type AgentDefaults = Omit<AgentConfig, 'server' | 'specs' | 'source'> & {
  /** Used for the fields of `source.git` a config leaves out (it must name `url`). */
  source: { git: Omit<GitSource, 'url'> };
};

/** The one defaults object of the agent's settings. */
export const AGENT_DEFAULTS: Readonly<AgentDefaults> = deepFreeze({
  schedule: '*/30 * * * * *',
  listen: '127.0.0.1:9469',
  logLevel: 'info',
  settle: '1s',
  pullInterval: '1h',
  pruneGuard: { ...DEFAULT_PRUNE_GUARD },
  allowMassPrune: false,
  source: { git: { branch: 'main', path: '.', interval: '1m' } },
});

/** The `berth agent` flags; each wins over the config file's key of the same meaning. */
export interface AgentFlags {
  server?: string;
  specs?: string;
  gitUrl?: string;
  gitBranch?: string;
  gitPath?: string;
  listen?: string;
}

/** An invalid agent config; `problems` holds the lines of the message. */
export class AgentConfigError extends BerthError {
  constructor(readonly problems: readonly string[]) {
    super('CONFIG', problems.join('\n'));
    this.name = 'AgentConfigError';
  }
}

const SCHEMA_ID = 'agent-config.schema.json';

type FlagKey = keyof AgentFlags;

/** Each flag: how it is spelled, and the pointer of the schema node that checks its value. */
const FLAGS: Record<FlagKey, { name: string; schema: string }> = {
  server: { name: '--server', schema: '/properties/server' },
  specs: { name: '--specs', schema: '/properties/specs' },
  gitUrl: { name: '--git-url', schema: '/properties/source/properties/git/properties/url' },
  gitBranch: {
    name: '--git-branch',
    schema: '/properties/source/properties/git/properties/branch',
  },
  gitPath: { name: '--git-path', schema: '/properties/source/properties/git/properties/path' },
  listen: { name: '--listen', schema: '/properties/listen' },
};

const GIT_FLAGS = ['gitUrl', 'gitBranch', 'gitPath'] as const;

/** The config file as read: its settings, and where each came from. */
interface FileSettings {
  file: string;
  value: Record<string, unknown>;
  positions: Positions;
  /** JSON pointers the schema rejected: their values are not checked again. */
  invalid: Set<string>;
}

/**
 * The agent's settings from `file` (null: flags only) and `flags`. Throws an AgentConfigError
 * listing every problem: of the file (with line), of the flags, and of the merged whole.
 */
export async function loadAgentConfig(
  file: string | null,
  flags: AgentFlags,
): Promise<Readonly<AgentConfig>> {
  const problems: string[] = [];
  const read = file === null ? null : await readConfigFile(file, problems);
  problems.push(...flagProblems(flags));
  // A file that could not be read says nothing about what is missing: no merged checks then.
  const settings = file === null ? emptySettings() : read;
  if (settings === null) throw new AgentConfigError(problems);

  const config = merge(settings, flags, problems);
  if (problems.length > 0) throw new AgentConfigError(problems);
  return deepFreeze(config as AgentConfig);
}

function emptySettings(): FileSettings {
  return { file: '', value: {}, positions: new Map(), invalid: new Set() };
}

/** The file's settings after the schema check, or null when it could not be read or parsed. */
async function readConfigFile(file: string, problems: string[]): Promise<FileSettings | null> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    problems.push(readProblem(file, err));
    return null;
  }

  const parsed = parseSpecText(file, text);
  if (parsed.empty) {
    problems.push(`${file}: config file is empty: write the agent's settings into it`);
    return null;
  }
  if (parsed.errors.length > 0) {
    problems.push(...parsed.errors.map((e) => e.message));
    return null;
  }
  if (parsed.docs.length > 1) {
    const second = parsed.docs[1].line;
    problems.push(`${file}:${second}: a config file holds one YAML document, not several`);
    return null;
  }
  const doc = parsed.docs[0];
  if (doc.root.kind !== 'map') {
    problems.push(
      `${file}:${doc.line}: a config file must be a map of settings, like server: web1`,
    );
    return null;
  }

  const converted = convertDocument(doc.root, { schema: agentConfigSchema, base: SCHEMA_ID });
  const place = { file, line: doc.line, positions: converted.positions };
  const schemaErrors = validator()(converted.value) ? [] : [...(validator().errors ?? [])];
  // A node the tree builder already reported (a duplicate key) needs no second error.
  const reported = new Set(doc.errors.map((e) => e.location.path));
  const fromSchema = specErrorsFrom(schemaErrors, place).filter(
    (e) => !reported.has(e.location.path),
  );
  // In file order: ajv reports in the order of its schema, which means nothing to a reader.
  const inOrder = [...doc.errors, ...fromSchema].sort((a, b) => a.location.line - b.location.line);
  problems.push(...inOrder.map((e) => e.message));

  const invalid = new Set(schemaErrors.map((e) => e.instancePath));
  const value = isRecord(converted.value) ? converted.value : {};
  return { file, value, positions: converted.positions, invalid };
}

function readProblem(file: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') {
    return `${file}: config file does not exist: create it, or pass the right path to --config`;
  }
  if (code === 'EISDIR') return `${file}: is a folder, not a config file`;
  return `${file}: cannot read config file: ${messageOf(err)}`;
}

/** Flag values, each checked against the schema node of its key. */
function flagProblems(flags: AgentFlags): string[] {
  const out: string[] = [];
  for (const key of Object.keys(FLAGS) as FlagKey[]) {
    const value = flags[key];
    if (value === undefined) continue;
    const validate = schemaAt(FLAGS[key].schema);
    if (!validate(value)) {
      const place = { file: '', line: 0, positions: new Map() };
      const details = specErrorsFrom([...(validate.errors ?? [])], place).map((e) => e.detail);
      out.push(...details.map((d) => `${FLAGS[key].name}: ${d}`));
    } else if (key === 'listen') {
      const bad = listenProblem(value);
      if (bad) out.push(`${FLAGS[key].name}: ${bad}`);
    }
  }
  return out;
}

/** Defaults ← file ← flags, with the checks that need the whole: server, source, listen. */
function merge(settings: FileSettings, flags: AgentFlags, problems: string[]): AgentConfig {
  const fromFile = (pointer: string): unknown => {
    if (settings.invalid.has(pointer)) return undefined;
    return pointerValue(settings.value, pointer);
  };
  const where = (pointer: string): string =>
    formatLocation({ file: settings.file, ...locate(settings.positions, pointer, 1) });
  const text = (pointer: string): string | undefined => {
    const value = fromFile(pointer);
    return typeof value === 'string' ? value : undefined;
  };
  const number = (pointer: string, fallback: number): number => {
    const value = fromFile(pointer);
    return typeof value === 'number' ? value : fallback;
  };
  const d = AGENT_DEFAULTS;

  const server = flags.server ?? text('/server');
  if (server === undefined && !settings.invalid.has('/server')) {
    const inFile = settings.file ? `add server: NAME to ${settings.file}, or ` : '';
    problems.push(`server: required: ${inFile}pass --server NAME`);
  }

  const listen = flags.listen ?? text('/listen');
  if (flags.listen === undefined && listen !== undefined) {
    const bad = listenProblem(listen);
    if (bad) problems.push(where('/listen') + bad);
  }

  const schedule = text('/schedule');
  if (schedule !== undefined && !cron.validate(schedule)) {
    problems.push(
      where('/schedule') +
        `'${schedule}' is not a cron expression node-cron takes: 5 or 6 fields ` +
        '([second] minute hour day-of-month month day-of-week), each within its range ' +
        `(seconds and minutes 0-59, hours 0-23, days 1-31, months 1-12), like ` +
        `'*/30 * * * * *' (every 30 s) or '0 * * * *' (hourly)`,
    );
  }

  return {
    server: server ?? '',
    ...chooseSource(settings, flags, problems, where),
    schedule: schedule ?? d.schedule,
    listen: listen ?? d.listen,
    logLevel: text('/logLevel') ?? d.logLevel,
    settle: text('/settle') ?? d.settle,
    pullInterval: text('/pullInterval') ?? d.pullInterval,
    pruneGuard: {
      maxShare: number('/pruneGuard/maxShare', d.pruneGuard.maxShare),
      minCount: number('/pruneGuard/minCount', d.pruneGuard.minCount),
    },
    allowMassPrune: fromFile('/allowMassPrune') === true,
  };
}

/**
 * Exactly one of `specs` and `source.git`. A flag for one source replaces the file's other
 * source (flags win); git flags fill in or override the file's `source.git` field by field.
 */
function chooseSource(
  settings: FileSettings,
  flags: AgentFlags,
  problems: string[],
  where: (pointer: string) => string,
): Pick<AgentConfig, 'specs' | 'source'> {
  const gitFlags = GIT_FLAGS.filter((k) => flags[k] !== undefined);
  const fileSpecs = settings.value.specs;
  const fileGit = pointerValue(settings.value, '/source/git');
  const none = { specs: null, source: null };

  if (flags.specs !== undefined && gitFlags.length > 0) {
    const named = gitFlags.map((k) => FLAGS[k].name).join(', ');
    problems.push(`--specs and ${named}: pick one source of specs, a folder or a git repository`);
    return none;
  }
  if (flags.specs !== undefined) return { specs: flags.specs, source: null };

  const gitFromFile = isRecord(fileGit) ? fileGit : undefined;
  if (gitFlags.length === 0) {
    if (fileSpecs !== undefined && fileGit !== undefined) {
      problems.push(
        where('/source/git') +
          'specs and source.git are both set: pick one source of specs, a folder or a git ' +
          'repository',
      );
      return none;
    }
    if (typeof fileSpecs === 'string') return { specs: fileSpecs, source: null };
    if (fileSpecs !== undefined) return none; // the schema reported it
    if (fileGit === undefined) {
      const inFile = settings.file ? `set specs or source.git.url in ${settings.file}, or ` : '';
      problems.push(`no source of specs: ${inFile}pass --specs DIR or --git-url URL`);
      return none;
    }
  }

  const defaults = AGENT_DEFAULTS.source.git;
  const field = (key: keyof GitSource, flag: FlagKey): string | undefined => {
    const value = flags[flag] ?? gitFromFile?.[key];
    return typeof value === 'string' ? value : undefined;
  };
  const url = field('url', 'gitUrl');
  if (url === undefined && !settings.invalid.has('/source/git/url')) {
    const at = gitFromFile ? where('/source/git') : 'source.git: ';
    problems.push(`${at}url is required: add url: to source.git, or pass --git-url URL`);
  }
  const interval = gitFromFile?.interval;
  const git: GitSource = {
    url: url ?? '',
    branch: field('branch', 'gitBranch') ?? defaults.branch,
    path: field('path', 'gitPath') ?? defaults.path,
    interval: typeof interval === 'string' ? interval : defaults.interval,
  };
  return { specs: null, source: { git } };
}

/**
 * Why `text` is not `host:port`, or null when it is. The host is a name, an IPv4 address or an
 * IPv6 address in brackets; the port 1–65535.
 */
export function listenProblem(text: string): string | null {
  const shape = `must be host:port, like 127.0.0.1:9469 or [::1]:9469 (got '${text}')`;
  const match = /^(?:\[([^\]]*)\]|([^\s:[\]/]+)):(\d{1,5})$/.exec(text);
  if (!match) return shape;
  const [, v6, , portText] = match;
  if (v6 !== undefined && !isIPv6(v6)) return `'${v6}' is not an IPv6 address (in ${text})`;
  const port = Number(portText);
  if (port < 1 || port > 65535) return `port must be 1–65535 (got ${portText})`;
  return null;
}

function pointerValue(root: unknown, pointer: string): unknown {
  let node = root;
  for (const part of pointer.split('/').filter(Boolean)) {
    node = isRecord(node) ? node[part] : undefined;
  }
  return node;
}

let ajv: Ajv2020 | null = null;

// Own ajv instance: the agent config is not a spec kind, so it stays out of the spec registry.
function compiler(): Ajv2020 {
  if (ajv) return ajv;
  ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true });
  ajv.addKeyword({ keyword: 'errorHint', schemaType: 'string' });
  ajv.addSchema(documentSchema);
  ajv.addSchema(agentConfigSchema);
  return ajv;
}

function validator(): ValidateFunction {
  return schemaAt('');
}

function schemaAt(pointer: string): ValidateFunction {
  const validate = compiler().getSchema(`${SCHEMA_ID}#${pointer}`);
  if (!validate) throw new BerthError('INTERNAL', `internal: no schema ${SCHEMA_ID}#${pointer}`);
  return validate;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}
