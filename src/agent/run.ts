/**
 * `berth agent` and `berth status` as commands: exit codes and human output around the Agent
 * and its `/status` endpoint.
 */
import { BerthError, messageOf } from '../errors';
import { createLogger } from '../log';
import { Agent } from './agent';
import { AgentFlags, AGENT_DEFAULTS, listenProblem, loadAgentConfig } from './config';
import { renderStatus } from './status-table';
import { StatusDocument } from './view';

const err = (text: string) => process.stderr.write(text);

function fatal(e: unknown): number {
  const code = e instanceof BerthError ? ` [${e.code}]` : '';
  err(`berth: ${messageOf(e)}${code}\n`);
  return 1;
}

/**
 * Runs the agent until SIGTERM or SIGINT; 0 after a clean stop, 1 when it could not start (a
 * bad config is reported before anything touches Docker). A second signal quits at once.
 */
export async function runAgent(file: string | null, flags: AgentFlags): Promise<number> {
  let agent: Agent;
  try {
    const config = await loadAgentConfig(file, flags);
    agent = new Agent(config, { env: process.env, log: createLogger(config.logLevel, 1) });
  } catch (e) {
    return fatal(e);
  }
  const stopped = waitForStopSignal(agent);
  try {
    await agent.start();
  } catch (e) {
    await agent.stop();
    return fatal(e);
  }
  await stopped;
  return 0;
}

function waitForStopSignal(agent: Agent): Promise<void> {
  return new Promise((resolve) => {
    let asked = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (asked) process.exit(130);
      asked = true;
      err(`berth: ${signal}: finishing the action in flight, then stopping (again to quit now)\n`);
      void agent.stop().then(() => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        resolve();
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

export interface StatusFlags {
  listen?: string;
  config?: string;
  output: string;
}

/** `berth status`: asks the agent's `/status` and prints it as a table or as JSON. */
export async function runStatus(o: StatusFlags): Promise<number> {
  if (o.output !== 'table' && o.output !== 'json') {
    return fatal(new BerthError('CONFIG', `-o must be table or json (got '${o.output}')`));
  }
  try {
    const listen = o.listen ?? (o.config ? await listenOf(o.config) : AGENT_DEFAULTS.listen);
    const bad = listenProblem(listen);
    if (bad) throw new BerthError('CONFIG', `--listen ${bad}`);
    const url = `http://${listen}/status`;
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) }).catch((e: unknown) => {
      throw new BerthError(
        'AGENT_UNREACHABLE',
        `no agent answers at ${url} (${messageOf((e as { cause?: unknown }).cause ?? e)}); ` +
          'start it with `berth agent --config FILE`, or pass --listen or --config',
      );
    });
    if (!res.ok) throw new BerthError('AGENT_UNREACHABLE', `${url} answered ${res.status}`);
    const doc = (await res.json()) as StatusDocument;
    process.stdout.write(
      o.output === 'json' ? `${JSON.stringify(doc, null, 2)}\n` : renderStatus(doc),
    );
    return 0;
  } catch (e) {
    return fatal(e);
  }
}

/** The `listen` of an agent config file (flags of the agent are not known here). */
async function listenOf(file: string): Promise<string> {
  // Only `listen` is wanted here: a config that leaves `server` to a flag is still good enough.
  const config = await loadAgentConfig(file, { server: 'status' });
  return config.listen;
}
