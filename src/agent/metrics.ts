/**
 * The agent's Prometheus metrics. The names, types and labels of the contract's table
 * (ARCHITECTURE.md, "Interfaces") are fixed; more may be added, none renamed.
 *
 * Every instance owns its own registry (never prom-client's global one), with the process and
 * Node.js default metrics collected into it, so that tests and several instances never share a
 * series. Every label combination whose values are known in advance exists at zero from the
 * start (controller-runtime): reconcile results, action types × results, drift kinds × reasons,
 * and, through `knownResources`, every status of every known resource.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ResourceKind } from '../model';
import { ActionType } from '../plan/types';

/** The statuses a resource can show (ARCHITECTURE.md, "Interfaces"). */
export const RESOURCE_STATUSES = [
  'Ready',
  'Progressing',
  'Degraded',
  'Completed',
  'Failed',
  'Invalid',
  'Pending',
  'Suspended',
] as const;
export type ResourceStatus = (typeof RESOURCE_STATUSES)[number];

/** Why the agent put something back the way the spec says. */
export const DRIFT_REASONS = [
  'container-missing',
  'container-stopped',
  'network-detached',
  'network-missing',
] as const;
export type DriftReason = (typeof DRIFT_REASONS)[number];

/** How a pass ended; `error`: the pass itself could not load, observe or plan. */
export const RECONCILE_RESULTS = ['changed', 'unchanged', 'error'] as const;
export type ReconcileResult = (typeof RECONCILE_RESULTS)[number];

const RESOURCE_KINDS: Record<ResourceKind, true> = {
  Application: true,
  Database: true,
  Stack: true,
};
/** The kinds whose drift is counted: resources, and destinations for their networks. */
const DRIFT_KINDS = [...Object.keys(RESOURCE_KINDS), 'Destination'] as const;

// A Record keyed by ActionType: the compiler refuses this list when an action type is added.
const ACTION_TYPE_SET: Record<ActionType, true> = {
  'network-create': true,
  'network-recreate': true,
  'network-move': true,
  'network-remove': true,
  'volume-create': true,
  'next-discard': true,
  'next-promote': true,
  'container-create': true,
  'container-recreate': true,
  'container-start': true,
  'container-wait': true,
  'container-remove': true,
  'endpoint-connect': true,
  'endpoint-realias': true,
  'endpoint-disconnect': true,
};
/** Every action type the planner emits. */
export const ACTION_TYPES = Object.keys(ACTION_TYPE_SET) as ActionType[];

/** Identifies one resource's series. */
export interface ResourceRef {
  kind: ResourceKind;
  resource: string;
  destination: string;
}

/** A resource known at start, with the status (and health, default unhealthy) to show first. */
export interface KnownResource extends ResourceRef {
  status: ResourceStatus;
  healthy?: boolean;
}

/** Buckets for a pass's duration, in seconds: passes that pull images take minutes. */
const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

function result(ok: boolean): 'ok' | 'failed' {
  return ok ? 'ok' : 'failed';
}

export class Metrics {
  private readonly register = new Registry();
  private readonly reconcileTotal: Counter<'result'>;
  private readonly reconcileDuration: Histogram<string>;
  private readonly actionsTotal: Counter<'action' | 'result'>;
  private readonly resourceStatus: Gauge<'kind' | 'resource' | 'destination' | 'status'>;
  private readonly resourceHealthy: Gauge<'kind' | 'resource' | 'destination'>;
  private readonly destinationContainersGauge: Gauge<'destination' | 'network'>;
  private readonly specErrorsGauge: Gauge<'file'>;
  private readonly driftTotal: Counter<'kind' | 'reason'>;
  private readonly lastSuccessGauge: Gauge<string>;
  private readonly revisionInfo: Gauge<'revision'>;
  private readonly dockerUpGauge: Gauge<string>;
  private readonly dockerRequestsTotal: Counter<'operation' | 'result'>;

