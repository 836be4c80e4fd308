/**
 * src/docker/lean.ts keeps dockerode's SSH and gRPC parts unloaded until used. It works on
 * Node's require cache, which jest replaces with its own, so this runs the built code in a
 * plain node process (`npm test` builds dist first).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const DIST = path.resolve(__dirname, '../../dist/src');

function run(code: string): Record<string, unknown> {
  const out = execFileSync(process.execPath, ['-e', code], { cwd: DIST, encoding: 'utf8' });
  return JSON.parse(out) as Record<string, unknown>;
}

const LOADED = `Object.keys(require.cache).filter((k) => /node_modules\\/(ssh2|@grpc)\\//.test(k)).length`;

describe('lean dockerode', () => {
  it('talks to the engine without loading ssh2 or gRPC', () => {
    const result = run(`
      const { deferred } = require('./docker/lean.js');
      const Docker = require('dockerode');
      new Docker({ socketPath: '/var/run/docker.sock' }).ping().then((r) => {
        console.log(JSON.stringify({ ping: String(r), deferred: deferred.length, loaded: ${LOADED} }));
      });`);

    expect(result).toEqual({ ping: 'OK', deferred: 2, loaded: 0 });
  });

  it('loads the real SSH agent on its first use', () => {
    const result = run(`
      require('./docker/lean.js');
      require('dockerode');
      const file = require.resolve('docker-modem/lib/ssh.js', { paths: [require.resolve('dockerode')] });
      const agent = require(file)({ host: '127.0.0.1' });
      console.log(JSON.stringify({ agent: typeof agent.createConnection, loaded: ${LOADED} > 0 }));`);

    expect(result).toEqual({ agent: 'function', loaded: true });
  });

  it('without it, dockerode loads both (the saving is real)', () => {
    const result = run(
      `require('dockerode'); console.log(JSON.stringify({ loaded: ${LOADED} > 0 }));`,
    );

    expect(result).toEqual({ loaded: true });
  });
});
