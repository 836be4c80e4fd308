/**
 * The executor: runs a plan in phases (networks, volumes, containers per resource, container
 * removals, network removals). Resources proceed in parallel with a bound; a resource's steps
 * run in order, and its first failure skips the rest of its steps, except that a stack's
 * services that do not depend on the failed one go on. One resource failing never stops the
 * others.
 */
import { dockerMessage } from '../docker/client';
import { BerthError } from '../errors';
import { baseOfNext, LABEL, ownerLabels } from '../labels';
import { describeAction } from '../plan/render';
import { Action } from '../plan/types';
import { ExecContext, inPool } from './context';
import {
  createContainer,
  discardNext,
  promoteNext,
  recreateContainer,
  removeContainer,
  startContainer,
} from './containers';
import { waitForDependency } from './waits';
import {
  connect,
  createNetwork,
  NetworkOwner,
  disconnect,
  moveNetwork,
  realias,
  recreateNetwork,
  removeNetwork,
} from './networks';

export interface ActionResult {
  action: Action;
  ok: boolean;
  /** Set when the action failed or was skipped because an earlier step of its resource failed. */
  error?: string;
  code?: string;
  skipped?: boolean;
}

const PHASES: Action['type'][][] = [
  ['network-create', 'network-recreate', 'network-move'],
  ['volume-create'],
  [
    'next-discard',
    'next-promote',
    'container-create',
    'container-recreate',
    'container-start',
    'container-wait',
    'endpoint-connect',
    'endpoint-realias',
    'endpoint-disconnect',
  ],
  ['container-remove'],
  ['network-remove'],
];

/** Executes the actions (already in plan order) and reports each one's outcome, in that order. */
export async function execute(ctx: ExecContext, actions: Action[]): Promise<ActionResult[]> {
  const done = new Map<Action, ActionResult>();
  const push = (r: ActionResult) => done.set(r.action, r);
  for (const types of PHASES) {
    const groups = groupByResource(actions.filter((a) => types.includes(a.type)));
    await inPool(groups, ctx.parallelism, (steps) => runResource(ctx, steps, push));
  }
  return actions.flatMap((a) => done.get(a) ?? []);
}

type Push = (r: ActionResult) => void;

/**
 * One resource's steps. A stack's services run side by side, each once the services it
 * depends on are done; a failure skips the rest of its service's steps and every service that
 * depends on it (transitively), never an independent one. Other resources are one chain.
 */
async function runResource(ctx: ExecContext, steps: Action[], push: Push): Promise<void> {
  const chains = new Map<string, Action[]>();
  for (const a of steps) {
    const key = a.service ?? '';
    chains.set(key, [...(chains.get(key) ?? []), a]);
  }

  // Service → its first failure, or null; a service without steps here is ready as it is.
  const runs = new Map<string, Promise<string | null>>();
  const run = (service: string): Promise<string | null> => {
    const known = runs.get(service);
    if (known) return known;
    const started = runService(service);
    runs.set(service, started);
    return started;
  };
  const runService = async (service: string): Promise<string | null> => {
    const chain = chains.get(service) ?? [];
    const after = chain.find((a) => a.after)?.after ?? [];
    const failures = await Promise.all(after.map(run));
    const failed = after.find((_, i) => failures[i] !== null);
    const held =
      failed === undefined
        ? undefined
        : `it depends on ${failed}, which did not come up (see above)`;
    return runChain(ctx, chain, held, push);
  };
  await Promise.all([...chains.keys()].map(run));
}

/** Runs steps in order until one fails (or from the start, when `held` says why not). */
async function runChain(
  ctx: ExecContext,
  steps: Action[],
  held: string | undefined,
  push: Push,
): Promise<string | null> {
  let failed = held;
  for (const action of steps) {
    if (failed) {
      push({ action, ok: false, skipped: true, error: `skipped: ${failed}` });
      continue;
    }
    if (ctx.stopping()) {
      push({ action, ok: false, skipped: true, error: 'not run: berth was stopped' });
      continue;
    }
    const result = await runOne(ctx, action);
    push(result);
    if (!result.ok) failed = shortFailure(action);
  }
  return failed ?? null;
}

/** What failed, for the steps it skips: the full error is on the failed step's own line. */
function shortFailure(a: Action): string {
  if (a.type === 'container-wait') {
    const goal = a.condition === 'service_healthy' ? 'healthy' : 'completed';
    return `${a.dependency} is not ${goal} (see above)`;
  }
  return `${describeAction(a)} failed (see above)`;
}

/** Who a new network belongs to: a destination, or a stack (on its destination). */
function ownerOf(a: Extract<Action, { type: 'network-create' }>): NetworkOwner {
  const kind = a.kind === 'Stack' ? 'Stack' : 'Destination';
  return { kind, resource: a.resource, destination: a.destination };
}

function groupByResource(actions: Action[]): Action[][] {
  const groups = new Map<string, Action[]>();
  for (const a of actions) {
    const key = `${a.kind}/${a.resource}`;
    const group = groups.get(key);
    if (group) group.push(a);
    else groups.set(key, [a]);
  }
  return [...groups.values()];
}

async function runOne(ctx: ExecContext, action: Action): Promise<ActionResult> {
  const log = ctx.log.child({ resource: action.resource, kind: action.kind });
  try {
    await dispatch(ctx, action);
    log.info({ action: action.type, reason: action.reason }, describeAction(action));
    return { action, ok: true };
  } catch (err) {
    const code = err instanceof BerthError ? err.code : 'DOCKER';
    const error = err instanceof BerthError ? err.message : dockerMessage(err);
    log.error({ action: action.type, reason: action.reason, code, err: error }, 'action failed');
    return { action, ok: false, code, error: `${describeAction(action)}: ${error}` };
  }
}

async function dispatch(ctx: ExecContext, a: Action): Promise<void> {
  switch (a.type) {
    case 'network-create':
      await createNetwork(ctx, ownerOf(a), a.network, a.settings);
      return;
    case 'network-recreate':
      return recreateNetwork(ctx, a.resource, a.networkId, a.network, a.settings, a.reattach);
    case 'network-move':
      return moveNetwork(ctx, a.resource, a.fromId, a.network, a.settings, a.reattach);
    case 'network-remove':
      return removeNetwork(ctx, a.networkId, a.network);
    case 'volume-create':
      await ctx.docker.createVolume({
        Name: a.volume,
        Labels: {
          ...ownerLabels(ctx.server, a.kind, a.resource),
          [LABEL.destination]: a.destination,
        },
      });
      return;
    case 'next-discard':
      return discardNext(ctx, a.containerId);
    case 'next-promote':
      return promoteNext(ctx, a.containerId, baseOfNext(a.container) ?? a.resource);
    case 'container-create':
      return createContainer(ctx, a.spec);
    case 'container-recreate':
      return recreateContainer(ctx, a.spec, { id: a.containerId, running: a.oldRunning }, a.carry);
    case 'container-start':
      return startContainer(ctx, a.containerId, a.container);
    case 'container-wait':
      return waitForDependency(ctx, {
        stack: a.resource,
        service: a.service ?? '',
        dependency: a.dependency,
        container: a.container,
        condition: a.condition,
        timeoutMs: a.timeoutMs,
      });
    case 'container-remove':
      return removeContainer(ctx, a.containerId);
    case 'endpoint-connect':
      return connect(ctx, a.network, a.containerId, a.aliases);
    case 'endpoint-realias':
      return realias(ctx, a.network, a.containerId, a.aliases);
    case 'endpoint-disconnect':
      return disconnect(ctx, a.network, a.containerId);
  }
}