  constructor() {
    const registers = [this.register];
    collectDefaultMetrics({ register: this.register });
    this.reconcileTotal = new Counter({
      name: 'berth_reconcile_total',
      help: 'Reconcile passes, by result (error: the pass could not load, observe or plan).',
      labelNames: ['result'],
      registers,
    });
    this.reconcileDuration = new Histogram({
      name: 'berth_reconcile_duration_seconds',
      help: 'How long a reconcile pass took.',
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.actionsTotal = new Counter({
      name: 'berth_actions_total',
      help: 'Actions executed, by action type and result (ok, failed).',
      labelNames: ['action', 'result'],
      registers,
    });
    this.resourceStatus = new Gauge({
      name: 'berth_resource_status',
      help: "1 for a resource's current status, 0 for the others.",
      labelNames: ['kind', 'resource', 'destination', 'status'],
      registers,
    });
    this.resourceHealthy = new Gauge({
      name: 'berth_resource_healthy',
      help: '1 when the resource is healthy, else 0.',
      labelNames: ['kind', 'resource', 'destination'],
      registers,
    });
    this.destinationContainersGauge = new Gauge({
      name: 'berth_destination_containers',
      help: 'Containers on a destination, by network.',
      labelNames: ['destination', 'network'],
      registers,
    });
    this.specErrorsGauge = new Gauge({
      name: 'berth_spec_errors',
      help: 'Errors in a spec file; fixed files have no series.',
      labelNames: ['file'],
      registers,
    });
    this.driftTotal = new Counter({
      name: 'berth_drift_corrections_total',
      help: 'Drift put back the way the spec says, by resource kind and reason.',
      labelNames: ['kind', 'reason'],
      registers,
    });
    this.lastSuccessGauge = new Gauge({
      name: 'berth_last_success_timestamp_seconds',
      help: 'When the last successful reconcile pass ended, in Unix seconds (0: none yet).',
      registers,
    });
    this.revisionInfo = new Gauge({
      name: 'berth_source_revision_info',
      help: 'Always 1; the revision of the specs source last loaded.',
      labelNames: ['revision'],
      registers,
    });
    this.dockerUpGauge = new Gauge({
      name: 'berth_docker_up',
      help: '1 when the Docker engine answered the last request, else 0.',
      registers,
    });
    this.dockerRequestsTotal = new Counter({
      name: 'berth_docker_requests_total',
      help: 'Requests to the Docker engine, by operation and result (ok, failed).',
      labelNames: ['operation', 'result'],
      registers,
    });

    for (const r of RECONCILE_RESULTS) this.reconcileTotal.inc({ result: r }, 0);
    for (const action of ACTION_TYPES) {
      for (const ok of [true, false]) this.actionsTotal.inc({ action, result: result(ok) }, 0);
    }
    for (const kind of DRIFT_KINDS) {
      for (const reason of DRIFT_REASONS) this.driftTotal.inc({ kind, reason }, 0);
    }
    this.lastSuccessGauge.set(0);
    this.dockerUpGauge.set(0);
  }

  /** The exposition's Content-Type header. */
  get contentType(): string {
    return this.register.contentType;
  }

  /** The exposition text, for `/metrics`. */
  text(): Promise<string> {
    return this.register.metrics();
  }

  /** A pass ended with `result` after `seconds`. */
  reconciled(result: ReconcileResult, seconds: number): void {
    if (!(RECONCILE_RESULTS as readonly string[]).includes(result)) {
      throw new Error(`unknown reconcile result "${result}"`);
    }
    this.reconcileTotal.inc({ result });
    this.reconcileDuration.observe(seconds);
  }

  /** An action of `type` was executed. */
  action(type: ActionType, ok: boolean): void {
    this.actionsTotal.inc({ action: type, result: result(ok) });
  }

  /** Shows `status` (1) and every other status (0) and the health of one resource. */
  setResource(ref: ResourceRef, status: ResourceStatus, healthy: boolean): void {
    if (!(RESOURCE_STATUSES as readonly string[]).includes(status)) {
      throw new Error(`unknown resource status "${status}"`);
    }
    const { kind, resource, destination } = ref;
    for (const s of RESOURCE_STATUSES) {
      this.resourceStatus.set({ kind, resource, destination, status: s }, s === status ? 1 : 0);
    }
    this.resourceHealthy.set({ kind, resource, destination }, healthy ? 1 : 0);
  }

  /** Removes every series of a resource that is gone (or moved to another destination). */
  forgetResource(ref: ResourceRef): void {
    const { kind, resource, destination } = ref;
    for (const status of RESOURCE_STATUSES) {
      this.resourceStatus.remove({ kind, resource, destination, status });
    }
    this.resourceHealthy.remove({ kind, resource, destination });
  }

  /** At start: creates every status series of every known resource (`healthy` default false). */
  knownResources(list: readonly KnownResource[]): void {
    for (const r of list) this.setResource(r, r.status, r.healthy ?? false);
  }

  /** `n` containers of `destination` are on `network`. */
  destinationContainers(destination: string, network: string, n: number): void {
    this.destinationContainersGauge.set({ destination, network }, n);
  }

  /** Replaces the spec errors: one series per file given; files not given have none. */
  specErrors(counts: ReadonlyMap<string, number> | Readonly<Record<string, number>>): void {
    const entries = counts instanceof Map ? [...counts] : Object.entries(counts);
    this.specErrorsGauge.reset();
    for (const [file, count] of entries) this.specErrorsGauge.set({ file }, count);
  }

  /** Drift of a `kind` resource was corrected; throws on a reason not in DRIFT_REASONS. */
  drift(kind: ResourceKind | 'Destination', reason: DriftReason): void {
    if (!(DRIFT_REASONS as readonly string[]).includes(reason)) {
      throw new Error(`unknown drift reason "${reason}"; known: ${DRIFT_REASONS.join(', ')}`);
    }
    this.driftTotal.inc({ kind, reason });
  }

  /** Whether the Docker engine answers. */
  dockerUp(up: boolean): void {
    this.dockerUpGauge.set(up ? 1 : 0);
  }

  /** One request to the Docker engine, e.g. operation `containerList`. */
  dockerRequest(operation: string, ok: boolean): void {
    this.dockerRequestsTotal.inc({ operation, result: result(ok) });
  }

  /** The specs source is now at `rev`; the previous revision's series goes away. */
  revision(rev: string): void {
    this.revisionInfo.reset();
    this.revisionInfo.set({ revision: rev }, 1);
  }

  /** A pass succeeded at `at`. */
  lastSuccess(at: Date): void {
    this.lastSuccessGauge.set(at.getTime() / 1000);
  }
}
