import net from 'node:net';

import {
  endpointAliases,
  execIn,
  holdPort,
  Peer,
  resolvesFrom,
  runPeer,
  waitFor,
} from '../support/dockerx';
import { gatewayOf, portIsFree, useScope } from '../support/scope';

describe('docker helpers on an internal network', () => {
  const scope = useScope('dockerx');
  const internal = `${scope.prefix}int`;
  const open = `${scope.prefix}open`;
  let asker: Peer;
  let target: Peer;
  let outsider: Peer;

  beforeAll(async () => {
    const subnet = await scope.subnet();
    await scope.docker.createNetwork({
      Name: internal,
      Internal: true,
      IPAM: { Config: [{ Subnet: subnet, Gateway: gatewayOf(subnet) }] },
    });
    await scope.docker.createNetwork({ Name: open });
    [asker, target, outsider] = await Promise.all([
      runPeer(scope, internal, { name: 'asker' }),
      runPeer(scope, internal, { name: 'target', aliases: ['api'] }),
      runPeer(scope, open, { name: 'outsider' }),
    ]);
  });

  it('runs a command and reports its exit code and output', async () => {
    const ok = await execIn(scope.docker, asker.id, ['sh', '-c', 'echo hello']);
    const failed = await execIn(scope.docker, asker.id, ['sh', '-c', 'echo no >&2; exit 4']);

    expect(ok).toEqual({ exitCode: 0, stdout: 'hello\n', stderr: '' });
    expect(failed).toEqual({ exitCode: 4, stdout: '', stderr: 'no\n' });
  });

  it('lists endpoint aliases, and refuses a network the container is not on', async () => {
    const aliases = await endpointAliases(scope.docker, target.id, internal);

    expect(aliases).toContain('api');
    expect(aliases).toContain(target.id.slice(0, 12));
    await expect(endpointAliases(scope.docker, target.id, open)).rejects.toThrow(/not attached/);
  });

  it('resolves names Docker knows and not others, from an internal peer', async () => {
    expect(await resolvesFrom(scope.docker, asker.id, target.name)).toBe(true);
    expect(await resolvesFrom(scope.docker, asker.id, 'api')).toBe(true);
    expect(await resolvesFrom(scope.docker, asker.id, `${scope.prefix}nobody`)).toBe(false);
  });

  it('never asks a non-internal peer about a name Docker does not know', async () => {
    expect(await resolvesFrom(scope.docker, outsider.id, outsider.name)).toBe(true);
    await expect(resolvesFrom(scope.docker, outsider.id, 'example.com')).rejects.toThrow(
      /could leave the machine/,
    );
  });
});

describe('holdPort and waitFor', () => {
  const scope = useScope('hold');

  it('holds a port from another process until closed', async () => {
    const port = await scope.port();
    const held = await holdPort(port);

    expect(held.pid).not.toBe(process.pid);
    expect(await portIsFree(port)).toBe(false);
    await held.close();
    expect(await portIsFree(port)).toBe(true);
  });

  it('fails clearly when the port is already taken', async () => {
    const port = await scope.port();
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));

    await expect(holdPort(port)).rejects.toThrow(/EADDRINUSE/);
    await new Promise((resolve) => server.close(resolve));
  });

  it('waits for a condition and times out with the last error', async () => {
    let calls = 0;
    expect(await waitFor(() => (++calls >= 3 ? calls : false), 2_000, 10)).toBe(3);
    await expect(
      waitFor(
        () => {
          throw new Error('still down');
        },
        100,
        10,
      ),
    ).rejects.toThrow(/within 100 ms; last error: still down/);
  });
});
