/**
 * jest globalSetup: makes sure a Docker engine answers and the offline test image exists before
 * any test runs, by running scripts/docker-up.sh (idempotent: it only starts dockerd and builds
 * `berth-busybox:latest` when they are missing). So `npm test` alone works on a fresh machine as
 * root. Set BERTH_SKIP_DOCKER_UP=1 to skip it (for runs of pure unit tests without an engine).
 */

import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const SCRIPT = path.join(ROOT, 'scripts', 'docker-up.sh');

export default function globalSetup(): void {
  if (process.env.BERTH_SKIP_DOCKER_UP === '1') return;

  const result = spawnSync('bash', [SCRIPT], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 10 * 60_000,
  });
  if (result.status === 0) return;

  const why = result.error
    ? result.error.message
    : `exit ${result.status ?? 'signal ' + result.signal}`;
  throw new Error(
    `test setup: scripts/docker-up.sh failed (${why}); see its messages above.\n` +
      'Tests need a Docker engine and the image berth-busybox:latest: run `npm test` as root ' +
      'on a Debian machine (the script installs docker.io and busybox-static and starts ' +
      'dockerd), or point DOCKER_HOST at a running engine. BERTH_SKIP_DOCKER_UP=1 skips this ' +
      'check for runs without Docker tests.',
  );
}
