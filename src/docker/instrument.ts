/**
 * Counts every request berth sends to the Docker engine, for `berth_docker_requests_total`.
 * dockerode sends all of them through its modem's `dial`, so wrapping that one function sees
 * list calls, inspects, creates and streams alike, without touching the code that makes them.
 */
import Docker from 'dockerode';

/** Path parts after a Docker object's ID that name what is done to it. */
const ACTIONS = new Set([
  'archive', 'attach', 'connect', 'disconnect', 'exec', 'export', 'get', 'history', 'json',
  'kill', 'logs', 'pause', 'push', 'rename', 'resize', 'restart', 'start', 'stats', 'stop',
  'tag', 'top', 'unpause', 'update', 'wait',
]); // prettier-ignore
/** Second path parts that are collection calls, not an object's ID. */
const COLLECTION_CALLS = new Set(['create', 'json', 'load', 'prune', 'search']);

/**
 * The operation a request stands for, with object IDs and names left out so that the label
 * has few values: `GET /containers/json`, `POST /containers/{id}/start`, `GET /_ping`.
 */
export function operationOf(method: string, requestPath: string): string {
  const parts = requestPath
    .split('?')[0]
    .split('/')
    .filter(Boolean)
    .filter((p, i) => i > 0 || !/^v\d+(\.\d+)*$/.test(p));
  const [collection, ...rest] = parts;
  if (rest.length === 0 || COLLECTION_CALLS.has(rest[0])) return `${method} /${parts.join('/')}`;
  const last = rest[rest.length - 1];
  const action = rest.length > 1 && ACTIONS.has(last) ? `/${last}` : '';
  return `${method} /${collection}/{id}${action}`;
}

type Dial = (options: { method?: string; path?: string }, callback: DialCallback) => unknown;
type DialCallback = (err: unknown, data?: unknown) => void;

/** Makes `docker` report each request's operation and whether the engine answered it well. */
export function countRequests(
  docker: Docker,
  record: (operation: string, ok: boolean) => void,
): Docker {
  const modem = docker.modem as unknown as { dial: Dial };
  const dial = modem.dial.bind(modem);
  modem.dial = (options, callback) => {
    const operation = operationOf(options.method ?? 'GET', options.path ?? '/');
    return dial(options, (err, data) => {
      record(operation, !err);
      callback(err, data);
    });
  };
  return docker;
}
