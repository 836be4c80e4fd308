#!/usr/bin/env node
/**
 * The `berth` command line. Exit codes (contract): 0 done (or nothing pending for
 * `plan --exit-code`), 2 changes pending (`plan --exit-code` only), 1 refused or failed.
 */
import { Command, Option } from 'commander';
import os from 'node:os';
import { runApply, runPlan, runValidate } from './commands';

const program = new Command();

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

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`berth: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
