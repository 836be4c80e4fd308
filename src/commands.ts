/**
 * What the one-shot commands do: validate, plan and apply, each returning its exit code.
 * Human output goes to stdout, errors to stderr, JSON logs to stderr at the chosen level.
 */
import { dockerFromEnv } from './docker/client';
import { AliasCache } from './docker/observe';
import { BerthError, messageOf } from './errors';
import { ActionResult } from './execute/execute';
import { acquireLock, lockDir } from './lock';
import { createLogger } from './log';
import { runPass, PassReport } from './pass';
import { DEFAULT_PRUNE_GUARD } from './plan/plan';
import { describeAction, renderPlan } from './plan/render';
import { loadSpecs } from './spec/load';

export const EXIT = { ok: 0, failed: 1, pending: 2 } as const;

const out = (text: string) => process.stdout.write(text);
const err = (text: string) => process.stderr.write(text);

/** `berth: message [CODE]`, for an error that ended a command. */
function fatal(e: unknown): number {
  const code = e instanceof BerthError ? ` [${e.code}]` : '';
  err(`berth: ${messageOf(e)}${code}\n`);
  return EXIT.failed;
}

/** `berth validate DIR`: 0 when every spec is valid, else 1 with every error listed. */
export async function runValidate(dir: string, server: string): Promise<number> {
  try {
    const { desired, errors, files } = await loadSpecs(dir, { server });
    for (const e of errors) err(`${e.message} [${e.code}]\n`);
    if (errors.length > 0) {
      err(`${errors.length} error(s) in ${dir}; fix them and run validate again\n`);
      return EXIT.failed;
    }
    // A stack is one resource with a container per service: count both.
    const resources = new Set(desired.containers.map((c) => `${c.kind}/${c.resource}`)).size;
    out(
      `${files.length} file(s) valid: ${desired.destinations.length} destination(s), ` +
        `${resources} resource(s) (${desired.containers.length} container(s)) for server ` +
        `${server}\n`,
    );
    return EXIT.ok;
  } catch (e) {
    return fatal(e);
  }
}

interface PassFlags {
  server: string;
  logLevel: string;
  allowMassPrune?: boolean;
  parallelism?: number;
  exitCode?: boolean;
  showEnvValues?: boolean;
}

async function pass(
  dir: string,
  o: PassFlags,
  dryRun: boolean,
  stopping?: () => boolean,
): Promise<PassReport> {
  return runPass({
    stopping,
    docker: dockerFromEnv(process.env),
    server: o.server,
    specs: dir,
    log: createLogger(o.logLevel),
    aliases: new AliasCache(),
    pruneGuard: DEFAULT_PRUNE_GUARD,
    allowMassPrune: !!o.allowMassPrune,
    parallelism: o.parallelism ?? 8,
    dryRun,
  });
}

function reportProblems(r: PassReport): boolean {
  for (const e of r.specErrors) err(`${e.message} [${e.code}]\n`);
  for (const p of r.pullErrors) err(`${p.resource}: ${p.error}\n`);
  return r.specErrors.length > 0 || r.pullErrors.length > 0;
}

/** `berth plan DIR`: prints the plan; with --exit-code, 2 when changes are pending. */
export async function runPlan(dir: string, o: PassFlags): Promise<number> {
  try {
    const report = await pass(dir, o, true);
    const bad = reportProblems(report);
    out(renderPlan(report.plan, o.showEnvValues ? 'values' : 'keys', bad));
    if (bad || report.plan.problems.some((p) => p.level === 'error')) return EXIT.failed;
    return o.exitCode && report.plan.actions.length > 0 ? EXIT.pending : EXIT.ok;
  } catch (e) {
    return fatal(e);
  }
}

/** `berth apply DIR`: one pass under the server's lock. */
export async function runApply(dir: string, o: PassFlags): Promise<number> {
  let release: (() => void) | undefined;
  try {
    release = acquireLock(lockDir(process.env), o.server, `berth apply ${dir}`);
    const stop = onStopSignals();
    const report = await pass(dir, o, false, stop.requested).finally(stop.dispose);
    const bad = reportProblems(report);
    const problems = report.plan.problems;
    for (const p of problems) {
      err(`${p.level}: ${p.kind} ${p.resource}: ${p.message} [${p.code}]\n`);
    }
    for (const r of report.results) (r.ok ? out : err)(resultLine(r));
    const failed = report.results.filter((r) => !r.ok).length;
    out(summary(report.results.length, failed, bad || problems.length > 0));
    const refused = problems.some((p) => p.level === 'error');
    return bad || refused || failed > 0 ? EXIT.failed : EXIT.ok;
  } catch (e) {
    return fatal(e);
  } finally {
    release?.();
  }
}

/** One line per action; a failure's error already starts with what the action does. */
/**
 * SIGINT or SIGTERM during apply: no new action starts, the one in flight finishes (a recreate
 * ends with the replacement running or the old container back), then apply exits 1. A second
 * signal quits at once; the next apply resolves what is left.
 */
function onStopSignals(): { requested: () => boolean; dispose: () => void } {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    err(`berth: ${signal}: finishing the action in flight, then stopping (again to quit now)\n`);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    requested: () => stopping,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

function resultLine(r: ActionResult): string {
  const a = r.action;
  if (r.ok) return `ok     ${a.kind} ${a.resource}: ${describeAction(a)} (${a.reason})\n`;
  if (r.skipped) return `skip   ${a.kind} ${a.resource}: ${describeAction(a)}: ${r.error}\n`;
  return `FAILED ${a.kind} ${a.resource}: ${r.error}${r.code ? ` [${r.code}]` : ''}\n`;
}

/** The last line of `apply`; it claims Docker matches the specs only when nothing was amiss. */
function summary(total: number, failed: number, problems: boolean): string {
  if (total === 0 && problems) return 'Nothing applied: see the messages above.\n';
  if (total === 0) return 'Nothing to do: Docker matches the specs.\n';
  return `${total - failed} of ${total} action(s) applied${failed ? `, ${failed} failed` : ''}.\n`;
}
