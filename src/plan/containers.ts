/**
 * Planning of application and database containers: create, recreate, start, network
 * attachments, leftovers of an interrupted recreate. Pure.
 */
import { hashMatches, specHash } from '../hash';
import { isOwned, LABEL, nextName } from '../labels';
import { DesiredContainer, ObservedContainer, ObservedState } from '../model';
import { attachmentSteps } from './attachments';
import { subjectOf, withWaits } from './stack-containers';
import { Action, Problem, Standing } from './types';

/** The containers of one resource as observed. */
interface Found {
  current: ObservedContainer | undefined;
  next: ObservedContainer | undefined;
}

export interface ContainerPlan {
  /** Per resource, the steps to run in order. */
  steps: Action[][];
  volumes: Action[];
  problems: Problem[];
  standings: Standing[];
}

export interface ContainerContext {
  server: string;
  observed: ObservedState;
  /** Destination → why its resources wait. */
  blocked: Map<string, string>;
  /** Destinations whose network is being replaced; attachments are rebuilt there. */
  replaced: Set<string>;
  /** Docker network name → destination, for berth's destination networks. */
  destinationOf: Map<string, string>;
  /** IDs of containers to start whatever their restart policy (PlanOptions.revive). */
  revive: ReadonlySet<string>;
  /** Stack network name → why the containers that join it wait. */
  blockedNetworks: Map<string, string>;
  /** Docker network name → stack, for berth's stack networks as observed and as desired. */
  stackOf: Map<string, string>;
}

/** Plans every desired container against what Docker runs. */
export function planContainers(specs: DesiredContainer[], ctx: ContainerContext): ContainerPlan {
  const out: ContainerPlan = { steps: [], volumes: [], problems: [], standings: [] };
  const byName = new Map(ctx.observed.containers.map((c) => [c.name, c]));
  const plannedVolumes = new Set<string>();
  for (const spec of [...specs].sort(byStartOrder)) {
    const subject = subjectOf(spec);
    if (spec.suspend) {
      out.standings.push({ ...subject, note: 'Suspended' });
      continue;
    }
    const problem = blockers(spec, byName, ctx);
    if (problem) {
      out.problems.push({ ...subject, ...problem });
      continue;
    }
    const volumes = planVolumes(spec, ctx, plannedVolumes);
    if ('message' in volumes) {
      out.problems.push({ ...subject, ...volumes });
      continue;
    }
    out.volumes.push(...volumes);
    const found = { current: byName.get(spec.name), next: byName.get(nextName(spec.name)) };
    const steps = planOne(spec, found, ctx, out.standings);
    if (steps.length > 0) out.steps.push(steps);
  }
  return out;
}

type Blocker = Pick<Problem, 'level' | 'code' | 'message'>;

function blockers(
  spec: DesiredContainer,
  byName: Map<string, ObservedContainer>,
  ctx: ContainerContext,
): Blocker | null {
  for (const name of [spec.name, nextName(spec.name)]) {
    const c = byName.get(name);
    if (c && !ownedBy(c, spec, ctx.server)) {
      return {
        level: 'error',
        code: 'NAME_CLASH',
        message:
          `container '${name}' (${c.id.slice(0, 12)}) exists but is not berth's ${spec.kind} ` +
          `${spec.resource} for server '${ctx.server}' (labels: ${labelText(c.labels)}); ` +
          `remove or rename it, or rename the resource`,
      };
    }
  }
  for (const att of spec.attachments) {
    const why =
      att.destination === null
        ? ctx.blockedNetworks.get(att.network)
        : ctx.blocked.get(att.destination);
    if (why) return { level: 'error', code: 'DESTINATION_BLOCKED', message: `waiting: ${why}` };
  }
  return null;
}

/** Resources by name; a stack's services in their start order (depends_on first). */
function byStartOrder(a: DesiredContainer, b: DesiredContainer): number {
  if (a.resource !== b.resource) return a.resource.localeCompare(b.resource);
  return (a.service?.order ?? 0) - (b.service?.order ?? 0) || a.name.localeCompare(b.name);
}

function ownedBy(c: ObservedContainer, spec: DesiredContainer, server: string): boolean {
  return isOwned(c.labels, server) && c.labels[LABEL.resource] === spec.resource;
}

