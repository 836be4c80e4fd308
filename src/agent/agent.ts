/**
 * `berth agent`: the long-running reconcile loop of one server. It holds the server's lock,
 * keeps a settled snapshot of the specs folder, listens to the Docker engine's events, runs a
 * periodic pass, and feeds every trigger into one work queue, so that one pass runs at a time
 * and triggers that arrive meanwhile fold into one more. It serves metrics and status on HTTP.
 *
 * Stopping (SIGTERM, SIGINT) takes no new work, lets the action in flight finish, and leaves
 * every workload running: the agent never stops a container because it stops itself.
 */
import cron, { ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import { dockerFromEnv } from '../docker/client';
import { countRequests } from '../docker/instrument';
import { BerthError, messageOf } from '../errors';
import { parseDuration } from '../duration';
import { acquireLock, lockDir } from '../lock';
import { checkRoot } from '../spec/files';
import { AgentConfig } from './config';
import { DockerLink, DockerEvent } from './docker-link';
import { wantsPass } from './events';
import { AgentServer, serveHttp } from './http';
import { Metrics } from './metrics';
import { WorkQueue, Trigger } from './queue';
import { Reconciler } from './reconciler';
import { LastGood } from './specs';
import { StatusDocument } from './view';
import { SpecWatcher } from './watch';

/** The only key of the work queue: a pass covers the whole server. */
const PASS = 'server';
/** Spec files that settle within this of each other make one pass (see specChanged). */
const SPEC_QUIET_MS = 300;
const SPEC_MAX_WAIT_MS = 3000;

/** Docker events that arrive together (a restart emits several) make one pass. */
const EVENT_DEBOUNCE_MS = 100;

export interface AgentEnv {
  env: NodeJS.ProcessEnv;
  log: Logger;
  /** Resources worked on at once within a pass. */
  parallelism?: number;
}

export class Agent {
  private readonly metrics = new Metrics();
  private readonly watcher: SpecWatcher;
  private readonly reconciler: Reconciler;
  private readonly queue: WorkQueue;
  private readonly link: DockerLink;
  private readonly log: Logger;
  private cronTask: ScheduledTask | null = null;
  private server: AgentServer | null = null;
  private release: (() => void) | null = null;
  private started = false;
  private stopping = false;
  private followUp = false;
  private completePass = false;
  private dockerDown: string | null = 'not connected yet';
  /** When the engine was last seen going away. */
  private downAt = Date.now();
  private eventTimer: NodeJS.Timeout | null = null;
  /** Files settled since the last spec pass was asked for, and when the first of them did. */
  private specTimer: NodeJS.Timeout | null = null;
  private specFiles: string[] = [];
  private specFirstAt = 0;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly config: Readonly<AgentConfig>,
    envs: AgentEnv,
  ) {
    if (config.specs === null) {
      throw new BerthError(
        'NOT_BUILT',
        'source.git is not built yet: check the repository out with git (a cron job or a ' +
          'sidecar) and point `specs` at its folder',
      );
    }
    this.log = envs.log.child({ server: config.server });
    const docker = countRequests(dockerFromEnv(envs.env), (op, ok) =>
      this.metrics.dockerRequest(op, ok),
    );
    const specs = config.specs;
    this.watcher = new SpecWatcher(
      specs,
      parseDuration(config.settle),
      (file) => this.specChanged(file),
      this.log,
    );
    this.reconciler = new Reconciler({
      server: config.server,
      docker,
      log: this.log,
      metrics: this.metrics,
      lastGood: new LastGood(specs, config.server),
      snapshot: () => this.watcher.snapshot(),
      pruneGuard: config.pruneGuard,
      allowMassPrune: config.allowMassPrune,
      parallelism: envs.parallelism ?? 8,
      pullIntervalMs: parseDuration(config.pullInterval),
      stopping: () => this.stopping,
      retryAt: (at) => this.retryAt(at),
    });
    this.queue = new WorkQueue(() => this.runPass(), { parallelism: 1 });
    this.link = new DockerLink(
      docker,
      {
        up: () => this.engineUp(),
        down: (why) => this.engineDown(why),
        event: (e) => this.onEvent(e),
      },
      this.log,
    );
  }

  /** Takes the lock, reads the specs, serves HTTP, connects to Docker and starts the loop. */
  async start(): Promise<string> {
    const { server, specs, listen, schedule } = this.config;
    await checkRoot(specs ?? '');
    this.release = acquireLock(lockDir(process.env), server, `berth agent --specs ${specs}`);
    await this.watcher.start();
    await this.reconciler.announce();
    const [host, port] = splitListen(listen);
    this.server = await serveHttp(host, port, this.endpoints(), this.log).catch((e: unknown) => {
      throw new BerthError('HTTP_LISTEN', `cannot listen on ${listen}: ${messageOf(e)}`, e);
    });
    this.cronTask = cron.schedule(schedule, () => this.trigger('periodic', 'schedule'), {
      noOverlap: true,
    });
    await this.link.start();
    this.log.info(
      { specs, listen: this.server.address, schedule, settle: this.config.settle },
      'agent started',
    );
    if (this.config.allowMassPrune) {
      this.log.warn('allowMassPrune is on: passes may remove more than pruneGuard allows');
    }
    this.started = true;
    return this.server.address;
  }

  /**
   * Files that settle together make one pass: `rm` of several files, or a checkout, settles
   * file by file within moments, and a pass per file would judge each removal alone against
   * the prune guard (safety rule 4). The pass waits until no file settled for
   * SPEC_QUIET_MS, and never longer than SPEC_MAX_WAIT_MS after the first.
   */
  private specChanged(file: string): void {
    if (this.specFiles.length === 0) this.specFirstAt = Date.now();
    this.specFiles.push(file);
    if (this.specTimer) clearTimeout(this.specTimer);
    const waited = Date.now() - this.specFirstAt;
    const delay = Math.max(0, Math.min(SPEC_QUIET_MS, SPEC_MAX_WAIT_MS - waited));
    this.specTimer = setTimeout(() => {
      this.specTimer = null;
      const files = this.specFiles.splice(0);
      const what = files.length === 1 ? `file ${files[0]}` : `${files.length} files`;
      this.trigger('spec', `${what} changed`);
    }, delay);
  }

  /** Finishes the action in flight, starts nothing new, and lets go of everything it holds. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    // A start that failed half-way lets go of what it took, without claiming it was running.
    const say = this.started ? (msg: string) => this.log.info(msg) : () => undefined;
    say('agent stopping: finishing the action in flight');
    await this.cronTask?.destroy();
    if (this.eventTimer) clearTimeout(this.eventTimer);
    if (this.specTimer) clearTimeout(this.specTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.queue.stop();
    this.link.close();
    await this.watcher.close();
    await this.server?.close();
    this.release?.();
    say('agent stopped; the workloads keep running');
  }

  status(): StatusDocument {
    const r = this.reconciler;
    return {
      server: this.config.server,
      ready: this.notReady() === null,
      docker: { up: this.dockerDown === null, reason: this.dockerDown },
      lastPass: r.lastPass,
      lastSuccess: r.lastSuccess?.toISOString() ?? null,
      ...r.findings,
    };
  }

  private notReady(): string | null {
    if (this.stopping) return 'stopping';
    if (this.dockerDown !== null) return `Docker engine unreachable: ${this.dockerDown}`;
    if (!this.completePass) return 'the first pass has not completed yet';
    const last = this.reconciler.lastPass;
    if (last?.result === 'error') return `the last pass failed: ${last.error}`;
    return null;
  }

  private endpoints() {
    return {
      metrics: async () => ({
        contentType: this.metrics.contentType,
        body: await this.metrics.text(),
      }),
      notReady: () => this.notReady(),
      status: () => this.status(),
    };
  }

  private trigger(kind: Trigger, why: string): void {
    if (this.stopping) return;
    this.log.debug({ trigger: kind, why }, 'pass requested');
    this.queue.add(PASS, kind);
  }

  private async runPass() {
    if (this.dockerDown !== null) return { kind: 'done' as const }; // the link asks again once up
    const follow = this.followUp;
    this.followUp = false;
    const outcome = await this.reconciler.pass(follow ? 'follow-up' : 'queue');
    if (outcome.kind === 'done') this.completePass = true;
    // Something changed under the pass: one more pass, but never a chain of them.
    if (outcome.kind === 'done' && this.reconciler.unsettled && !follow) {
      this.followUp = true;
      this.trigger('event', 'the engine changed during the pass');
    }
    return outcome;
  }

  private engineUp(): void {
    const wasDown = this.dockerDown;
    this.dockerDown = null;
    this.metrics.dockerUp(true);
    if (this.completePass) this.reconciler.engineReturned(this.downAt);
    this.log.info({ after: wasDown }, 'Docker engine connected');
    // A spec trigger: whatever backoff the failed passes built up, converge now.
    this.trigger('spec', 'Docker engine connected');
  }

  private engineDown(why: string): void {
    if (this.dockerDown === null) this.downAt = Date.now();
    this.dockerDown = why;
    this.metrics.dockerUp(false);
    this.log.error({ err: why }, 'Docker engine unreachable; retrying with backoff');
  }

  private onEvent(e: DockerEvent): void {
    const own = this.reconciler.ownWork(e.timeNano);
    if (!wantsPass(e, this.config.server, this.reconciler.networkIds(), own)) return;
    if (e.Type === 'container' && e.Action === 'die') {
      const code = Number(e.Actor.Attributes?.exitCode);
      const at = e.timeNano === undefined ? Date.now() : e.timeNano / 1e6;
      this.reconciler.exits.record(e.Actor.ID, at, Number.isInteger(code) ? code : null);
    }
    this.log.debug({ type: e.Type, action: e.Action, id: e.Actor.ID }, 'Docker event');
    if (this.eventTimer) return;
    this.eventTimer = setTimeout(() => {
      this.eventTimer = null;
      this.trigger('event', `${e.Type} ${e.Action}`);
    }, EVENT_DEBOUNCE_MS);
  }

  /** A held resource's backoff ends at `at`: a pass then tries it again. */
  private retryAt(at: number): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const delay = Math.max(0, at - Date.now()) + 10;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.trigger('event', 'a resource backoff ended');
    }, delay);
    this.retryTimer.unref();
  }
}

/** `127.0.0.1:9469` → ['127.0.0.1', 9469]; `[::1]:9469` → ['::1', 9469] (checked at load). */
export function splitListen(listen: string): [string, number] {
  const at = listen.lastIndexOf(':');
  const host = listen.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  return [host, Number(listen.slice(at + 1))];
}
