/**
 * A plan: the ordered actions that take the observed state to the desired one, and the problems
 * that kept parts of it from being planned. Every action names its resource and a plain reason.
 */
import { ErrorCode } from '../errors';
import { DependsOnCondition, DesiredContainer, NetworkSettings, ResourceKind } from '../model';

/** What an action or problem is about; `Server` for what concerns the whole server. */
export type SubjectKind = ResourceKind | 'Destination' | 'Server';

interface Base {
  /** Resource (or destination) metadata.name the action belongs to. */
  resource: string;
  kind: SubjectKind;
  reason: string;
  /** The compose service, for the actions on a stack's containers. */
  service?: string;
  /**
   * For a stack container's actions: the services it depends on (any condition), whose steps
   * run first; a failure there skips this service's steps. Other services run alongside.
   */
  after?: string[];
}

/** A berth container to join to a network again after the network was replaced. */
export interface Reattach {
  containerId: string;
  container: string;
  aliases: string[];
  /** Already on the target network: a move that was interrupted joined it there. */
  joined: boolean;
}

export type Action =
  | (Base & {
      type: 'network-create';
      network: string;
      settings: NetworkSettings;
      /** For the `berth.destination` label: the destination, or the stack's destination. */
      destination: string;
    })
  | (Base & {
      type: 'network-recreate';
      networkId: string;
      network: string;
      settings: NetworkSettings;
      reattach: Reattach[];
    })
  | (Base & {
      type: 'network-move';
      fromId: string;
      from: string;
      network: string;
      settings: NetworkSettings;
      reattach: Reattach[];
    })
  | (Base & { type: 'network-remove'; networkId: string; network: string })
  | (Base & { type: 'volume-create'; volume: string; destination: string })
  | (Base & { type: 'next-discard'; containerId: string; container: string })
  | (Base & { type: 'next-promote'; containerId: string; container: string })
  | (Base & { type: 'container-create'; spec: DesiredContainer })
  | (Base & {
      type: 'container-recreate';
      spec: DesiredContainer;
      containerId: string;
      /** The old container runs: only then is it started again if the replacement fails. */
      oldRunning: boolean;
      /**
       * Anonymous volumes of the old container, mounted again at the same targets where the
       * new container still declares a volume (in its spec or its image).
       */
      carry: { volume: string; target: string }[];
    })
  | (Base & { type: 'container-start'; containerId: string; container: string })
  | (Base & {
      type: 'container-wait';
      /** The dependency's container, which must be this stack's own `<stack>-<service>`. */
      container: string;
      dependency: string;
      condition: Exclude<DependsOnCondition, 'service_started'>;
      timeoutMs: number;
    })
  | (Base & { type: 'container-remove'; containerId: string; container: string })
  | (Base & {
      type: 'endpoint-connect';
      containerId: string;
      container: string;
      network: string;
      aliases: string[];
    })
  | (Base & {
      type: 'endpoint-realias';
      containerId: string;
      container: string;
      network: string;
      aliases: string[];
    })
  | (Base & {
      type: 'endpoint-disconnect';
      containerId: string;
      container: string;
      network: string;
    });

export type ActionType = Action['type'];

/** Why part of the desired state was not planned, or what a person should look at. */
export interface Problem {
  level: 'error' | 'warning';
  code: ErrorCode;
  resource: string;
  kind: SubjectKind;
  message: string;
}

/** What the planner reports about a resource it planned nothing for. */
export interface Standing {
  resource: string;
  kind: ResourceKind;
  service?: string;
  /**
   * Suspended, Held (left as it is this pass, see PlanOptions.held), Completed, Exited
   * (non-zero under a one-shot policy), Restarting, Paused or Removing (Docker is removing it).
   */
  note: 'Suspended' | 'Held' | 'Completed' | 'Exited' | 'Restarting' | 'Paused' | 'Removing';
}

export interface Plan {
  actions: Action[];
  problems: Problem[];
  standings: Standing[];
}

export interface PlanOptions {
  server: string;
  pruneGuard: { maxShare: number; minCount: number };
  allowMassPrune: boolean;
  /**
   * How the MASS_PRUNE refusal tells the operator to override it; default the one-shot
   * command's `run again with --allow-mass-prune` (the agent says how to do it under it).
   */
  massPruneOverride?: string;
  /**
   * Resources to leave exactly as they are this pass, because something they need failed
   * before planning (their `pullPolicy: Always` image could not be pulled). Still declared:
   * never removed. Default: none.
   */
  held?: string[];
  /**
   * IDs of containers that ran until the Docker engine itself stopped: an exited one is
   * started whatever its restart policy, since its own process never chose to end (the agent
   * passes those it saw running before it lost the engine). Default: none.
   */
  revive?: string[];
}