function planVolumes(
  spec: DesiredContainer,
  ctx: ContainerContext,
  planned: Set<string>,
): Action[] | Blocker {
  const actions: Action[] = [];
  for (const volume of spec.volumes) {
    const seen = ctx.observed.volumes.find((v) => v.name === volume);
    if (seen && !isOwned(seen.labels, ctx.server)) {
      return {
        level: 'error',
        code: 'NAME_CLASH',
        message:
          `volume '${volume}' exists but is not berth's for server '${ctx.server}' ` +
          `(labels: ${labelText(seen.labels)}); berth never adopts data it did not create: ` +
          `rename the volume in the spec, or move the data into a volume berth creates`,
      };
    }
    if (seen || planned.has(volume)) continue;
    planned.add(volume);
    actions.push({
      type: 'volume-create',
      resource: spec.resource,
      kind: spec.kind,
      volume,
      destination: spec.destination,
      reason: 'named volume missing',
    });
  }
  return actions;
}

function planOne(
  spec: DesiredContainer,
  found: Found,
  ctx: ContainerContext,
  standings: Standing[],
): Action[] {
  const subject = subjectOf(spec);
  const steps: Action[] = [];
  let current = found.current;
  if (found.next && current) {
    steps.push({
      type: 'next-discard',
      ...subject,
      containerId: found.next.id,
      container: found.next.name,
      reason: 'an interrupted recreate left a replacement; the old container is kept',
    });
  } else if (found.next) {
    steps.push({
      type: 'next-promote',
      ...subject,
      containerId: found.next.id,
      container: found.next.name,
      reason: 'an interrupted recreate removed the old container; its replacement takes over',
    });
    current = { ...found.next, name: spec.name };
  }
  if (!current) {
    steps.push({ type: 'container-create', ...subject, spec, reason: 'container missing' });
    return withWaits(spec, steps);
  }
  if (current.state === 'removing') {
    // Removed by hand (`docker rm -f`) and not gone yet: its name stays taken until its destroy
    // event, which makes the next pass, so starting or replacing it now can only fail.
    standings.push({ ...subject, note: 'Removing' });
    return steps;
  }
  const why = recreateReason(spec, current, ctx);
  if (why) {
    steps.push({
      type: 'container-recreate',
      ...subject,
      spec,
      containerId: current.id,
      oldRunning: current.state === 'running' || current.state === 'restarting',
      carry: anonymousVolumes(spec, current, ctx),
      reason: why,
    });
    return withWaits(spec, steps);
  }
  steps.push(...runState(spec, current, ctx, standings, !!found.next && !found.current));
  steps.push(...attachmentSteps(spec, current, ctx));
  return withWaits(spec, steps);
}

/** Why the container must be recreated, or null when it runs this spec already. */
export function recreateReason(
  spec: DesiredContainer,
  c: ObservedContainer,
  ctx: ContainerContext,
): string | null {
  if (c.state === 'dead') return 'container is dead';
  if (c.labels[LABEL.kind] !== spec.kind) {
    return `kind changed ${c.labels[LABEL.kind]} → ${spec.kind}`;
  }
  if (!hashMatches(c.labels[LABEL.specHash], spec.config)) {
    const was = c.labels[LABEL.destination];
    if (was !== spec.destination) return `destination changed ${was} → ${spec.destination}`;
    if (c.image !== spec.config.image) return `image changed ${c.image} → ${spec.config.image}`;
    const seen = visibleChanges(spec, c);
    const from = c.labels[LABEL.specHash] ?? 'none';
    const what = seen.length > 0 ? seen.join(', ') : 'spec changed';
    return `${what} (hash ${from} → ${specHash(spec.config)})`;
  }
  const tagged = ctx.observed.images[spec.config.image];
  if (tagged && tagged !== c.imageId) {
    return `image ${spec.config.image} now points at ${short(tagged)} (runs ${short(c.imageId)})`;
  }
  return null;
}

/**
 * The changes that the container list lets berth name (command, volumes, labels); the rest
 * (env, healthcheck, limits, ...) is known only through the hash.
 */
