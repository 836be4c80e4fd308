/**
 * The agent's pass: load the settled specs (last good text of invalid files), observe, plan,
 * execute, then observe again and publish what it found as status and metrics. One pass runs
 * at a time (the work queue sees to that); within it, resources proceed in parallel, bounded.
 *
 * Between passes it remembers: the engine as the last pass left it (to tell drift from spec
 * changes), each failing resource's backoff, and when berth last changed each resource.
 */
import Docker from 'dockerode';
import type { Logger } from 'pino';
import { AliasCache, observe } from '../docker/observe';
import { isOwned, LABEL } from '../labels';
import { BerthError, messageOf, SpecError } from '../errors';
import { ActionResult } from '../execute/execute';
import { DesiredState, ObservedState } from '../model';
import { converge } from '../pass';
import { plan } from '../plan/plan';
import { Action, Plan } from '../plan/types';
import { ResourceBackoff } from './backoff';
import { fingerprints, invalidResources, ownWorkOf, remembered } from './pass-facts';
import { driftOf } from './drift';
import { OwnWork } from './events';
import { ExitLog } from './exits';
import { KnownResource, Metrics, ResourceRef } from './metrics';
import { LastGood, Snapshot } from './specs';
import { resourceStatuses } from './status';
import {
  destinationViews,
  DestinationView,
  PassView,
  ProblemView,
  ResourceStatusView,
  resourceStatusViews,
  SpecErrorView,
} from './view';
import { Outcome } from './queue';

export interface ReconcilerOptions {
  server: string;
  docker: Docker;
  log: Logger;
  metrics: Metrics;
  lastGood: LastGood;
  /** The settled files of the specs root. */
  snapshot: () => Snapshot;
  pruneGuard: { maxShare: number; minCount: number };
  /** The agent config's override of safety rule 4 (default false). */
  allowMassPrune: boolean;
  parallelism: number;
  pullIntervalMs: number;
  /** True once the agent was asked to stop: no new action starts. */
  stopping: () => boolean;
  /** Called with the earliest time a held resource may be retried. */
  retryAt: (at: number) => void;
  now?: () => number;
}

/** What the last pass found, for `/status`. */
export interface Findings {
  specErrors: SpecErrorView[];
  /** What the last pass's plan warned about or refused: held removals, clashes, rule 4. */
  problems: ProblemView[];
  destinations: DestinationView[];
  resources: ResourceStatusView[];
}

/** Safety rule 4's override, as an agent's operator does it. */
const MASS_PRUNE_OVERRIDE =
  'stop the agent and run `berth apply --allow-mass-prune` for this server, or start the ' +
  'agent once with `allowMassPrune: true` in its config';

/** How long before the engine was seen gone its own stop may have stopped containers. */
const ENGINE_STOP_MS = 60_000;

/** Events of a pass's own work may trail it over the stream by this much at most. */
const OWN_EVENT_LAG_MS = 10_000;

export class Reconciler {
  private readonly aliases = new AliasCache();
  /** Exits of berth's containers that berth did not cause: a crash loop shows by them. */
  readonly exits: ExitLog;
  private readonly backoff: ResourceBackoff;
  private readonly lastChange = new Map<string, number>();
  private readonly pulledAt = new Map<string, number>();
  private readonly now: () => number;
  /** The engine as the last complete pass left it; null before the first. */
  private before: ObservedState | null = null;
  private revive: string[] = [];
  /** Warnings logged in this pass and in the one before, to log each once while it stands. */
  private noticed = new Set<string>();
  private lastNoticed = new Set<string>();
  private own: OwnWork | null = null;
  /** When the last pass's actions ended (local ms); null while a pass executes. */
  private actedAt: number | null = 0;
  private passes = 0;
  /** The series of resources the metrics show, by `JSON.stringify(ref)`. */
  private known = new Map<string, ResourceRef>();

  /** The last pass left work that a pass would do (see `work`): one more pass is due. */
  unsettled = false;
  lastPass: PassView | null = null;
  lastSuccess: Date | null = null;
  findings: Findings = { specErrors: [], problems: [], destinations: [], resources: [] };

  constructor(private readonly o: ReconcilerOptions) {
    this.now = o.now ?? Date.now;
    this.backoff = new ResourceBackoff(this.now);
    this.exits = new ExitLog(this.now);
  }

