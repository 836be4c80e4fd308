/**
 * The plan as text, for `berth plan` and for planner tests: one line per action and problem,
 * in plan order, then a summary line.
 */
import { Action, Plan } from './types';

const SYMBOL: Record<Action['type'], string> = {
  'network-create': '+',
  'network-recreate': '~',
  'network-move': '~',
  'network-remove': '-',
  'volume-create': '+',
  'next-discard': '-',
  'next-promote': '~',
  'container-create': '+',
  'container-recreate': '~',
  'container-start': '>',
  'container-wait': '*',
  'container-remove': '-',
  'endpoint-connect': '+',
  'endpoint-realias': '~',
  'endpoint-disconnect': '-',
};

/** What an action does, in a few words. */
export function describeAction(a: Action): string {
  switch (a.type) {
    case 'network-create':
      return `create network ${a.network}`;
    case 'network-recreate':
      return `recreate network ${a.network}` + reattached(a.reattach.length);
    case 'network-move':
      return `move to network ${a.network} from ${a.from}` + reattached(a.reattach.length);
    case 'network-remove':
      return `remove network ${a.network}`;
    case 'volume-create':
      return `create volume ${a.volume}`;
    case 'next-discard':
      return `remove leftover replacement ${a.container}`;
    case 'next-promote':
      return `promote leftover replacement ${a.container}`;
    case 'container-create':
      return `create container ${a.spec.name}`;
    case 'container-recreate':
      return `recreate container ${a.spec.name}`;
    case 'container-start':
      return `start container ${a.container}`;
    case 'container-wait':
      return `wait until ${a.container} is ${WAIT_WORDS[a.condition]}`;
    case 'container-remove':
      return `remove container ${a.container}`;
    case 'endpoint-connect':
      return `connect ${a.container} to ${a.network}` + aliasText(a.aliases);
    case 'endpoint-realias':
      return `set aliases of ${a.container} on ${a.network}` + aliasText(a.aliases);
    case 'endpoint-disconnect':
      return `disconnect ${a.container} from ${a.network}`;
  }
}

const WAIT_WORDS = {
  service_healthy: 'healthy',
  service_completed_successfully: 'completed (exit code 0)',
} as const;

function reattached(n: number): string {
  return n > 0 ? ` (reattaching ${n} container${n === 1 ? '' : 's'})` : '';
}

function aliasText(aliases: string[]): string {
  return aliases.length > 0 ? ` as ${aliases.join(', ')}` : '';
}

/**
 * How a plan shows the environment of the containers it creates: not at all (the planner's
 * tests), by key (`berth plan`), or with values (`berth plan --show-env-values`, asked for).
 */
export type EnvShown = 'none' | 'keys' | 'values';

/**
 * Renders a whole plan; deterministic for a given plan. `errorsAbove`: errors outside the plan
 * (in the specs, or pulls) were shown before it, so an empty plan does not mean Docker matches.
 */
export function renderPlan(p: Plan, env: EnvShown = 'none', errorsAbove = false): string {
  const lines: string[] = [];
  for (const a of p.actions) {
    lines.push(`${SYMBOL[a.type]} ${subject(a)}: ${describeAction(a)} (${a.reason})`);
    if (env !== 'none' && (a.type === 'container-create' || a.type === 'container-recreate')) {
      const entries = Object.entries(a.spec.config.env).sort(([x], [y]) => (x < y ? -1 : 1));
      const shown = entries.map(([k, v]) => (env === 'values' ? `${k}=${v}` : k));
      if (shown.length > 0) lines.push(`    env: ${shown.join(', ')}`);
    }
  }
  for (const s of p.standings) lines.push(`= ${subject(s)}: ${s.note.toLowerCase()}`);
  for (const pr of p.problems) {
    lines.push(`! ${pr.level} ${pr.kind} ${pr.resource}: ${pr.message} [${pr.code}]`);
  }
  lines.push(summary(p, errorsAbove));
  return lines.join('\n') + '\n';
}

/** `Application web`, or `Stack monitoring/grafana` for one service of a stack. */
export function subject(s: { kind: string; resource: string; service?: string }): string {
  return `${s.kind} ${s.resource}${s.service === undefined ? '' : '/' + s.service}`;
}

function summary(p: Plan, errorsAbove: boolean): string {
  if (p.actions.length === 0) {
    return errorsAbove || p.problems.length > 0
      ? 'No changes planned; see the warnings and errors above.'
      : 'No changes. Docker matches the specs.';
  }
  const count = (types: Action['type'][]) => p.actions.filter((a) => types.includes(a.type)).length;
  const create = count(['network-create', 'volume-create', 'container-create']);
  const change = count([
    'network-recreate',
    'network-move',
    'container-recreate',
    'container-start',
    'next-promote',
    'endpoint-connect',
    'endpoint-realias',
  ]);
  const remove = count([
    'network-remove',
    'container-remove',
    'next-discard',
    'endpoint-disconnect',
  ]);
  return `Plan: ${create} to create, ${change} to change, ${remove} to remove.`;
}
