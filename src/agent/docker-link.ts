/**
 * The agent's link to the Docker engine: whether it answers, and its event stream. When the
 * stream ends (dockerd stopped or restarted), the link reports the engine down and pings it with
 * backoff until it answers, then subscribes again and reports it up, so that the agent converges
 * what changed while it was blind.
 */
import Docker from 'dockerode';
import type { Logger } from 'pino';
import { messageOf } from '../errors';

/** One event as the engine sends it (the fields berth reads). */
export interface DockerEvent {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes?: Record<string, string> };
  timeNano?: number;
}

export interface LinkHandlers {
  up(): void;
  down(why: string): void;
  event(e: DockerEvent): void;
}

const FIRST_RETRY_MS = 500;
const LAST_RETRY_MS = 10_000;

export class DockerLink {
  private stream: NodeJS.ReadableStream | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private isUp = false;
  private delay = FIRST_RETRY_MS;

  constructor(
    private readonly docker: Docker,
    private readonly on: LinkHandlers,
    private readonly log: Logger,
  ) {}

  get up(): boolean {
    return this.isUp;
  }

  /** Connects now; on failure keeps trying in the background. */
  async start(): Promise<void> {
    await this.connect();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const s = this.stream as (NodeJS.ReadableStream & { destroy?: () => void }) | null;
    this.stream = null;
    s?.destroy?.();
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    try {
      await this.docker.ping();
      const stream = await this.docker.getEvents({
        filters: { type: ['container', 'network'] },
      });
      if (this.closed) return void (stream as unknown as { destroy(): void }).destroy();
      this.listen(stream);
      this.delay = FIRST_RETRY_MS;
      this.isUp = true;
      this.on.up();
    } catch (err) {
      this.lost(`the Docker engine does not answer: ${messageOf(err)}`);
    }
  }

  private listen(stream: NodeJS.ReadableStream): void {
    this.stream = stream;
    let buffered = '';
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) this.parse(line);
    });
    const end = (why: string) => {
      if (this.stream !== stream) return;
      this.stream = null;
      this.lost(why);
    };
    stream.on('end', () => end('the Docker event stream ended'));
    stream.on('error', (err: Error) => end(`the Docker event stream failed: ${err.message}`));
  }

  private parse(line: string): void {
    if (!line.trim()) return;
    try {
      this.on.event(JSON.parse(line) as DockerEvent);
    } catch (err) {
      this.log.debug({ err, line: line.slice(0, 200) }, 'unreadable Docker event skipped');
    }
  }

  /** Reports the engine down once, then retries with backoff (0.5 s doubling to 10 s). */
  private lost(why: string): void {
    if (this.closed) return;
    if (this.isUp || this.delay === FIRST_RETRY_MS) this.on.down(why);
    this.isUp = false;
    this.timer = setTimeout(() => void this.connect(), this.delay);
    this.delay = Math.min(this.delay * 2, LAST_RETRY_MS);
  }
}