  /**
   * What berth itself is changing, as far as an event at `timeNano` (engine time) can be its
   * doing: everything a running pass acts on, and what the last pass acted on for events that
   * happened before its actions ended (the stream delivers them a little later). An event that
   * happened after that is someone else's, even on the same container.
   */
  ownWork(timeNano?: number): OwnWork | null {
    if (!this.own) return null;
    if (this.actedAt === null) return this.own;
    const recent = this.now() - this.actedAt < OWN_EVENT_LAG_MS;
    const before = timeNano !== undefined && timeNano / 1e6 <= this.actedAt;
    return recent && before ? this.own : null;
  }

  /**
   * IDs of berth's networks as last seen, to match network events (they carry no labels): the
   * destinations' networks and the stacks' own networks.
   */
  networkIds(): Set<string> {
    const ids = this.findings.destinations.flatMap((d) => (d.networkId ? [d.networkId] : []));
    const stacks = (this.before?.networks ?? []).filter(
      (n) => isOwned(n.labels, this.o.server) && n.labels[LABEL.kind] === 'Stack',
    );
    return new Set([...ids, ...stacks.map((n) => n.id)]);
  }

  /**
   * The engine came back after being away since `downAt`: the containers that ran when it went
   * away and are found exited are started again at the next pass, whatever their restart
   * policy. Those are the ones the last complete pass saw running, and the ones that exited in
   * the minute before the engine was seen gone: a stopping dockerd stops its containers while it
   * still answers, and a pass may observe them exited before the link sees the engine go.
   */
  engineReturned(downAt: number): void {
    const running = (this.before?.containers ?? []).filter((c) => c.state === 'running');
    const stopped = this.exits.since(downAt - ENGINE_STOP_MS);
    this.revive = [...new Set([...running.map((c) => c.id), ...stopped])];
  }

  /**
   * Before the first pass: every declared resource's series exist at once (controller-runtime:
   * every label combination from the start), as `Progressing`, or `Suspended`. Loading errors
   * wait for the first pass, which reports them.
   */
  async announce(): Promise<void> {
    const load = await this.o.lastGood.load(this.o.snapshot()).catch(() => null);
    if (!load) return;
    const seen = new Map<string, KnownResource>();
    for (const c of load.desired.containers) {
      const status = c.suspend ? 'Suspended' : 'Progressing';
      seen.set(c.resource, {
        kind: c.kind,
        resource: c.resource,
        destination: c.destination,
        status,
      });
    }
    this.o.metrics.knownResources([...seen.values()]);
    for (const r of seen.values()) this.known.set(JSON.stringify(refOf(r)), refOf(r));
  }

  /** One pass; `done` unless loading, observing or planning failed. */
  async pass(trigger: string): Promise<Outcome> {
    const id = ++this.passes;
    const log = this.o.log.child({ pass: id });
    const started = this.now();
    log.debug({ trigger }, 'pass started');
    try {
      const { changed, unsettled } = await this.work(log);
      this.unsettled = unsettled;
      this.finish(id, trigger, started, changed ? 'changed' : 'unchanged', null);
      this.lastSuccess = new Date(this.now());
      this.o.metrics.lastSuccess(this.lastSuccess);
      log.debug({ ms: this.now() - started }, 'pass done');
      return { kind: 'done' };
    } catch (err) {
      if (this.actedAt === null) this.actedAt = this.now();
      const error = messageOf(err);
      this.finish(id, trigger, started, 'error', error);
      log.error(
        { err: error, code: err instanceof BerthError ? err.code : undefined },
        'pass failed',
      );
      // No spec at all waits for the files to change; anything else is retried with backoff.
      if (err instanceof BerthError && err.code === 'SPEC_ROOT') return { kind: 'terminal', error };
      return { kind: 'retry', error };
    }
  }

  private finish(
    id: number,
    trigger: string,
    started: number,
    result: PassView['result'],
    error: string | null,
  ): void {
    const durationMs = this.now() - started;
    this.o.metrics.reconciled(result, durationMs / 1000);
    const startedAt = new Date(started).toISOString();
    this.lastPass = { id, trigger, startedAt, durationMs, result, error };
  }

