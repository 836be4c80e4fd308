/**
 * Container steps: create, the safe recreate sequence, start, remove, and resolving what an
 * interrupted recreate left behind.
 */
import { BerthError, messageOf } from '../errors';
import { nextName } from '../labels';
import { DesiredContainer } from '../model';
import { ExecContext, networkRef, recordAliases } from './context';
import { createOptions } from './create-options';
import { ensureImage } from './images';

/** Creates `spec` under `name`, joins its extra destinations, and returns the new ID. */
async function createJoined(
  ctx: ExecContext,
  spec: DesiredContainer,
  name: string,
  carry: { volume: string; target: string }[] = [],
): Promise<string> {
  await ensureImage(ctx, spec.config.image, spec.pullPolicy);
  const primary = networkRef(ctx, spec.attachments[0].network);
  const created = await ctx.docker.createContainer(
    createOptions(spec, ctx.server, name, primary, carry),
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

/** Makes and starts a container that does not exist yet. */
export async function createContainer(ctx: ExecContext, spec: DesiredContainer): Promise<void> {
  const id = await createJoined(ctx, spec, spec.name);
  try {
    await ctx.docker.getContainer(id).start();
  } catch (err) {
    throw new BerthError('START_FAILED', `container ${spec.name} was created but did not start: ` +
      `${dockerMessage(err)}; fix the spec, berth retries on the next pass`, err);
  }
  await recordAliases(ctx, id);
}

/**
 * The safe recreate: create `<name>--next` (not started), stop the old container, start the
 * replacement; if that fails, remove the replacement and start the old container again.
 * Only then is the old container removed and the replacement renamed.
 */
export async function recreateContainer(
  ctx: ExecContext,
  spec: DesiredContainer,
  oldId: string,
  carry: { volume: string; target: string }[],
): Promise<void> {
  const next = nextName(spec.name);
  const nextId = await createJoined(ctx, spec, next, carry);
  const old = ctx.docker.getContainer(oldId);
  const replacement = ctx.docker.getContainer(nextId);
  await old.stop().catch(ignoreNotModified);
  try {
    await replacement.start();
  } catch (err) {
    await replacement.remove({ force: true }).catch(() => undefined);
    await old.start().catch(ignoreNotModified);
    throw new BerthError(
      'START_FAILED',
      `replacement for ${spec.name} did not start: ${dockerMessage(err)}; the old container ` +
        `${oldId.slice(0, 12)} runs again unchanged; fix the spec and berth tries again`,
      err,
    );
  }
  await old.remove({ force: true, v: false });
  await replacement.rename({ name: spec.name });
  await recordAliases(ctx, nextId);
}

/** Starts a stopped container (its restart policy wants it running). */
export async function startContainer(ctx: ExecContext, id: string, name: string): Promise<void> {
  try {
    await ctx.docker.getContainer(id).start();
  } catch (err) {
    if (isNotModified(err)) return;
    throw new BerthError('START_FAILED', `container ${name} did not start: ${dockerMessage(err)}`, err);
  }
  await recordAliases(ctx, id);
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

/** Docker's own words for a failed call, without dockerode's HTTP preamble. */
export function dockerMessage(err: unknown): string {
  const json = (err as { json?: { message?: string } }).json;
  if (json?.message) return json.message;
  return messageOf(err).replace(/^\(HTTP code \d+\) [^-]*- /, '');
}
