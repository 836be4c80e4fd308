/**
 * Docker names are global on an engine, so every name berth derives from the specs must be
 * valid and taken once per server: container names (`metadata.name` of applications and
 * databases) and named volumes (`<resource>_<volume>`). Stacks will claim `<stack>-<service>`
 * and `<stack>_<volume>` here too.
 */
import { NEXT_SUFFIX } from '../labels';
import { DocContext, place } from './context';

/** What Docker accepts as a container or volume name. */
const DOCKER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export type DockerObject = 'container' | 'volume' | 'network';

/** Who claims a name, and where an error about it goes. */
export interface Claimant {
  /** How messages name the owner, e.g. "Application 'web'". */
  owner: string;
  ctx: DocContext;
  pointer: string;
}

/** Why Docker or berth cannot use `name` for an object of this sort; null when they can. */
export function dockerNameProblem(object: DockerObject, name: string): string | null {
  if (!DOCKER_NAME.test(name)) {
    const why = name.length < 2 ? 'Docker needs at least 2 characters' : 'Docker refuses it';
    return `${object} name '${name}' is not valid: ${why}`;
  }
  if (object === 'container' && name.endsWith(NEXT_SUFFIX)) {
    return (
      `names ending in '${NEXT_SUFFIX}' are reserved for the replacement container while ` +
      'berth recreates one: choose another name'
    );
  }
  return null;
}

/** The Docker names claimed so far, per server; the first claim wins. */
export class DockerNames {
  private readonly claims = new Map<string, Claimant>();

  /** Claim `name` on `server`; false, with an error for the claimant, when it cannot be. */
  claim(server: string, object: DockerObject, name: string, by: Claimant): boolean {
    const { ctx, pointer } = by;
    const problem = dockerNameProblem(object, name);
    if (problem) {
      ctx.fail(pointer, problem, 'SPEC_NAME');
      return false;
    }

    const key = JSON.stringify([server, object, name]);
    const first = this.claims.get(key);
    if (first) {
      const detail =
        `${object} name '${name}' is already used by ${first.owner} at ` +
        `${place(first.ctx.source)} (Docker names are unique per server)`;
      ctx.fail(pointer, detail, 'SPEC_NAME');
      return false;
    }
    this.claims.set(key, by);
    return true;
  }
}
