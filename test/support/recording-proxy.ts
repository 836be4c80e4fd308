/**
 * A recording proxy in front of dockerd, so that tests count Docker calls from the outside
 * instead of trusting berth's own figures.
 *
 * It listens on a fresh unix socket and forwards every request to the engine that `DOCKER_HOST`
 * names (else /var/run/docker.sock). Bodies stream both ways: chunked responses such as events
 * and pull progress pass through as they arrive. Upgraded connections (`docker exec`, attach:
 * `Connection: Upgrade`) are forwarded byte for byte after the request head.
 */

import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** One Docker API call as the client sent it. */
export interface RecordedCall {
  method: string;
  /** The request target exactly as sent, version prefix and query included. */
  path: string;
  /** `METHOD /path` without the `/v1.xx` prefix and the query, e.g. `GET /containers/json`. */
  route: string;
  /** The engine's status code, once its response head has arrived (101 for upgrades). */
  status?: number;
}

export interface RecordingProxy {
  /** Where clients connect: `new Docker({ socketPath })` or `DOCKER_HOST=unix://<socketPath>`. */
  socketPath: string;
  /** `unix://<socketPath>`, ready for `DOCKER_HOST`. */
  dockerHost: string;
  /** Every call so far, in arrival order. `reset()` empties this same array. */
  calls: RecordedCall[];
  /** Forgets the calls recorded so far. */
  reset(): void;
  /** Every call that may change the engine: all but GET and HEAD. */
  changingCalls(): RecordedCall[];
  /** The `route` of every call so far, in order. */
  routes(): string[];
  /** Stops listening, cuts every open connection (event streams too) and removes the socket. */
  close(): Promise<void>;
}

/** Where the proxy forwards to: a unix socket or a plain-TCP engine. */
export type Upstream = { socketPath: string } | { host: string; port: number };

const READ_ONLY = new Set(['GET', 'HEAD']);

/** Drops version prefix and query: `/v1.41/containers/json?all=1` → `/containers/json`. */
export function normalizePath(rawPath: string): string {
  const withoutQuery = rawPath.split('?')[0];
  return withoutQuery.replace(/^\/v\d+(\.\d+)?(?=\/)/, '');
}

/** The engine the environment names, as the docker CLI reads it. TLS engines are not supported. */
export function upstreamFromEnv(env: NodeJS.ProcessEnv = process.env): Upstream {
  const host = env.DOCKER_HOST;
  if (!host) return { socketPath: '/var/run/docker.sock' };
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) };

  if (host.startsWith('tcp://') && !env.DOCKER_TLS_VERIFY) {
    const url = new URL(host.replace(/^tcp:/, 'http:'));
    return { host: url.hostname, port: Number(url.port || 2375) };
  }
  throw new Error(
    `recording proxy: DOCKER_HOST=${host} is not supported; use a unix socket or plain tcp://`,
  );
}

/** Starts a recording proxy on a new unix socket in the temp folder. */
export async function startRecordingProxy(
  upstream: Upstream = upstreamFromEnv(),
): Promise<RecordingProxy> {
  const socketPath = path.join(
    os.tmpdir(),
    `berth-proxy-${process.pid}-${crypto.randomBytes(3).toString('hex')}.sock`,
  );
  const calls: RecordedCall[] = [];
  const open = new Set<net.Socket>();
  const agent = new http.Agent({ keepAlive: true });

  const record = (req: http.IncomingMessage): RecordedCall => {
    const method = req.method ?? 'GET';
    const rawPath = req.url ?? '/';
    const route = `${method} ${normalizePath(rawPath)}`;
    const call: RecordedCall = { method, path: rawPath, route };
    calls.push(call);
    return call;
  };

  const server = http.createServer((req, res) => forward(req, res, record(req), upstream, agent));
  server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) =>
    forwardUpgrade(req, socket, head, record(req), upstream, open),
  );
  server.on('connection', (socket) => track(open, socket));
  // Streams such as events stay open for as long as the client wants them.
  server.requestTimeout = 0;
  server.headersTimeout = 0;

  await listen(server, socketPath);

  return {
    socketPath,
    dockerHost: `unix://${socketPath}`,
    calls,
    reset: () => {
      calls.length = 0;
    },
    changingCalls: () => calls.filter((c) => !READ_ONLY.has(c.method)),
    routes: () => calls.map((c) => c.route),
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of open) socket.destroy();
      agent.destroy();
      await closed;
      fs.rmSync(socketPath, { force: true });
    },
  };
}

function listen(server: http.Server, socketPath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function track(open: Set<net.Socket>, socket: net.Socket): void {
  open.add(socket);
  socket.on('close', () => open.delete(socket));
}

/** Forwards one ordinary request; the response streams back chunk by chunk. */
function forward(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  call: RecordedCall,
  upstream: Upstream,
  agent: http.Agent,
): void {
  const upstreamReq = http.request({
    ...upstream,
    agent,
    method: req.method,
    path: req.url,
    headers: req.headers,
  });

  upstreamReq.on('response', (upstreamRes) => {
    call.status = upstreamRes.statusCode;
    res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, upstreamRes.rawHeaders);
    // Event streams send their head long before their first chunk: the client must see it now.
    res.flushHeaders();
    upstreamRes.pipe(res);
    upstreamRes.on('error', () => res.destroy());
  });
  upstreamReq.on('error', (err) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.writeHead(502, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ message: `recording proxy: engine unreachable: ${err.message}` }));
  });
  // A client that hangs up (a cancelled events stream) must not leave the engine streaming.
  res.on('close', () => {
    if (!res.writableFinished) upstreamReq.destroy();
  });

  req.pipe(upstreamReq);
}

/**
 * Forwards an upgrade (hijacked exec/attach stream). Node hands over the socket right after the
 * request head; whatever follows (the JSON body, then stdin) is raw bytes, and so is the engine's
 * answer (`101 UPGRADED`, then the multiplexed output). Both directions are piped unchanged.
 */
function forwardUpgrade(
  req: http.IncomingMessage,
  client: net.Socket,
  head: Buffer,
  call: RecordedCall,
  upstream: Upstream,
  open: Set<net.Socket>,
): void {
  const engine =
    'socketPath' in upstream
      ? net.connect(upstream.socketPath)
      : net.connect(upstream.port, upstream.host);
  track(open, engine);

  engine.once('data', (chunk: Buffer) => {
    const status = /^HTTP\/\d\.\d (\d{3})/.exec(chunk.toString('latin1', 0, 16));
    if (status) call.status = Number(status[1]);
  });
  // Ends travel through the pipes (so the last output is delivered); errors cut both sides.
  engine.on('error', () => client.destroy());
  client.on('error', () => engine.destroy());
  client.on('close', () => engine.destroy());

  engine.write(requestHead(req));
  if (head.length > 0) engine.write(head);
  engine.pipe(client);
  client.pipe(engine);
}

/** The request line and headers as the client sent them (original case and order). */
function requestHead(req: http.IncomingMessage): string {
  const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
  }
  return lines.join('\r\n') + '\r\n\r\n';
}
