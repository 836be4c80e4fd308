/**
 * Published ports: `"80"`, `"8080:80"`, `"127.0.0.1:8080:80"`, `"127.0.0.1::80"`,
 * `"[::1]:8080:80"`, each optionally ending in `/tcp` or `/udp`, or the long form
 * `{ target, published, hostIp, protocol }`. The schema checks the form; this module reads it.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { PortBinding } from '../model';
import type { DocContext } from './context';
import { childPointer } from './pointer';
import type { PortObjectSpec } from './spec-types';

const PORTS = '/spec/ports';
const IPV6_FORM = /^\[([^\]]+)\]:([0-9]*):([0-9]+)$/;

/** Port bindings in the order ContainerConfig documents; errors go to `ctx` below `base`. */
export function parsePorts(
  specs: Array<string | PortObjectSpec>,
  ctx: DocContext,
  base = PORTS,
): PortBinding[] {
  const bindings: PortBinding[] = [];
  const seen = new Map<string, number>();

  specs.forEach((spec, i) => {
    const pointer = childPointer(base, i);
    const binding = typeof spec === 'string' ? parsePortText(spec, pointer, ctx) : fromObject(spec);
    if (!binding) return;

    const ip = binding.hostIp.includes(':') ? `[${binding.hostIp}]` : binding.hostIp;
    const hostSide = `${ip ? ip + ':' : ''}${binding.hostPort}/${binding.protocol}`;
    const first = seen.get(hostSide);
    if (binding.hostPort !== '' && first !== undefined) {
      const other = ctx.at(childPointer(base, first)).path;
      ctx.fail(pointer, `host port ${hostSide} is already published by ${other}`);
      return;
    }
    seen.set(hostSide, i);
    bindings.push(binding);
  });
  return bindings.sort(comparePorts);
}

/** The order of ContainerConfig.ports: container port (numerically), protocol, host IP, port. */
export function comparePorts(a: PortBinding, b: PortBinding): number {
  return (
    Number(a.containerPort) - Number(b.containerPort) ||
    compareText(a.protocol, b.protocol) ||
    compareText(a.hostIp, b.hostIp) ||
    Number(a.hostPort || 0) - Number(b.hostPort || 0)
  );
}

function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function fromObject(spec: PortObjectSpec): PortBinding {
  return {
    hostIp: spec.hostIp ?? '',
    hostPort: spec.published === undefined ? '' : String(spec.published),
    containerPort: String(spec.target),
    protocol: spec.protocol ?? 'tcp',
  };
}

function parsePortText(text: string, pointer: string, ctx: DocContext): PortBinding | null {
  const [address, protocol = 'tcp'] = text.split('/');
  const parts = splitAddress(address);
  if (!parts) {
    ctx.fail(pointer, `'${text}': the host address must be an IPv4 address or [IPv6 address]`);
    return null;
  }

  const [hostIp, hostPort, containerPort] = parts;
  const badPort = [hostPort, containerPort].find((p) => p !== '' && !validPort(p));
  if (badPort !== undefined) {
    ctx.fail(pointer, `'${text}': port ${badPort} is out of range (1-65535)`);
    return null;
  }
  // Docker stores port numbers without leading zeros; so do we, or "080" would look like drift.
  return {
    hostIp,
    hostPort: hostPort === '' ? '' : String(Number(hostPort)),
    containerPort: String(Number(containerPort)),
    protocol: protocol === 'udp' ? 'udp' : 'tcp',
  };
}

/** [hostIp, hostPort, containerPort], or null when the host address is not an IP address. */
function splitAddress(address: string): [string, string, string] | null {
  const v6 = IPV6_FORM.exec(address);
  if (v6) return isIPv6(v6[1]) ? [v6[1], v6[2], v6[3]] : null;

  const parts = address.split(':');
  if (parts.length === 1) return ['', '', parts[0]];
  if (parts.length === 2) return ['', parts[0], parts[1]];
  return isIPv4(parts[0]) ? [parts[0], parts[1], parts[2]] : null;
}

function validPort(text: string): boolean {
  const n = Number(text);
  return Number.isInteger(n) && n >= 1 && n <= 65535;
}
