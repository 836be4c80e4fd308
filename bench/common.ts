/** What the bench's parts share: the engine, the image, and small helpers for figures. */
import Docker from 'dockerode';

export const IMAGE = 'berth-busybox:latest';
const SOCKET = '/var/run/docker.sock';
/** The engine of every part of the bench, also for the agents and the docker CLI it starts. */
export const DOCKER_HOST = `unix://${SOCKET}`;
export const docker = new Docker({ socketPath: SOCKET });

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export const round = (x: number, digits = 2) => Number(x.toFixed(digits));
export const progress = (text: string) => process.stderr.write(`bench: ${text}\n`);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` every `everyMs` until it returns a value other than undefined. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  everyMs = 50,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await sleep(everyMs);
  }
}
