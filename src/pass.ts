/**
 * One pass: load the specs, observe Docker, plan, and (unless only planning) execute. Used by
 * `berth plan` and `berth apply`; the agent runs the same pass on its loop.
 */
import Docker from 'dockerode';
import type { Logger } from 'pino';
import { AliasCache, learnAliases, observe } from './docker/observe';
import { execute, ActionResult } from './execute/execute';
import { ExecContext } from './execute/context';
import { pullImage } from './execute/images';
import { BerthError, SpecError } from './errors';
import { DesiredContainer, DesiredState, ObservedState } from './model';
import { plan } from './plan/plan';
import { Plan } from './plan/types';
import { loadSpecs } from './spec/load';

export interface PassOptions extends ConvergeOptions {
  specs: string;
}

/** What a pass needs besides the desired state. */
export interface ConvergeOptions {
  docker: Docker;
  server: string;
  log: Logger;
  aliases: AliasCache;
  pruneGuard: { maxShare: number; minCount: number };
  allowMassPrune: boolean;
  /** See PlanOptions.massPruneOverride. */
  massPruneOverride?: string;
  parallelism: number;
  /** Plan only: no pull, no change. */
  dryRun: boolean;
  /** Asked between actions: true stops the pass after the action in flight. */
  stopping?: () => boolean;
  /** Resources to leave as they are this pass (the agent's backoff); see PlanOptions.held. */
  held?: string[];
  /** Containers to start whatever their policy; see PlanOptions.revive. */
  revive?: string[];
  /** Called with the plan before it is executed. */
  planned?: (plan: Plan) => void;
  /** Whether a `pullPolicy: Always` image is due for a pull; default always. */
  pullDue?: (image: string) => boolean;
}

export interface PassReport extends ConvergeReport {
  specErrors: SpecError[];
}

export interface ConvergeReport {
  pullErrors: { resource: string; error: string }[];
  plan: Plan;
  observed: ObservedState;
  results: ActionResult[];
}

/** Runs one pass; throws only when the pass itself cannot load, observe or plan. */
export async function runPass(opts: PassOptions): Promise<PassReport> {
  const { desired, errors } = await loadSpecs(opts.specs, { server: opts.server });
  for (const e of errors) opts.log.warn({ code: e.code, location: e.location }, e.message);
  return { specErrors: errors, ...(await converge(desired, opts)) };
}

/**
 * Observes, plans and (unless dry) executes towards `desired`; throws only when observing or
 * planning fails. The agent calls it with the state it loaded from its snapshot of the specs.
 */
export async function converge(
  desired: DesiredState,
  opts: ConvergeOptions,
): Promise<ConvergeReport> {
  const ctx = execContext(opts);
  // A resource whose image could not be pulled is held, not dropped: dropped, it would look
  // undeclared and its running container would be removed.
  const held = new Set(opts.held ?? []);
  const pullable = desired.containers.filter((c) => !held.has(c.resource));
  const pullErrors = opts.dryRun ? [] : await pullAlways(ctx, pullable, opts.pullDue);
  // An image that is not due stays as pulled last time: creates and recreates use it as is.
  for (const c of pullable)
    if (opts.pullDue?.(c.config.image) === false) {
      ctx.pulled.add(c.config.image);
    }

  const observed = await observe(opts.docker, opts.aliases);
  await learnAliases(opts.docker, observed, opts.aliases, opts.server);
  const thePlan = plan(desired, observed, {
    server: opts.server,
    pruneGuard: opts.pruneGuard,
    allowMassPrune: opts.allowMassPrune,
    massPruneOverride: opts.massPruneOverride,
    held: [...held, ...pullErrors.map((p) => p.resource)],
    revive: opts.revive,
  });
  for (const n of observed.networks) ctx.networkIds.set(n.name, n.id);
  ctx.images = observed.images;
  opts.planned?.(thePlan);
  const results = opts.dryRun ? [] : await execute(ctx, thePlan.actions);
  return { pullErrors, plan: thePlan, observed, results };
}

function execContext(opts: ConvergeOptions): ExecContext {
  return {
    docker: opts.docker,
    server: opts.server,
    log: opts.log,
    aliases: opts.aliases,
    networkIds: new Map(),
    images: {},
    pulled: new Set(),
    stopping: opts.stopping ?? (() => false),
    parallelism: opts.parallelism,
  };
}

/**
 * `pullPolicy: Always` images are pulled before observing, so that a tag that now points at
 * another image recreates its containers in this same pass. A failed pull holds back only the
 * resources that use that image.
 */
async function pullAlways(
  ctx: ExecContext,
  specs: DesiredContainer[],
  due: (image: string) => boolean = () => true,
) {
  const wanted = specs.filter(
    (s) => !s.suspend && s.pullPolicy === 'Always' && due(s.config.image),
  );
  const failures: { resource: string; error: string }[] = [];
  const done = new Map<string, string | null>();
  for (const s of wanted) {
    const image = s.config.image;
    if (!done.has(image)) {
      try {
        await pullImage(ctx, image);
        done.set(image, null);
      } catch (err) {
        done.set(image, err instanceof BerthError ? err.message : String(err));
      }
    }
    const error = done.get(image);
    if (error) failures.push({ resource: s.resource, error });
  }
  return failures;
}
