/**
 * Which Docker events make the agent look again. Container events carry the container's labels,
 * so berth's are told apart by `berth.managed` and `berth.server`; network events carry no
 * labels, so they are matched by the IDs of berth's networks. Events that berth's own actions
 * cause are ignored (contract), judged by the containers and networks a pass is working on.
 */
import { isOwned } from '../labels';
import { DockerEvent } from './docker-link';

/** Container actions after which the state may differ from the specs, or the status changed. */
const CONTAINER_ACTIONS = new Set(['die', 'destroy', 'stop', 'kill', 'pause', 'unpause', 'start']);
/** Network actions that take an attachment or a whole network away. */
const NETWORK_ACTIONS = new Set(['disconnect', 'destroy']);

/** What berth is changing right now, and for a short while after (its events trail it). */
export interface OwnWork {
  /** Names and IDs of the containers a pass acts on. */
  containers: Set<string>;
  /** IDs of the networks a pass acts on. */
  networks: Set<string>;
}

/** Whether `e` asks for a pass: a change to a berth object that berth did not make itself. */
export function wantsPass(
  e: DockerEvent,
  server: string,
  networkIds: ReadonlySet<string>,
  own: OwnWork | null,
): boolean {
  const attrs = e.Actor?.Attributes ?? {};
  if (e.Type === 'container') {
    const action = e.Action.startsWith('health_status') ? 'health_status' : e.Action;
    if (action !== 'health_status' && !CONTAINER_ACTIONS.has(action)) return false;
    if (!isOwned(attrs, server)) return false;
    return !own || !(own.containers.has(e.Actor.ID) || own.containers.has(attrs.name ?? ''));
  }
  if (e.Type === 'network') {
    if (!NETWORK_ACTIONS.has(e.Action) || !networkIds.has(e.Actor.ID)) return false;
    if (!own) return true;
    return !own.networks.has(e.Actor.ID) && !own.containers.has(attrs.container ?? '');
  }
  return false;
}