function visibleChanges(spec: DesiredContainer, c: ObservedContainer): string[] {
  const out: string[] = [];
  if (c.command !== null) {
    const want = [...(spec.config.entrypoint ?? []), ...(spec.config.command ?? [])].join(' ');
    // Docker's list quotes arguments with spaces (sh -c '...'): compare without quotes.
    const bare = (text: string) => text.replace(/['"]/g, '');
    if (want && !bare(c.command).endsWith(bare(want))) out.push('command changed');
  }
  const targets = (xs: string[]) => [...xs].sort().join(',');
  const wantTargets = spec.config.mounts.map((m) => m.target);
  const haveTargets = c.mounts.map((m) => m.target);
  if (targets(wantTargets) !== targets(haveTargets)) out.push('volumes changed');
  const userLabels = Object.keys(c.labels).filter((k) => !k.startsWith('berth.'));
  const same =
    userLabels.length === Object.keys(spec.config.labels).length &&
    userLabels.every((k) => spec.config.labels[k] === c.labels[k]);
  if (!same) out.push('labels changed');
  return out;
}

/**
 * Docker's restart policy goes first: start a stopped container only when its policy would
 * keep it running and Docker is not restarting it already. A never-started container starts,
 * and so does one that the engine's own stop took down (ctx.revive), whatever its policy.
 */
function runState(
  spec: DesiredContainer,
  c: ObservedContainer,
  ctx: ContainerContext,
  standings: Standing[],
  promoted: boolean,
): Action[] {
  const subject = subjectOf(spec);
  const start = (reason: string): Action[] => [
    { type: 'container-start', ...subject, containerId: c.id, container: spec.name, reason },
  ];
  switch (c.state) {
    case 'running':
      return [];
    case 'restarting':
      standings.push({ ...subject, note: 'Restarting' });
      return [];
    case 'paused':
      standings.push({ ...subject, note: 'Paused' });
      return [];
    case 'created':
      return start(promoted ? 'replacement was never started' : 'container was never started');
  }
  const keepsRunning = ['always', 'unless-stopped'].includes(spec.config.restart);
  const exit = c.exitCode ?? '?';
  if (ctx.revive.has(c.id) && c.exitCode !== 0)
    return start('was running before the Docker engine went away');
  if (keepsRunning) return start(`container stopped (${c.state}, exit code ${exit})`);
  standings.push({ ...subject, note: c.exitCode === 0 ? 'Completed' : 'Exited' });
  return [];
}

/** Anonymous volumes of the old container that the new one mounts again, as Compose does. */
function anonymousVolumes(spec: DesiredContainer, c: ObservedContainer, ctx: ContainerContext) {
  const covered = new Set(
    spec.config.mounts.filter((m) => m.type !== 'anonymous').map((m) => m.target),
  );
  const berthVolumes = new Set(
    ctx.observed.volumes.filter((v) => isOwned(v.labels, ctx.server)).map((v) => v.name),
  );
  return c.mounts
    .filter((m) => m.type === 'volume' && !berthVolumes.has(m.name) && !covered.has(m.target))
    .filter((m) => /^[0-9a-f]{64}$/.test(m.name))
    .map((m) => ({ volume: m.name, target: m.target }))
    .sort((a, b) => a.target.localeCompare(b.target));
}

/**
 * Berth containers of resources no longer declared, and of stack services no longer in their
 * compose document (with their leftover replacements).
 */
export function orphanContainers(
  specs: DesiredContainer[],
  observed: ObservedState,
  server: string,
): ObservedContainer[] {
  const declared = new Set(specs.map((s) => s.resource));
  const services = new Set(specs.map((s) => `${s.resource}/${s.service?.name ?? ''}`));
  const gone = (c: ObservedContainer) => {
    const resource = c.labels[LABEL.resource] ?? '';
    if (!declared.has(resource)) return true;
    return (
      c.labels[LABEL.kind] === 'Stack' && !services.has(`${resource}/${c.labels[LABEL.service]}`)
    );
  };
  return observed.containers
    .filter((c) => isOwned(c.labels, server) && c.labels[LABEL.kind] !== undefined)
    .filter((c) => c.labels[LABEL.kind] !== 'Destination')
    .filter(gone)
    .sort((a, b) => a.name.localeCompare(b.name));
}

function short(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

function labelText(labels: Record<string, string>): string {
  const keys = Object.keys(labels)
    .filter((k) => k.startsWith('berth.'))
    .sort();
  if (keys.length === 0) return 'no berth labels';
  return keys.map((k) => `${k}=${labels[k]}`).join(', ');
}
