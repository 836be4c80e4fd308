/**
 * Container steps: create, the safe recreate sequence, start, remove, and resolving what an
 * interrupted recreate left behind.
 */
import { posix } from 'node:path';
import { dockerMessage } from '../docker/client';
import { BerthError } from '../errors';
import { nextName } from '../labels';
import { DesiredContainer } from '../model';
import { ExecContext, networkRef } from './context';
import { createOptions } from './create-options';
import { ensureImage } from './images';

type Carry = { volume: string; target: string }[];

/** Creates `spec` under `name`, joins its extra destinations, and returns the new ID. */
async function createJoined(
  ctx: ExecContext,
  spec: DesiredContainer,
  name: string,
  carry: Carry = [],
): Promise<string> {
  await ensureImage(ctx, spec.config.image, spec.pullPolicy);
  const primary = networkRef(ctx, spec.attachments[0].network);
  const kept = await stillDeclared(ctx, spec, carry);
  const created = await ctx.docker.createContainer(
    createOptions(spec, ctx.server, name, primary, kept),
  );
  try {
    // Docker takes one network at create: join the others before the first start.
    for (const att of spec.attachments.slice(1)) {
      await ctx.docker.getNetwork(networkRef(ctx, att.network)).connect({
        Container: created.id,
        EndpointConfig: { Aliases: att.aliases },
      });
    }
  } catch (err) {
    await created.remove({ force: true }).catch(() => undefined);
    throw err;
  }
  return created.id;
}

/**
 * The carried anonymous volumes whose target the new container still declares as a volume, in
 * its spec or in its image (as Compose does): a volume dropped from the spec is not mounted
 * again. The image is inspected only when there is something to carry.
 */
async function stillDeclared(ctx: ExecContext, spec: DesiredContainer, carry: Carry) {
  if (carry.length === 0) return carry;
  const declared = new Set<string>();
  for (const m of spec.config.mounts) if (m.type === 'anonymous') declared.add(m.target);
  const image = await ctx.docker.getImage(spec.config.image).inspect();
  for (const target of Object.keys(image.Config?.Volumes ?? {})) {
    declared.add(posix.normalize(target).replace(/(.)\/+$/, '$1'));
  }
  return carry.filter((v) => declared.has(v.target));
}

/** Makes and starts a container that does not exist yet. */
export async function createContainer(ctx: ExecContext, spec: DesiredContainer): Promise<void> {
  const id = await createJoined(ctx, spec, spec.name);
  try {
    await ctx.docker.getContainer(id).start();
  } catch (err) {
    throw new BerthError(
      'START_FAILED',
      `container ${spec.name} was created but did not start: ` +
        `${dockerMessage(err)}; fix the spec, berth retries on the next pass`,
      err,
    );
  }
}

/**
 * The safe recreate: create `<name>--next` (not started), stop the old container, start the
 * replacement; if that fails, remove the replacement and start the old container again, if it
 * was running (a finished one-shot container is not run again). Only then is the old
 * container removed and the replacement renamed.
 */
export async function recreateContainer(
  ctx: ExecContext,
  spec: DesiredContainer,
  oldOne: { id: string; running: boolean },
  carry: Carry,
): Promise<void> {
  const next = nextName(spec.name);
  const nextId = await createJoined(ctx, spec, next, carry);
  const old = ctx.docker.getContainer(oldOne.id);
  const replacement = ctx.docker.getContainer(nextId);
  await old.stop().catch(ignoreNotModified);
  try {
    await replacement.start();
  } catch (err) {
    await replacement.remove({ force: true }).catch(() => undefined);
    if (oldOne.running) await old.start().catch(ignoreNotModified);
    const kept = oldOne.running ? 'runs again unchanged' : 'is kept as it was (not running)';
    throw new BerthError(
      'START_FAILED',
      `replacement for ${spec.name} did not start: ${dockerMessage(err)}; the old container ` +
        `${oldOne.id.slice(0, 12)} ${kept}; fix the spec and berth tries again`,
      err,
    );
  }
  await old.remove({ force: true, v: false });
  await replacement.rename({ name: spec.name });
}

/** Starts a stopped container (its restart policy wants it running). */
export async function startContainer(ctx: ExecContext, id: string, name: string): Promise<void> {
  try {
    await ctx.docker.getContainer(id).start();
  } catch (err) {
    if (isNotModified(err)) return;
    const why = `container ${name} did not start: ${dockerMessage(err)}`;
    throw new BerthError('START_FAILED', why, err);
  }
}

/** Stops (with its grace period) and removes a container; anonymous volumes are kept. */
export async function removeContainer(ctx: ExecContext, id: string): Promise<void> {
  const c = ctx.docker.getContainer(id);
  await c.stop().catch(ignoreNotModified);
  await c.remove({ force: true, v: false });
}

/** An interrupted recreate left a replacement beside the old container: drop it. */
export async function discardNext(ctx: ExecContext, id: string): Promise<void> {
  await ctx.docker.getContainer(id).remove({ force: true, v: false });
}

/** An interrupted recreate removed the old container: the replacement takes its name. */
export async function promoteNext(ctx: ExecContext, id: string, name: string): Promise<void> {
  await ctx.docker.getContainer(id).rename({ name });
}

function isNotModified(err: unknown): boolean {
  return (err as { statusCode?: number }).statusCode === 304;
}

function ignoreNotModified(err: unknown): void {
  if (!isNotModified(err)) throw err;
}
