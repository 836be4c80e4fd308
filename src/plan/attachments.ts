/**
 * Network attachments of a running container: connect, re-alias and disconnect so that its
 * endpoints match the spec, without recreating it. Pure.
 */
import { DesiredContainer, ObservedContainer } from '../model';
import type { ContainerContext } from './containers';
import { subjectOf } from './stack-containers';
import { Action } from './types';

/** Connect, re-alias and disconnect so that the endpoints match the spec's attachments. */
export function attachmentSteps(
  spec: DesiredContainer,
  c: ObservedContainer,
  ctx: ContainerContext,
): Action[] {
  const subject = { ...subjectOf(spec), containerId: c.id };
  const steps: Action[] = [];
  for (const att of spec.attachments) {
    if (att.destination !== null && ctx.replaced.has(att.destination)) continue;
    const ep = c.networks[att.network];
    const base = { ...subject, container: spec.name, network: att.network, aliases: att.aliases };
    if (!ep) {
      const owner = att.destination === null ? 'stack network' : `destination ${att.destination}`;
      const reason = `not attached to ${att.network} (${owner})`;
      steps.push({ type: 'endpoint-connect', ...base, reason });
    } else if (ep.aliases && !sameSet(ownAliases(spec, ep.aliases, att.aliases), att.aliases)) {
      const [was, now] = [ep.aliases.join(', '), att.aliases.join(', ')];
      const reason = `aliases on ${att.network} [${was}] → [${now}]`;
      steps.push({ type: 'endpoint-realias', ...base, reason });
    }
  }
  const wanted = new Set(spec.attachments.map((a) => a.network));
  for (const network of Object.keys(c.networks).sort()) {
    if (wanted.has(network)) continue;
    const reason = leaveReason(spec, network, ctx);
    if (reason)
      steps.push({
        type: 'endpoint-disconnect',
        ...subject,
        container: spec.name,
        network,
        reason,
      });
  }
  return steps;
}

/**
 * Why the container leaves a network it is on but its spec does not list, or null to stay:
 * berth leaves only destination networks, and the networks of the container's own stack.
 */
function leaveReason(spec: DesiredContainer, network: string, ctx: ContainerContext) {
  const destination = ctx.destinationOf.get(network);
  if (destination) {
    if (ctx.replaced.has(destination)) return null;
    if (spec.kind === 'Stack') return `destination ${destination} no longer joined by the stack`;
    return `destination ${destination} no longer listed`;
  }
  if (spec.kind === 'Stack' && ctx.stackOf.get(network) === spec.resource) {
    return `service no longer on network ${network}`;
  }
  return null;
}

/**
 * The aliases berth set on an endpoint: Docker adds the container's hostname (a compose
 * `hostname`) to every endpoint by itself, and no re-alias takes it away.
 */
function ownAliases(spec: DesiredContainer, seen: string[], wanted: string[]): string[] {
  const hostname = spec.config.service?.hostname;
  if (!hostname || wanted.includes(hostname)) return seen;
  return seen.filter((a) => a !== hostname);
}

function sameSet(a: string[], b: string[]): boolean {
  const x = [...new Set(a)].sort();
  const y = [...new Set(b)].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}
