import net from 'node:net';
import { AgentServer, Endpoints, serveHttp } from '../../src/agent/http';
import { createLogger } from '../../src/log';

describe('the agent HTTP endpoint', () => {
  let server: AgentServer;
  let ready: string | null = 'the first pass has not completed yet';
  const endpoints: Endpoints = {
    metrics: async () => ({
      contentType: 'text/plain; version=0.0.4',
      body: 'berth_docker_up 1\n',
    }),
    notReady: () => ready,
    status: () => ({ server: 'web-1', resources: [] }),
  };
  const limits = { headersTimeoutMs: 500, requestTimeoutMs: 1000 };
  const url = (p: string) => `http://${server.address}${p}`;

  beforeAll(async () => {
    server = await serveHttp('127.0.0.1', 0, endpoints, createLogger('silent'), limits);
  });
  afterAll(() => server.close());

  test('serves metrics, health, readiness and status', async () => {
    const metrics = await fetch(url('/metrics'));
    expect(metrics.headers.get('content-type')).toContain('version=0.0.4');
    expect(await metrics.text()).toBe('berth_docker_up 1\n');
    expect((await fetch(url('/healthz'))).status).toBe(200);
    const notReady = await fetch(url('/readyz'));
    expect([notReady.status, await notReady.text()]).toEqual([
      503,
      'not ready: the first pass has not completed yet\n',
    ]);
    ready = null;
    expect((await fetch(url('/readyz'))).status).toBe(200);
    expect(await (await fetch(url('/status?x=1'))).json()).toEqual({
      server: 'web-1',
      resources: [],
    });
    expect((await fetch(url('/nope'))).status).toBe(404);
  });

  test('is read-only and refuses bodies beyond the bound', async () => {
    const post = await fetch(url('/status'), { method: 'POST', body: 'x' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    const big = await rawRequest(
      `GET /status HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n`,
    );
    expect(big).toMatch(/^HTTP\/1.1 413/);
  });

  test('cuts off a client that sends its request too slowly', async () => {
    const started = Date.now();
    const socket = net.connect(Number(server.address.split(':')[1]), '127.0.0.1');
    socket.write('GET /status HTTP/1.1\r\nHost: x\r\n'); // never ends the headers
    const closed = await new Promise<string>((resolve) => {
      let reply = '';
      socket.on('data', (d) => (reply += d.toString()));
      socket.on('close', () => resolve(reply));
    });
    expect(closed === '' || /^HTTP\/1.1 408/.test(closed)).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  function rawRequest(text: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(Number(server.address.split(':')[1]), '127.0.0.1');
      let reply = '';
      socket.on('data', (d) => (reply += d.toString()));
      socket.on('close', () => resolve(reply));
      socket.on('error', reject);
      socket.write(text);
    });
  }
});
