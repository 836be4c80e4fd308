/**
 * The executor: runs a plan in phases (networks, volumes, containers per resource, container
 * removals, network removals). Resources proceed in parallel with a bound; a resource's steps
 * run in order, and its first failure skips the rest of its steps. One resource failing never
 * stops the others.
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
  const results = { push: (r: ActionResult) => done.set(r.action, r) };
  for (const types of PHASES) {
    const groups = groupByResource(actions.filter((a) => types.includes(a.type)));
    await inPool(groups, ctx.parallelism, async (steps) => {
      let failed: string | undefined;
      for (const action of steps) {
        if (failed) {
          results.push({ action, ok: false, skipped: true, error: `skipped: ${failed}` });
          continue;
        }
        if (ctx.stopping()) {
          results.push({ action, ok: false, skipped: true, error: 'not run: berth was stopped' });
          continue;
        }
        const result = await runOne(ctx, action);
        results.push(result);
        if (!result.ok) failed = result.error;
      }
    });
  }
  return actions.flatMap((a) => done.get(a) ?? []);
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
