/**
 * The Docker client: the engine that DOCKER_HOST names, else the local socket, as the docker
 * CLI does. The environment is passed in, not read here.
 */
import Docker from 'dockerode';
import { messageOf } from '../errors';

/** A dockerode client for the given environment's DOCKER_HOST. */
export function dockerFromEnv(env: NodeJS.ProcessEnv): Docker {
  const host = env.DOCKER_HOST;
  if (!host) return new Docker({ socketPath: '/var/run/docker.sock' });
  if (host.startsWith('unix://')) return new Docker({ socketPath: host.slice('unix://'.length) });
  const url = new URL(host.replace(/^tcp:/, 'http:'));
  return new Docker({ host: url.hostname, port: Number(url.port || 2375), protocol: 'http' });
}

/** Docker's own words for a failed call, without dockerode's HTTP preamble. */
export function dockerMessage(err: unknown): string {
  const json = (err as { json?: { message?: string } }).json;
  if (json?.message) return json.message.trim();
  return messageOf(err)
    .replace(/^\(HTTP code \d+\) [^-]*- /, '')
    .trim();
}
