/**
 * Compose documents for the stack end-to-end tests. Every service runs the offline test
 * image with a one-second grace period (busybox as PID 1 ignores SIGTERM).
 */
import { TEST_IMAGE } from '../support/scope';

/** A service running `command` (a shell line) in the test image. */
export function service(command: string, more: Record<string, unknown> = {}) {
  return { image: TEST_IMAGE, command, stop_grace_period: '1s', ...more };
}

/**
 * `app` (sleeps) and `db`, which serves the text of ${WHO} on port 80 and keeps a named volume
 * `data`: enough to tell which stack's `db` answers.
 */
export function twoServices(): Record<string, unknown> {
  const serve =
    "sh -c 'mkdir -p /www && echo $$WHO > /www/index.html && exec httpd -f -p 80 -h /www'";
  return {
    services: {
      app: service('sleep 3600', { depends_on: ['db'] }),
      db: service(serve, { environment: ['WHO=${WHO}'], volumes: ['data:/data'] }),
    },
    volumes: { data: null },
  };
}

/** What `db` answers to a GET, asked from inside `container` by the name `host`. */
export const fetchScript = (host: string) =>
  `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${host} 80`;
