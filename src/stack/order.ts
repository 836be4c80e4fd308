/**
 * `depends_on`: which services a service waits for, and the start order of a stack's services
 * (a dependency before its dependents; ties by name, so the order is the same on every run).
 */
import type { DocContext } from '../spec/context';
import { childPointer } from '../spec/pointer';
import type { DependencyCondition, ServiceSpec } from './compose-types';

export interface Dependency {
  service: string;
  condition: DependencyCondition;
  pointer: string;
}

/** The dependencies of one service, sorted by service; the list form means service_started. */
export function dependenciesOf(service: string, spec: ServiceSpec): Dependency[] {
  const pointer = childPointer(childPointer('/services', service), 'depends_on');
  const value = spec.depends_on;
  if (value === undefined) return [];
  const list: Dependency[] = Array.isArray(value)
    ? value.map((s, i) => ({
        service: s,
        condition: 'service_started',
        pointer: childPointer(pointer, i),
      }))
    : Object.entries(value).map(([s, d]) => ({
        service: s,
        condition: d.condition ?? 'service_started',
        pointer: childPointer(pointer, s),
      }));
  return list.sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
}

/**
 * The services in start order; null when a dependency names no service of the stack or the
 * dependencies form a cycle (errors go to ctx).
 */
export function startOrder(
  services: Record<string, ServiceSpec>,
  ctx: DocContext,
): string[] | null {
  const names = Object.keys(services).sort();
  const deps = new Map(names.map((n) => [n, dependenciesOf(n, services[n])]));
  let ok = true;
  for (const [name, list] of deps) {
    for (const d of list) {
      if (d.service === name) ok = fail(ctx, d.pointer, `service '${name}' depends on itself`);
      else if (!(d.service in services)) {
        ok = fail(ctx, d.pointer, `service '${d.service}' is not a service of this stack`);
      }
    }
  }
  if (!ok) return null;

  const order: string[] = [];
  const placed = new Set<string>();
  while (order.length < names.length) {
    const ready = names.find(
      (n) => !placed.has(n) && (deps.get(n) ?? []).every((d) => placed.has(d.service)),
    );
    if (ready === undefined)
      return cycle(
        names.filter((n) => !placed.has(n)),
        deps,
        ctx,
      );
    order.push(ready);
    placed.add(ready);
  }
  return order;
}

function cycle(left: string[], deps: Map<string, Dependency[]>, ctx: DocContext): null {
  const first = left[0];
  const on = (deps.get(first) ?? []).find((d) => left.includes(d.service));
  const detail = `depends_on forms a cycle among services ${left.join(', ')}: remove one link`;
  ctx.fail(on?.pointer ?? childPointer('/services', first), detail);
  return null;
}

function fail(ctx: DocContext, pointer: string, detail: string): false {
  ctx.fail(pointer, detail, 'SPEC_REFERENCE');
  return false;
}
