/**
 * What the planner does for stack containers beyond what it does for every container: name the
 * service in each action, and wait for `depends_on` services before a dependent (re)starts.
 */
import { DesiredContainer, StackService } from '../model';
import { Action } from './types';

/** The resource, kind and (for a stack container) service that actions and standings name. */
export function subjectOf(spec: DesiredContainer) {
  const subject = { resource: spec.resource, kind: spec.kind };
  return spec.service ? { ...subject, service: spec.service.name } : subject;
}

const STARTS: ReadonlySet<Action['type']> = new Set([
  'container-create',
  'container-recreate',
  'container-start',
]);

/**
 * The steps with a wait in front for every service_healthy or service_completed_successfully
 * dependency, when the steps start the container. A container that runs on is not held back.
 * Each step of a stack service names the services it comes after.
 */
export function withWaits(spec: DesiredContainer, steps: Action[]): Action[] {
  const service = spec.service;
  if (!service) return steps;
  const after = service.dependsOn.map((d) => d.service);
  return withAfter(withStartWaits(spec, service, steps), after);
}

function withAfter(steps: Action[], after: string[]): Action[] {
  return after.length === 0 ? steps : steps.map((s) => ({ ...s, after }));
}

function withStartWaits(spec: DesiredContainer, service: StackService, steps: Action[]): Action[] {
  if (!steps.some((s) => STARTS.has(s.type))) return steps;

  const waits: Action[] = [];
  for (const dep of service.dependsOn) {
    if (dep.condition === 'service_started') continue;
    waits.push({
      type: 'container-wait',
      ...subjectOf(spec),
      container: dep.container,
      dependency: dep.service,
      condition: dep.condition,
      timeoutMs: service.healthTimeoutMs,
      reason: `depends_on ${dep.service}: ${dep.condition}`,
    });
  }
  const at = steps.findIndex((s) => STARTS.has(s.type));
  // A leftover replacement is settled first: it is about this container, not its dependencies.
  return [...steps.slice(0, at), ...waits, ...steps.slice(at)];
}
