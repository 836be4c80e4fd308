/**
 * Volumes: `data:/var/lib/web` (named, Docker name `<resource>_data`), `/srv/conf:/etc/web`
 * (bind), `/cache` (anonymous), the first two optionally ending in `:ro` or `:rw`.
 */
import { posix } from 'node:path';
import type { Mount } from '../model';
import { volumeName } from '../labels';
import type { DocContext } from './context';
import { childPointer } from './pointer';

const VOLUMES = '/spec/volumes';
const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** Mounts sorted by target, and the Docker names of the named volumes, sorted and unique. */
export interface ParsedVolumes {
  mounts: Mount[];
  volumes: string[];
}

/** Read the volume strings of resource `resource`; errors go to `ctx` below `base`. */
export function parseVolumes(
  specs: string[],
  resource: string,
  ctx: DocContext,
  base = VOLUMES,
): ParsedVolumes {
  const mounts: Mount[] = [];
  const targets = new Map<string, number>();

  specs.forEach((text, i) => {
    const pointer = childPointer(base, i);
    const mount = parseVolume(text, resource, (detail) => ctx.fail(pointer, detail));
    if (!mount) return;

    const first = targets.get(mount.target);
    if (first !== undefined) {
      const other = ctx.at(childPointer(base, first)).path;
      ctx.fail(pointer, `${mount.target} is already mounted by ${other}`);
      return;
    }
    targets.set(mount.target, i);
    mounts.push(mount);
  });

  mounts.sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0));
  const named = mounts.flatMap((m) => (m.type === 'volume' ? [m.source] : []));
  return { mounts, volumes: [...new Set(named)].sort() };
}

function parseVolume(text: string, resource: string, fail: (d: string) => void): Mount | null {
  const [first, second, mode] = text.split(':');
  if (second === undefined) return anonymous(first, fail);

  const target = containerPath(second, fail);
  if (target === null) return null;
  const readOnly = mode === 'ro';

  if (first.startsWith('/')) return { type: 'bind', source: clean(first), target, readOnly };
  if (VOLUME_NAME.test(first)) {
    return { type: 'volume', source: volumeName(resource, first), target, readOnly };
  }
  fail(`host path '${first}' is relative: write an absolute path, like /srv/${resource}/conf`);
  return null;
}

function anonymous(target: string, fail: (d: string) => void): Mount | null {
  if (!target.startsWith('/')) {
    fail(`'${target}' has no target: write ${target}:/path/in/container for a named volume`);
    return null;
  }
  const cleaned = containerPath(target, fail);
  return cleaned === null ? null : { type: 'anonymous', target: cleaned };
}

function containerPath(target: string, fail: (d: string) => void): string | null {
  if (!target.startsWith('/')) {
    fail(`target '${target}' must be an absolute path inside the container, like /data`);
    return null;
  }
  const cleaned = clean(target);
  if (cleaned === '/') {
    fail("a volume cannot be mounted over the container's root /");
    return null;
  }
  return cleaned;
}

/** `/srv/web/` and `/srv//web` name the same place as `/srv/web`; Docker reports the latter. */
function clean(path: string): string {
  const normal = posix.normalize(path);
  return normal.length > 1 ? normal.replace(/\/+$/, '') : normal;
}
