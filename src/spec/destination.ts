/**
 * A Destination spec → DesiredDestination, with the defaults written out so that an omitted
 * field and Docker's own default compare equal.
 */
import type { DesiredDestination, NetworkSettings } from '../model';
import type { DocContext } from './context';
import type { DestinationSpec } from './spec-types';

export const DEFAULT_DRIVER = 'bridge';

/** Normalize a schema-valid Destination spec; null when its IPAM settings contradict. */
export function normalizeDestination(
  name: string,
  spec: DestinationSpec,
  ctx: DocContext,
): DesiredDestination | null {
  const settings: NetworkSettings = {
    driver: spec.driver ?? DEFAULT_DRIVER,
    internal: spec.internal ?? false,
    ipam: spec.ipam ? checkIpam(spec.ipam, ctx) : null,
    options: sortedRecord(spec.options ?? {}),
  };
  if (ctx.failed) return null;

  return {
    name,
    displayName: spec.displayName ?? null,
    network: spec.network ?? name,
    settings,
    source: ctx.source,
  };
}

type Ipam = NonNullable<NetworkSettings['ipam']>;

// Docker keeps the subnet as written; a subnet with host bits set would read back differently
// from what the spec says and look like drift on every pass, so insist on the network address.
function checkIpam(ipam: NonNullable<DestinationSpec['ipam']>, ctx: DocContext): Ipam {
  const subnet = parseCidr(ipam.subnet);
  if (subnet.base !== subnet.address) {
    const fixed = `${formatIpv4(subnet.base)}/${subnet.bits}`;
    ctx.fail('/spec/ipam/subnet', `'${ipam.subnet}' has host bits set: write ${fixed}`);
  }
  if (ipam.gateway !== undefined && !contains(subnet, parseIpv4(ipam.gateway))) {
    ctx.fail('/spec/ipam/gateway', `${ipam.gateway} is not inside the subnet ${ipam.subnet}`);
  }
  if (ipam.ipRange !== undefined) {
    const range = parseCidr(ipam.ipRange);
    if (range.bits < subnet.bits || !contains(subnet, range.base)) {
      ctx.fail('/spec/ipam/ipRange', `${ipam.ipRange} is not inside the subnet ${ipam.subnet}`);
    }
  }
  return { subnet: ipam.subnet, gateway: ipam.gateway ?? null, ipRange: ipam.ipRange ?? null };
}

interface Cidr {
  address: number;
  base: number;
  bits: number;
}

/** An IPv4 CIDR the schema has already checked the form of. */
function parseCidr(text: string): Cidr {
  const [ip, bits] = text.split('/');
  const address = parseIpv4(ip);
  const n = Number(bits);
  return { address, base: n === 0 ? 0 : (address & (~0 << (32 - n))) >>> 0, bits: n };
}

function parseIpv4(text: string): number {
  return text.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

function formatIpv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join('.');
}

function contains(net: Cidr, ip: number): boolean {
  const mask = net.bits === 0 ? 0 : (~0 << (32 - net.bits)) >>> 0;
  return (ip & mask) >>> 0 === net.base;
}

/** A copy with keys in sorted order, so that equal maps serialize equally. */
export function sortedRecord(record: Record<string, string>): Record<string, string> {
  const keys = Object.keys(record).sort();
  return Object.fromEntries(keys.map((k) => [k, record[k]]));
}
