/**
 * The agent's HTTP endpoint on `listen`: `/metrics`, `/healthz`, `/readyz` and `/status`.
 * Read-only: a request with a body beyond a small bound is refused, and a client that sends its
 * request too slowly is cut off, so that nothing a client does can hold the agent's memory.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';

/** No endpoint takes a body; this much is read and dropped before a request is refused. */
const MAX_BODY_BYTES = 16 * 1024;
/** How long a client has to send its headers, and its whole request; default 5 s and 10 s. */
export interface HttpLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
}

const LIMITS: HttpLimits = { headersTimeoutMs: 5000, requestTimeoutMs: 10_000 };

export interface Endpoints {
  metrics(): Promise<{ contentType: string; body: string }>;
  /** null when ready, else why not. */
  notReady(): string | null;
  status(): unknown;
}

type Reply = { status: number; type: string; body: string };

const text = (status: number, body: string): Reply => ({
  status,
  type: 'text/plain; charset=utf-8',
  body: `${body}\n`,
});

async function route(path: string, e: Endpoints): Promise<Reply> {
  switch (path) {
    case '/metrics': {
      const m = await e.metrics();
      return { status: 200, type: m.contentType, body: m.body };
    }
    case '/healthz':
      return text(200, 'ok');
    case '/readyz': {
      const why = e.notReady();
      return why === null ? text(200, 'ready') : text(503, `not ready: ${why}`);
    }
    case '/status':
      return {
        status: 200,
        type: 'application/json',
        body: `${JSON.stringify(e.status(), null, 2)}\n`,
      };
    default:
      return text(404, 'not found: try /metrics, /healthz, /readyz or /status');
  }
}

/** Whether the request announces or sends more body than any endpoint takes. */
function tooBig(req: http.IncomingMessage): boolean {
  const length = Number(req.headers['content-length'] ?? 0);
  return length > MAX_BODY_BYTES;
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse, e: Endpoints) {
  const send = (r: Reply) => {
    res.writeHead(r.status, { 'Content-Type': r.type, 'Cache-Control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : r.body);
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return send(text(405, 'method not allowed: the endpoints are read-only'));
  }
  if (tooBig(req)) {
    res.setHeader('Connection', 'close');
    return send(text(413, `request body too large (at most ${MAX_BODY_BYTES} bytes)`));
  }
  let received = 0;
  req.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received > MAX_BODY_BYTES) req.destroy();
  });
  const path = new URL(req.url ?? '/', 'http://agent').pathname;
  send(await route(path, e));
}

export interface AgentServer {
  /** The address it listens on, as host:port. */
  address: string;
  close(): Promise<void>;
}

/** Listens on `host:port`; rejects when the address cannot be taken. */
export async function serveHttp(
  host: string,
  port: number,
  e: Endpoints,
  log: Logger,
  limits: HttpLimits = LIMITS,
): Promise<AgentServer> {
  const options: http.ServerOptions = {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    // Node checks those timeouts on this interval (default 30 s): check often enough to matter.
    connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
    keepAliveTimeout: 5000,
  };
  const server = http.createServer(options, (req, res) => {
    handle(req, res, e).catch((err: unknown) => {
      log.error({ err, path: req.url }, 'HTTP request failed');
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end('internal error\n');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const a = server.address() as AddressInfo;
  const address = a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
  return {
    address,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