  /**
   * Returns whether anything was executed, and whether the engine as observed after it still
   * differs from the specs in ways a pass would change (drift during the pass, say).
   */
  private async work(log: Logger): Promise<{ changed: boolean; unsettled: boolean }> {
    this.lastNoticed = this.noticed;
    this.noticed = new Set();
    const load = await this.o.lastGood.load(this.o.snapshot());
    this.publishSpecErrors(load.errors, log);
    const desired = load.desired;
    const prints = fingerprints(desired.containers);
    const held = this.backoff.held(prints);

    const report = await converge(desired, {
      docker: this.o.docker,
      server: this.o.server,
      log,
      aliases: this.aliases,
      pruneGuard: this.o.pruneGuard,
      allowMassPrune: this.o.allowMassPrune,
      massPruneOverride: MASS_PRUNE_OVERRIDE,
      parallelism: this.o.parallelism,
      dryRun: false,
      stopping: this.o.stopping,
      held,
      revive: this.revive,
      pullDue: (image) => this.pullDue(image),
      planned: (p) => this.claim(p),
    });
    this.revive = [];
    this.actedAt = this.now();

    const pullFailures = new Map(report.pullErrors.map((p) => [p.resource, p.error]));
    this.record(report.results, pullFailures, { prints, held }, log);
    const after =
      report.results.length > 0 ? await observe(this.o.docker, this.aliases) : report.observed;
    this.countDrift(report.results, log);
    this.logProblems(report.plan, log);
    this.before = remembered(this.before, after, desired);
    // Resources of invalid files that the load lost stay in the status, as Invalid.
    const shown = { ...desired, containers: [...desired.containers, ...load.missing] };
    const missing = new Set(load.missing.map((c) => c.resource));
    const invalid = invalidResources(shown, load.errors, missing);
    this.publish(shown, after, report.plan, invalid);
    for (const r of this.findings.resources.filter((x) => x.status === 'Degraded')) {
      const data = { resource: r.resource, kind: r.kind, reason: r.reason };
      this.notice(`${r.kind} ${r.resource} is Degraded`, 'warn', log, data);
    }
    // Rule 4: the pass changed nothing and asks for a person; it fails, visibly, until then.
    const refused = report.plan.problems.find((p) => p.code === 'MASS_PRUNE');
    if (refused) {
      throw new BerthError('MASS_PRUNE', refused.message);
    }

    const next = this.backoff.nextRetry();
    if (next !== null) this.o.retryAt(next);
    const changed = report.results.length > 0;
    return { changed, unsettled: changed && this.stillToDo(desired, after, prints) };
  }

  /** Whether a pass on `after` would act, leaving out the resources that back off now. */
  private stillToDo(desired: DesiredState, after: ObservedState, prints: Map<string, string>) {
    const again = plan(desired, after, {
      server: this.o.server,
      pruneGuard: this.o.pruneGuard,
      allowMassPrune: this.o.allowMassPrune,
      massPruneOverride: MASS_PRUNE_OVERRIDE,
      held: this.backoff.held(prints),
    });
    return again.actions.length > 0;
  }

  /** A `pullPolicy: Always` image is pulled at most once per pullInterval. */
  private pullDue(image: string): boolean {
    const last = this.pulledAt.get(image);
    if (last !== undefined && this.now() - last < this.o.pullIntervalMs) return false;
    this.pulledAt.set(image, this.now());
    return true;
  }

  /** Marks the containers and networks of the plan as berth's own work, before it runs. */
  private claim(p: Plan): void {
    this.own = ownWorkOf(p);
    this.actedAt = null;
  }

  /**
   * Counts every action, and moves each resource's backoff on: a resource that failed backs
   * off longer; one that was tried (not held) and did not fail has nothing to wait for.
   */
  private record(
    results: ActionResult[],
    pullFailures: Map<string, string>,
    { prints, held }: { prints: Map<string, string>; held: string[] },
    log: Logger,
  ): void {
    const failed = new Map(pullFailures);
    const untried = new Set(held);
    for (const r of results) {
      if (!r.skipped) this.o.metrics.action(r.action.type, r.ok);
      if (!isResource(r.action)) continue;
      const resource = r.action.resource;
      if (r.ok) this.lastChange.set(resource, this.now());
      else if (r.skipped && !failed.has(resource))
        untried.add(resource); // berth is stopping
      else if (!r.skipped && !failed.has(resource)) failed.set(resource, r.error ?? 'failed');
    }
    for (const resource of this.backoff.errors().keys()) {
      if (!untried.has(resource) && !failed.has(resource)) this.backoff.forget(resource);
    }
    for (const [resource, error] of failed) {
      const at = this.backoff.failed(resource, prints.get(resource) ?? '', error);
      const retryInMs = Math.max(0, at - this.now());
      const failures = this.backoff.failures(resource);
      log.warn({ resource, retryInMs, failures }, 'resource failed; retrying later');
    }
  }

