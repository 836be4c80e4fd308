/** Making sure a container's image is on the engine, as its pullPolicy says. */
import { dockerMessage } from '../docker/client';
import { BerthError } from '../errors';
import { PullPolicy } from '../model';
import { ExecContext } from './context';

/**
 * Pulls `image` when the policy asks for it: `Always` every time this is called, `IfNotPresent`
 * only when the engine lacks it; `Never` requires it to be there already.
 */
export async function ensureImage(ctx: ExecContext, image: string, policy: PullPolicy) {
  const present = image in ctx.images;
  if (policy === 'Never' && !present) {
    throw new BerthError(
      'IMAGE_MISSING',
      `image ${image} is not on the engine and pullPolicy is Never; load or build it on this ` +
        `server (docker load / docker build), or set pullPolicy: IfNotPresent`,
    );
  }
  const stale = policy === 'Always' && !ctx.pulled.has(image);
  if (stale || !present) await pullImage(ctx, image);
}

/** Pulls an image and waits for the pull to finish; a failure is an IMAGE_PULL error. */
export async function pullImage(ctx: ExecContext, image: string): Promise<void> {
  ctx.log.info({ image }, 'pulling image');
  try {
    const stream = await ctx.docker.pull(image);
    await new Promise<void>((resolve, reject) => {
      ctx.docker.modem.followProgress(stream, (err: Error | null, events: unknown[]) => {
        const failed = (events ?? []).find((e) => (e as { error?: string }).error);
        if (err) reject(err);
        else if (failed) reject(new Error((failed as { error: string }).error));
        else resolve();
      });
    });
  } catch (err) {
    throw new BerthError(
      'IMAGE_PULL',
      `pulling image ${image} failed: ${dockerMessage(err)}; check the name and tag and that ` +
        'the registry is reachable, or load the image and set pullPolicy: Never',
      err,
    );
  }
  const info = await ctx.docker.getImage(image).inspect();
  ctx.images[image] = info.Id;
  ctx.pulled.add(image);
}
