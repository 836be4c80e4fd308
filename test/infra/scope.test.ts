import Docker from 'dockerode';
import fs from 'node:fs';
import path from 'node:path';

import { LABEL, ownerLabels } from '../../src/labels';
import {
  createScope,
  gatewayOf,
  MAX_SERVER_LENGTH,
  overlaps,
  portIsFree,
  portRange,
  serverName,
  subnetOctet,
  TEST_IMAGE,
  workerId,
  writeSpec,
} from '../support/scope';

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

describe('scope names, ports and subnets', () => {
  it('makes short, DNS-safe, distinct server names', () => {
    const long = serverName(7, 'A Very_Long label that goes on and on');
    const names = new Set(Array.from({ length: 20 }, () => serverName(1, 'same')));

    expect(long).toMatch(DNS_LABEL);
    expect(long.length).toBeLessThanOrEqual(MAX_SERVER_LENGTH);
    expect(long.startsWith('t7-a-very-long-label')).toBe(true);
    expect(serverName(1, '--')).toMatch(/^t1-x-[a-z0-9]{4}$/);
    expect(names.size).toBe(20);
  });

  it('gives every worker its own port block and subnet octet', () => {
    const workers = [1, 2, 3, 4, 5, 6, 7, 8];
    const blocks = workers.map(portRange);
    const octets = new Set(workers.map(subnetOctet));

    for (const [i, [first, last]] of blocks.entries()) {
      expect(last).toBeLessThan(32768);
      for (const [otherFirst, otherLast] of blocks.slice(i + 1)) {
        expect(first > otherLast || otherFirst > last).toBe(true);
      }
    }
    expect(octets.size).toBe(workers.length);
    expect([...octets].some((o) => overlaps(`10.${o}.0.0/16`, '10.200.0.0/16'))).toBe(false);
  });

  it('hands out distinct free ports and non-overlapping subnets', async () => {
    const scope = createScope('alloc');
    const other = createScope('alloc');
    const [first, last] = portRange(workerId());

    const ports = [];
    for (let i = 0; i < 5; i++) ports.push(await scope.port(), await other.port());
    const subnets = [];
    for (let i = 0; i < 4; i++) subnets.push(await scope.subnet(), await other.subnet());

    expect(new Set(ports).size).toBe(ports.length);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(first);
      expect(port).toBeLessThanOrEqual(last);
      expect(await portIsFree(port)).toBe(true);
    }
    expect(new Set(subnets).size).toBe(subnets.length);
    for (const subnet of subnets) {
      expect(subnet).toMatch(/^10\.\d+\.\d+\.0\/24$/);
      expect(overlaps(subnet, '10.200.0.0/16')).toBe(false);
    }
    expect(gatewayOf('10.211.7.0/24')).toBe('10.211.7.1');
  });
});

describe('scope cleanup', () => {
  const scope = createScope('cleanup');
  const bystander = createScope('bystander');
  afterAll(async () => {
    await scope.cleanup();
    await bystander.cleanup();
  });

  it('removes labelled and prefixed objects, and nothing of another scope', async () => {
    const { docker, server, prefix } = scope;
    const labels = ownerLabels(server, 'Application', 'web');
    const subnet = await scope.subnet();

    const net = await docker.createNetwork({
      Name: `${prefix}net`,
      CheckDuplicate: true,
      IPAM: { Config: [{ Subnet: subnet, Gateway: gatewayOf(subnet) }] },
    });
    // berth's names come from specs, not from the prefix: the label must be enough.
    const labelledNet = await docker.createNetwork({ Name: `${server}x-dest`, Labels: labels });
    await docker.createVolume({ Name: `${server}x_data`, Labels: labels });
    await docker.createVolume({ Name: `${prefix}foreign` });
    const web = await docker.createContainer({
      name: `${server}x-web`,
      Image: TEST_IMAGE,
      Cmd: ['sleep', '3600'],
      Labels: labels,
      HostConfig: { NetworkMode: net.id },
    });
    await web.start();
    await docker.createContainer({ name: `${prefix}peer`, Image: TEST_IMAGE, Cmd: ['true'] });
    const kept = `${bystander.prefix}kept`;
    await docker.createVolume({ Name: kept });
    const dir = scope.specsDir();
    const file = writeSpec(dir, 'nested/app.yaml', 'kind: Application\n');

    expect(fs.readFileSync(file, 'utf8')).toBe('kind: Application\n');
    expect(path.relative(dir, file)).toBe(path.join('nested', 'app.yaml'));

    const report = await scope.cleanup();

    expect(report).toEqual({
      containers: [`${prefix}peer`, `${server}x-web`],
      networks: [`${prefix}net`, `${server}x-dest`].sort(),
      volumes: [`${prefix}foreign`, `${server}x_data`].sort(),
    });
    expect(await leftovers(docker, server, prefix)).toEqual([]);
    expect(fs.existsSync(dir)).toBe(false);
    await expect(docker.getNetwork(labelledNet.id).inspect()).rejects.toThrow(/404|not found/);
    expect((await docker.getVolume(kept).inspect()).Name).toBe(kept);
    expect(await scope.cleanup()).toEqual({ containers: [], networks: [], volumes: [] });
  });
});

async function leftovers(docker: Docker, server: string, prefix: string): Promise<string[]> {
  const label = { label: [`${LABEL.server}=${server}`] };
  const [containers, networks, volumes] = await Promise.all([
    docker.listContainers({ all: true }),
    docker.listNetworks(),
    docker.listVolumes(),
  ]);
  const names = [
    ...containers.map((c) => c.Names[0].slice(1)),
    ...networks.map((n) => n.Name),
    ...(volumes.Volumes ?? []).map((v) => v.Name),
  ];
  const labelled = await docker.listContainers({ all: true, filters: label });
  return [...names.filter((n) => n.startsWith(server)), ...labelled.map((c) => c.Id)];
}
