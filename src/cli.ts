#!/usr/bin/env node
/**
 * The `berth` command line. Exit codes (contract): 0 done (or nothing pending for
 * `plan --exit-code`), 2 changes pending (`plan --exit-code` only), 1 refused or failed.
 */
// First: keeps dockerode's unused SSH and gRPC parts from loading (memory of a resident agent).
import './docker/lean';
import { Command, Option } from 'commander';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runApply, runPlan, runValidate } from './commands';
import { runAgent, runStatus } from './agent/run';

const program = new Command();

/** The version in package.json (two folders up from dist/src/cli.js, one from src/cli.ts). */
function version(): string {
  for (const rel of ['../../package.json', '../package.json']) {
    try {
      return (JSON.parse(fs.readFileSync(path.join(__dirname, rel), 'utf8')) as { version: string })
        .version;
    } catch {
      // try the next place
    }
  }
  return 'unknown';
}

const serverOption = () =>
  new Option('--server <name>', "this server's name (default: the host name)").default(
    os.hostname(),
  );
const logOption = () =>
  new Option('--log-level <level>', 'also write JSON log lines on stderr at this level').default(
    'silent',
  );

program
  .name('berth')
  .description('Keeps a Docker server in the state its YAML specs declare.')
  .version(version())
  .showHelpAfterError();

program
  .command('validate')
  .description('check the specs in DIR without touching Docker')
  .argument('<dir>', 'specs folder')
  .addOption(serverOption())
  .action(async (dir: string, o: { server: string }) => {
    process.exitCode = await runValidate(dir, o.server);
  });

program
  .command('plan')
  .description('show what apply would change')
  .argument('<dir>', 'specs folder')
  .addOption(serverOption())
  .addOption(logOption())
  .option('--exit-code', 'exit 2 when changes are pending')
  .option('--allow-mass-prune', 'plan removals beyond the prune guard')
  .option('--show-env-values', 'show env values of the containers to create (keys only by default)')
  .action(async (dir: string, o) => {
    process.exitCode = await runPlan(dir, o);
  });

program
  .command('apply')
  .description('converge Docker to the specs in DIR, once')
  .argument('<dir>', 'specs folder')
  .addOption(serverOption())
  .addOption(logOption())
  .option('--allow-mass-prune', 'remove more than the prune guard allows')
  .addOption(
    new Option('--parallelism <n>', 'resources worked on at once').default('8').argParser(Number),
  )
  .action(async (dir: string, o) => {
    process.exitCode = await runApply(dir, o);
  });

program
  .command('agent')
  .description('keep converging this server: watch the specs, Docker events and a schedule')
  .option('--config <file>', 'agent config file (YAML); flags win over its keys')
  .option('--server <name>', "this server's name (required here: no host-name default)")
  .option('--specs <dir>', 'the watched specs folder')
  .option('--git-url <url>', 'specs from a git repository (not built yet)')
  .option('--git-branch <branch>', 'branch of --git-url')
  .option('--git-path <path>', 'specs folder inside the repository')
  .option(
    '--listen <host:port>',
    'HTTP address for /metrics, /status, ... (default 127.0.0.1:9469)',
  )
  .action(async (o: { config?: string } & Record<string, string | undefined>) => {
    const { config, ...flags } = o;
    process.exitCode = await runAgent(config ?? null, flags);
  });

program
  .command('status')
  .description("show the agent's view of this server: destinations and resources")
  .option('--listen <host:port>', "the agent's HTTP address (default 127.0.0.1:9469)")
  .option('--config <file>', 'read the address from this agent config')
  .addOption(new Option('-o, --output <format>', 'table or json').default('table'))
  .action(async (o: { listen?: string; config?: string; output: string }) => {
    process.exitCode = await runStatus(o);
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`berth: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
