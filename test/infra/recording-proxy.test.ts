import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import Docker from 'dockerode';

import { execIn, waitFor } from '../support/dockerx';
import { normalizePath, RecordingProxy, startRecordingProxy } from '../support/recording-proxy';
import { TEST_IMAGE, useScope, writeSpec } from '../support/scope';

const run = promisify(execFile);

describe('recording proxy', () => {
  const scope = useScope('proxy');
  let proxy: RecordingProxy;
  let docker: Docker;

  beforeAll(async () => {
    proxy = await startRecordingProxy();
    docker = new Docker({ socketPath: proxy.socketPath });
  });
  afterAll(() => proxy?.close());
  beforeEach(() => proxy.reset());

  it('normalizes the version prefix and the query away', () => {
    expect(normalizePath('/v1.41/containers/json?all=1')).toBe('/containers/json');
    expect(normalizePath('/_ping')).toBe('/_ping');
  });

  it('forwards and records a list call', async () => {
    const containers = await docker.listContainers({ all: true });

    expect(Array.isArray(containers)).toBe(true);
    expect(proxy.routes()).toEqual(['GET /containers/json']);
    expect(proxy.calls[0].path).toMatch(/^\/(v[\d.]+\/)?containers\/json\?all=true$/);
    expect(proxy.calls[0].status).toBe(200);
    expect(proxy.changingCalls()).toEqual([]);
  });

  it('counts the changing calls of a create and a remove', async () => {
    const container = await docker.createContainer({
      name: `${scope.prefix}made`,
      Image: TEST_IMAGE,
      Cmd: ['true'],
    });
    await container.inspect();
    await container.remove({ force: true });

    expect(proxy.changingCalls().map((c) => c.route)).toEqual([
      'POST /containers/create',
      `DELETE /containers/${container.id}`,
    ]);
    expect(proxy.calls).toHaveLength(3);
  });

  it('streams events while they happen and hijacked exec output', async () => {
    const peer = await docker.createContainer({
      name: `${scope.prefix}events`,
      Image: TEST_IMAGE,
      Cmd: ['sleep', '3600'],
    });
    const events = (await docker.getEvents({
      filters: { container: [peer.id], event: ['start'] },
    })) as NodeJS.ReadableStream & { destroy(): void };
    const seen: string[] = [];
    events.on('data', (chunk: Buffer) => seen.push(chunk.toString()));

    await peer.start();
    await waitFor(() => seen.some((line) => line.includes('"start"')), 10_000);
    const exec = await execIn(docker, peer.id, ['sh', '-c', 'echo out; echo err >&2; exit 3']);
    events.destroy();

    expect(exec).toEqual({ exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
    expect(proxy.routes()).toContain('GET /events');
    const started = proxy.calls.find((c) => /^POST \/exec\/\w+\/start$/.test(c.route));
    expect(started?.status).toBe(101);
  });

  it('serves the docker CLI through DOCKER_HOST: a streamed upload and an exec', async () => {
    const cli = (...args: string[]) =>
      run('docker', args, { env: { ...process.env, DOCKER_HOST: proxy.dockerHost } });
    const id = (await cli('ps', '-q', '--filter', `name=${scope.prefix}events`)).stdout.trim();
    const dir = scope.specsDir();
    writeSpec(dir, 'upload.txt', 'x'.repeat(256 * 1024));

    await cli('cp', `${dir}/upload.txt`, `${id}:/tmp/upload.txt`);
    const { stdout } = await cli('exec', id, 'wc', '-c', '/tmp/upload.txt');

    expect(stdout.trim()).toBe('262144 /tmp/upload.txt');
    expect(proxy.routes()).toContain(`PUT /containers/${id}/archive`);
    expect(proxy.routes()).toContain(`POST /containers/${id}/exec`);
    const started = proxy.calls.find((c) => /^POST \/exec\/\w+\/start$/.test(c.route));
    expect(started?.status).toBe(101);
  });
});
