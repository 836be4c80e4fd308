/**
 * Keeps dockerode's SSH and gRPC parts unloaded until something uses them. dockerode requires
 * them on load (docker-modem's SSH agent pulls in ssh2, the BuildKit session pulls in
 * @grpc/grpc-js and protobufjs): about 18 MB of a resident agent's memory, for features berth
 * never uses (it talks to a unix socket or plain TCP, and builds no images). Each is replaced in
 * the require cache by a function that loads the real module on its first call, so an SSH
 * `DOCKER_HOST` or a session build would still work.
 *
 * Imported for its effect, before anything that loads dockerode (first in src/cli.ts). When a
 * dockerode release moves these files, nothing is replaced and dockerode loads as it always did.
 */
import Module from 'node:module';

/** Module files of dockerode's dependency tree, each exporting one function. */
const DEFERRED = ['docker-modem/lib/ssh.js', 'dockerode/lib/session.js'];

/** The modules actually deferred (for tests). */
export const deferred: string[] = [];

function resolveFrom(request: string, parent?: string): string | null {
  try {
    return require.resolve(request, parent ? { paths: [parent] } : undefined);
  } catch {
    return null;
  }
}

function defer(file: string): void {
  if (require.cache[file]) return; // loaded already: nothing to save
  let real: ((...a: unknown[]) => unknown) | null = null;
  const stub = function (this: unknown, ...args: unknown[]): unknown {
    if (!real) {
      delete require.cache[file]; // the stub's entry: the real module takes its place
      real = require(file) as (...a: unknown[]) => unknown;
    }
    return real.apply(this, args);
  };
  const mod = new Module(file);
  mod.filename = file;
  mod.loaded = true;
  mod.exports = stub;
  require.cache[file] = mod;
  deferred.push(file);
}

// docker-modem is dockerode's dependency: resolve it from where dockerode sits.
const dockerode = resolveFrom('dockerode/package.json');
for (const request of DEFERRED) {
  const file = resolveFrom(request, dockerode ?? undefined);
  if (file) defer(file);
}