  /** Drift: actions that put back what the previous pass left and Docker lost since. */
  private countDrift(results: ActionResult[], log: Logger): void {
    const ok = results.filter((r) => r.ok).map((r) => r.action);
    for (const d of driftOf(ok, this.before, this.o.server)) {
      if (d.kind === 'Server') continue;
      this.o.metrics.drift(d.kind, d.reason);
      log.info({ resource: d.resource, kind: d.kind, reason: d.reason }, 'drift corrected');
    }
  }

  /**
   * The planner's problems (name clashes, blocked destinations, held removals) at warn when
   * they first appear or change, at debug while they stay: a periodic pass must not repeat
   * the same warning every 30 s.
   */
  private logProblems(p: Plan, log: Logger): void {
    for (const x of p.problems) {
      const level = x.level === 'error' ? 'error' : 'warn';
      this.notice(`${x.code} ${x.kind} ${x.resource}: ${x.message}`, level, log, {
        code: x.code,
        kind: x.kind,
        resource: x.resource,
      });
    }
  }

  /** Logs `message` at `level` the first pass it appears in, at debug while it repeats. */
  private notice(message: string, level: 'warn' | 'error', log: Logger, data: object): void {
    this.noticed.add(message);
    log[this.lastNoticed.has(message) ? 'debug' : level](data, message);
  }

  private publishSpecErrors(errors: SpecError[], log: Logger): void {
    const counts = new Map<string, number>();
    for (const e of errors) counts.set(e.location.file, (counts.get(e.location.file) ?? 0) + 1);
    this.o.metrics.specErrors(counts);
    for (const e of errors) {
      const data = { code: e.code, file: e.location.file, line: e.location.line };
      this.notice(`${e.message}; its last good version stays in force`, 'warn', log, data);
    }
    this.findings = {
      ...this.findings,
      specErrors: errors.map((e) => ({
        file: e.location.file,
        line: e.location.line,
        field: e.location.path,
        code: e.code,
        message: e.message,
      })),
    };
  }

  /** Status of every resource and destination, into /status and the metrics. */
  private publish(
    desired: DesiredState,
    observed: ObservedState,
    thePlan: Plan,
    invalid: Map<string, string>,
  ): void {
    const views = resourceStatuses({
      server: this.o.server,
      containers: desired.containers,
      observed,
      failed: this.backoff.errors(),
      invalid,
      problems: thePlan.problems,
      exits: (id) => this.exits.recent(id),
    });
    const resources = resourceStatusViews(views, desired, observed, this.lastChange);
    const destinations = destinationViews(desired, observed, this.o.server);
    const seen = new Map<string, ResourceRef>();
    for (const r of resources) {
      const ref = refOf(r);
      seen.set(JSON.stringify(ref), ref);
      this.o.metrics.setResource(ref, r.status, r.healthy);
    }
    for (const [key, ref] of this.known) if (!seen.has(key)) this.o.metrics.forgetResource(ref);
    this.known = seen;
    for (const d of destinations) {
      this.o.metrics.destinationContainers(d.name, d.network, d.containers.length);
    }
    for (const r of [...this.lastChange.keys()]) {
      if (!views.some((v) => v.resource === r)) this.lastChange.delete(r);
    }
    const problems = thePlan.problems.map(({ level, code, kind, resource, message }) => ({
      level,
      code,
      kind,
      resource,
      message,
    }));
    this.findings = { ...this.findings, problems, destinations, resources };
  }
}

/** The labels of a resource's series. */
function refOf(r: ResourceRef): ResourceRef {
  return { kind: r.kind, resource: r.resource, destination: r.destination };
}

/** Stacks too: a failed wait or start of a service fails its stack and backs it off. */
function isResource(a: Action): boolean {
  return a.kind !== 'Destination' && a.kind !== 'Server';
}
