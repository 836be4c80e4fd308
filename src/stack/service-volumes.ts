/**
 * The volumes of a compose service: the short form (`data:/var/lib/x`, `/srv/x:/x:ro`, `/cache`)
 * as for applications, and the long form `{ type, source, target, read_only }`. A named volume
 * must be declared under the top-level `volumes`, as Compose requires; its Docker name is
 * `<stack>_<volume>`. Relative host paths (`./data`) are refused, as everywhere in berth.
 */
import type { Mount } from '../model';
import type { DocContext } from '../spec/context';
import { childPointer } from '../spec/pointer';
import { parseVolumes } from '../spec/volumes';
import type { ComposeVolumeObject } from './compose-types';

/** What serviceMounts needs of a service. */
export interface VolumeInput {
  stack: string;
  spec: { volumes?: Array<string | ComposeVolumeObject> };
  ctx: DocContext;
  declaredVolumes: Set<string>;
}

/** Mounts sorted by target and the Docker names of the named volumes; errors go to ctx. */
export function serviceMounts(
  input: VolumeInput,
  pointer: string,
): { mounts: Mount[]; volumes: string[] } {
  const texts = (input.spec.volumes ?? []).map(shortForm);
  texts.forEach((text, i) => {
    const name = namedVolume(text);
    if (name === null || input.declaredVolumes.has(name)) return;
    const detail =
      `volume '${name}' is not declared: add it under the top-level volumes ` +
      `(volumes: { ${name}: {} }), or write an absolute host path to bind-mount a folder`;
    input.ctx.fail(childPointer(pointer, i), detail);
  });
  return parseVolumes(texts, input.stack, input.ctx, pointer);
}

/** The long form written the short way; the schema guarantees neither part holds a colon. */
function shortForm(volume: string | ComposeVolumeObject): string {
  if (typeof volume === 'string') return volume;
  if (volume.source === undefined) return volume.target;
  return `${volume.source}:${volume.target}${volume.read_only ? ':ro' : ''}`;
}

/** The volume name of a short form that mounts a named volume, else null. */
function namedVolume(text: string): string | null {
  const [first, second] = text.split(':');
  if (second === undefined || first.startsWith('/') || first.startsWith('.')) return null;
  return /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(first) ? first : null;
}
