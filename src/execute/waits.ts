/**
 * Waiting for a stack's `depends_on` service before its dependent starts: service_healthy
 * until Docker reports the container healthy (failing at once when Docker reports it unhealthy,
 * as Compose does), service_completed_successfully until it exited 0. Only the stack's own container counts: it is found by its name `<stack>-<service>` and
 * must carry this server's labels for that stack and service, so that a container of another
 * stack (or a foreign one) with the same `berth.service` never satisfies the wait.
 */
import Docker from 'dockerode';
import { BerthError } from '../errors';
import { isOwned, LABEL } from '../labels';
import { DependsOnCondition } from '../model';
import { ExecContext } from './context';

/** How often the dependency is inspected while waiting. */
const POLL_MS = 500;

export interface WaitFor {
  /** The stack, and the dependent and dependency services. */
  stack: string;
  service: string;
  dependency: string;
  container: string;
  condition: Exclude<DependsOnCondition, 'service_started'>;
  timeoutMs: number;
}

type Verdict = { done: true } | { done: false; fatal: string | null; last: string };

/** Resolves once the dependency is ready; throws DEPENDENCY_FAILED when it cannot become so. */
export async function waitForDependency(ctx: ExecContext, w: WaitFor): Promise<void> {
  const deadline = Date.now() + w.timeoutMs;
  for (;;) {
    const verdict = judge(await inspectOwn(ctx, w), w);
    if (verdict.done) return;
    if (verdict.fatal !== null) throw failure(w, verdict.fatal);
    if (Date.now() >= deadline || ctx.stopping()) {
      const waited = `${Math.round(w.timeoutMs / 1000)}s (healthTimeout)`;
      throw failure(w, `not ${goal(w)} after ${waited}; ${verdict.last}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function inspectOwn(ctx: ExecContext, w: WaitFor): Promise<Docker.ContainerInspectInfo> {
  const info = await ctx.docker
    .getContainer(w.container)
    .inspect()
    .catch((err: { statusCode?: number }) => {
      if (err.statusCode === 404) throw failure(w, `container ${w.container} does not exist`);
      throw err;
    });
  const labels = info.Config.Labels ?? {};
  const own =
    isOwned(labels, ctx.server) &&
    labels[LABEL.resource] === w.stack &&
    labels[LABEL.service] === w.dependency;
  if (!own) {
    throw failure(w, `container ${w.container} is not this stack's service ${w.dependency}`);
  }
  return info;
}

function judge(info: Docker.ContainerInspectInfo, w: WaitFor): Verdict {
  const state = info.State;
  if (w.condition === 'service_completed_successfully') {
    if (state.Status !== 'exited')
      return { done: false, fatal: null, last: `it is ${state.Status}` };
    if (state.ExitCode === 0) return { done: true };
    return { done: false, fatal: `it exited with code ${state.ExitCode}`, last: '' };
  }
  const health = (state as { Health?: HealthState }).Health;
  if (!health)
    return { done: false, fatal: 'it has no healthcheck: add one to the service', last: '' };
  if (health.Status === 'healthy') return { done: true };
  // Compose gives up here too: an unhealthy container has failed its retries already.
  if (health.Status === 'unhealthy') {
    return { done: false, fatal: `not healthy: Docker reports it ${lastHealth(health)}`, last: '' };
  }
  if (!state.Running) {
    return { done: false, fatal: `it is ${state.Status} (exit code ${state.ExitCode})`, last: '' };
  }
  return { done: false, fatal: null, last: lastHealth(health) };
}

interface HealthState {
  Status: string;
  Log?: { ExitCode: number; Output: string }[];
}

function lastHealth(health: HealthState): string {
  const log = health.Log ?? [];
  const last = log[log.length - 1];
  if (!last) return `health ${health.Status}, no check has run yet`;
  const output = last.Output.trim().replace(/\s+/g, ' ').slice(0, 200);
  const check = `last check exited ${last.ExitCode}: ${output || '(no output)'}`;
  return health.Status === 'unhealthy'
    ? `unhealthy; ${check}`
    : `health ${health.Status}, ${check}`;
}

function goal(w: WaitFor): string {
  return w.condition === 'service_healthy' ? 'healthy' : 'completed';
}

function failure(w: WaitFor, why: string): BerthError {
  return new BerthError(
    'DEPENDENCY_FAILED',
    `stack ${w.stack}: service ${w.service} depends on ${w.dependency} (${w.condition}), but ` +
      `${w.container} is ${why.startsWith('not ') ? why : `not ready: ${why}`}; ` +
      `${w.service} was not started`,
  );
}
