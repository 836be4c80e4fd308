/**
 * The compose service keys berth takes reach the container as Docker shows it, and a second
 * pass over the same compose file has nothing to do.
 */
import { useScope } from '../support/scope';
import { converge, destination, inspect, stackDoc, writeDocs } from './e2e';
import { service } from './stack-support';

describe('the compose keys berth takes', () => {
  const scope = useScope('stack-keys');
  const p = scope.prefix;
  const kit = `${p}kit`;
  let dir: string;

  beforeAll(() => {
    dir = scope.specsDir();
    writeDocs(dir, 'dest.yaml', destination(`${p}dest`));
    const all = service('3600', {
      pull_policy: 'never',
      entrypoint: ['sleep'],
      expose: ['9000', '9001/udp'],
      working_dir: '/tmp',
      user: '1000:1000',
      hostname: 'kit-host',
      stop_signal: 'SIGINT',
      tmpfs: ['/run:size=1m'],
      read_only: true,
      init: true,
      tty: true,
      stdin_open: true,
      cap_add: ['NET_ADMIN'],
      cap_drop: ['MKNOD'],
      extra_hosts: ['printer.lan:127.0.0.9', 'scanner.lan=127.0.0.10'],
      dns: ['127.0.0.53'],
      ulimits: { nofile: { soft: 1024, hard: 2048 }, nproc: 512 },
      sysctls: { 'net.core.somaxconn': '512' },
      shm_size: '32m',
      mem_limit: '64m',
      cpus: 0.5,
      labels: { team: 'ops' },
      logging: { driver: 'json-file', options: { 'max-size': '1m' } },
    });
    writeDocs(
      dir,
      'kit.yaml',
      stackDoc(kit, { destination: `${p}dest`, compose: { services: { all } } }),
    );
  });

  it('each one shows in docker inspect; a second pass has nothing to do', async () => {
    await converge(scope, dir);
    const info = await inspect(scope.docker, `${kit}-all`);
    const host = info!.HostConfig;

    expect(info?.State.Running).toBe(true);
    expect([info?.Config.Entrypoint, info?.Config.Cmd]).toEqual([['sleep'], ['3600']]);
    expect(Object.keys(info?.Config.ExposedPorts ?? {}).sort()).toEqual(['9000/tcp', '9001/udp']);
    expect(info?.Config).toMatchObject({
      WorkingDir: '/tmp',
      User: '1000:1000',
      Hostname: 'kit-host',
      StopSignal: 'SIGINT',
      StopTimeout: 1,
      Tty: true,
      OpenStdin: true,
    });
    expect(info?.Config.Labels).toMatchObject({ team: 'ops', 'berth.service': 'all' });
    expect(host).toMatchObject({
      Tmpfs: { '/run': 'size=1m' },
      ReadonlyRootfs: true,
      Init: true,
      CapAdd: ['NET_ADMIN'],
      CapDrop: ['MKNOD'],
      Dns: ['127.0.0.53'],
      Sysctls: { 'net.core.somaxconn': '512' },
      ShmSize: 32 * 1024 * 1024,
      Memory: 64 * 1024 * 1024,
      NanoCpus: 500_000_000,
      RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 },
      LogConfig: { Type: 'json-file', Config: { 'max-size': '1m' } },
    });
    expect([...(host.ExtraHosts ?? [])].sort()).toEqual([
      'printer.lan:127.0.0.9',
      'scanner.lan:127.0.0.10',
    ]);
    expect(host.Ulimits).toEqual([
      { Name: 'nofile', Soft: 1024, Hard: 2048 },
      { Name: 'nproc', Soft: 512, Hard: 512 },
    ]);

    const again = await converge(scope, dir);
    expect(again.plan.actions).toEqual([]);
  });
});
