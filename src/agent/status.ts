/**
 * Resource status (contract: "Resource statuses"), a pure function of what the last pass knew:
 * the desired containers, the engine as observed after the pass, the pass's failures and the
 * planner's problems. Docker's restart policy goes first, so a container that Docker is
 * restarting, or that keeps exiting and runs only between its crashes, is `Degraded`, never
 * repaired by berth.
 */
import { isOwned } from '../labels';
import { ContainerHealth, DesiredContainer, ObservedContainer, ObservedState } from '../model';
import { Problem } from '../plan/types';
import { EXIT_WINDOW_MS, LOOP_EXITS, RecentExits } from './exits';
import { ResourceStatus } from './metrics';

/** One container of a resource as /status shows it. */
export interface ContainerView {
  name: string;
  /** The compose service, for a stack's container. */
  service?: string;
  id: string | null;
  /** Docker's state, or `missing`. */
  state: string;
  health: ContainerHealth;
  /** For an exited container, its exit code. */
  exitCode: number | null;
}

export interface ResourceView {
  kind: DesiredContainer['kind'];
  resource: string;
  destination: string;
  status: ResourceStatus;
  /** Why it has this status, in words; '' when Ready. */
  reason: string;
  /** Ready or Completed, and no container unhealthy. */
  healthy: boolean;
  containers: ContainerView[];
}

export interface StatusInput {
  server: string;
  containers: DesiredContainer[];
  observed: ObservedState;
  /** Resource → why its last change failed (this pass, or a retry still backing off). */
  failed: ReadonlyMap<string, string>;
  /** Resource → the spec error that makes its file invalid now (its last good spec runs). */
  invalid: ReadonlyMap<string, string>;
  problems: Problem[];
  /**
   * The exits of a container within the last minutes (the agent's ExitLog): a container that
   * keeps exiting is in a crash loop even while it runs between two of them.
   */
  exits?: (containerId: string) => RecentExits | null;
}

/** The status of every declared resource, sorted by name. */
export function resourceStatuses(input: StatusInput): ResourceView[] {
  const groups = new Map<string, DesiredContainer[]>();
  for (const c of input.containers) groups.set(c.resource, [...(groups.get(c.resource) ?? []), c]);
  const owned = new Map(
    input.observed.containers
      .filter((c) => isOwned(c.labels, input.server))
      .map((c) => [c.name, c] as const),
  );
  const names = [...groups.keys()].sort();
  return names.map((name) => viewOf(groups.get(name)!, owned, input));
}

function viewOf(
  specs: DesiredContainer[],
  owned: Map<string, ObservedContainer>,
  input: StatusInput,
): ResourceView {
  const first = specs[0];
  const containers = specs.map((s) => containerView(s, owned.get(s.name)));
  const { status, reason } = decide(specs, containers, input);
  const healthy =
    (status === 'Ready' || status === 'Completed') &&
    containers.every((c) => c.health !== 'unhealthy');
  return {
    kind: first.kind,
    resource: first.resource,
    destination: first.destination,
    status,
    reason,
    healthy,
    containers,
  };
}

function containerView(spec: DesiredContainer, c: ObservedContainer | undefined): ContainerView {
  const named = spec.service
    ? { name: spec.name, service: spec.service.name }
    : { name: spec.name };
  if (!c) return { ...named, id: null, state: 'missing', health: null, exitCode: null };
  const { id, state, exitCode } = c;
  return { ...named, id, state, health: c.health ?? null, exitCode };
}

type Verdict = { status: ResourceStatus; reason: string };

/** The resource-level verdicts first, then the worst of its containers. */
function decide(specs: DesiredContainer[], views: ContainerView[], input: StatusInput): Verdict {
  const resource = specs[0].resource;
  if (specs.every((s) => s.suspend)) return { status: 'Suspended', reason: 'suspend: true' };
  const invalid = input.invalid.get(resource);
  if (invalid) return { status: 'Invalid', reason: invalid };
  const failed = input.failed.get(resource);
  if (failed) return { status: 'Failed', reason: failed };
  // Match the kind too: a destination, or the server, may share the resource's name (their
  // namespaces are separate), and their problems are not the resource's own.
  const problem = input.problems.find(
    (p) => p.resource === resource && p.kind === specs[0].kind && p.level === 'error',
  );
  if (problem) {
    const status = problem.code === 'DESTINATION_BLOCKED' ? 'Pending' : 'Failed';
    return { status, reason: problem.message };
  }

  const verdicts = specs.map((s, i) => containerVerdict(s, views[i], input.exits));
  // Some of its containers run and others are gone (a stack's service removed by hand):
  // running, but with missing containers, is Degraded (contract); all missing is Progressing.
  const missing = views.findIndex((v) => v.state === 'missing');
  if (missing >= 0 && views.some((v) => v.state !== 'missing')) {
    return { status: 'Degraded', reason: `${who(specs[missing])} is missing` };
  }
  for (const status of ['Degraded', 'Progressing'] as const) {
    const worst = verdicts.find((v) => v.status === status);
    if (worst) return worst;
  }
  if (verdicts.every((v) => v.status === 'Completed')) return verdicts[0];
  return { status: 'Ready', reason: '' };
}

function containerVerdict(
  spec: DesiredContainer,
  c: ContainerView,
  exits: StatusInput['exits'],
): Verdict {
  const name = who(spec);
  const oneShot = spec.config.restart === 'no' || spec.config.restart === 'on-failure';
  const recent = c.id === null ? null : (exits?.(c.id) ?? null);
  switch (c.state) {
    case 'missing':
      return { status: 'Progressing', reason: `${name} is not created yet` };
    case 'running':
      if (recent && recent.count >= LOOP_EXITS)
        return { status: 'Degraded', reason: looping(name, recent) };
      if (c.health === 'unhealthy') return { status: 'Degraded', reason: `${name} is unhealthy` };
      if (c.health === 'starting') {
        return { status: 'Progressing', reason: `${name}: healthcheck starting` };
      }
      return { status: 'Ready', reason: '' };
    case 'restarting':
      if (recent) return { status: 'Degraded', reason: looping(name, recent) };
      return { status: 'Degraded', reason: `${name} keeps exiting; Docker is restarting it` };
    case 'exited':
      if (oneShot && c.exitCode === 0) {
        return { status: 'Completed', reason: `${name} ran to completion` };
      }
      return { status: 'Degraded', reason: `${name} exited (code ${c.exitCode ?? 'unknown'})` };
    case 'created':
      return { status: 'Progressing', reason: `${name} is created, not started` };
    default:
      return { status: 'Degraded', reason: `${name} is ${c.state}` };
  }
}

/** How a reason names a container: by its service too, in a stack. */
function who(spec: DesiredContainer): string {
  return spec.service
    ? `service ${spec.service.name} (container ${spec.name})`
    : `container ${spec.name}`;
}

function looping(who: string, recent: RecentExits): string {
  const code = recent.lastCode === null ? '' : `, last with code ${recent.lastCode}`;
  const minutes = EXIT_WINDOW_MS / 60_000;
  return `${who} exited ${recent.count} time${recent.count === 1 ? '' : 's'} in the last ${minutes} minutes${code}; Docker is restarting it`;
}
