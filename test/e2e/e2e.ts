/**
 * Shared steps of the end-to-end tests: run a pass in-process (as `berth apply` builds it) or
 * the real CLI, write spec documents under a scope's names, and read back what Docker runs.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import Docker from 'dockerode';
import YAML from 'yaml';

import { AliasCache } from '../../src/docker/observe';
import { LABEL } from '../../src/labels';
import { createLogger } from '../../src/log';
import { PassReport, runPass } from '../../src/pass';
import { DEFAULT_PRUNE_GUARD } from '../../src/plan/plan';
import { renderPlan } from '../../src/plan/render';
import { execIn } from '../support/dockerx';
import { Scope, TEST_IMAGE, writeSpec } from '../support/scope';

export const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist', 'src', 'cli.js');
const silent = createLogger('silent');

export interface PassFlags {
  /** Another client for the same engine, e.g. one through a recording proxy. */
  docker?: Docker;
  allowMassPrune?: boolean;
  dryRun?: boolean;
}

/** One pass over `specs` as the scope's server, with the options `berth apply` uses. */
export function pass(scope: Scope, specs: string, flags: PassFlags = {}): Promise<PassReport> {
  return runPass({
    docker: flags.docker ?? scope.docker,
    server: scope.server,
    specs,
    log: silent,
    aliases: new AliasCache(),
    pruneGuard: DEFAULT_PRUNE_GUARD,
    allowMassPrune: !!flags.allowMassPrune,
    parallelism: 8,
    dryRun: !!flags.dryRun,
  });
}

/** A pass that must go through cleanly; otherwise the test fails with the plan and errors. */
export async function converge(
  scope: Scope,
  specs: string,
  flags: PassFlags = {},
): Promise<PassReport> {
  const report = await pass(scope, specs, flags);
  const errors = [
    ...report.specErrors.map((e) => e.message),
    ...report.pullErrors.map((p) => `${p.resource}: ${p.error}`),
    ...report.plan.problems.filter((p) => p.level === 'error').map((p) => p.message),
    ...report.results.filter((r) => !r.ok).map((r) => r.error ?? '?'),
  ];
  if (errors.length > 0) {
    throw new Error(`pass did not converge:\n${renderPlan(report.plan)}${errors.join('\n')}`);
  }
  return report;
}

/** `type resource` of every action a pass ran (or planned, for a dry run), in order. */
export function actionsOf(report: PassReport): string[] {
  return report.plan.actions.map((a) => `${a.type} ${a.resource}`);
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (`npm run build` first) with `args`; env adds to this process's one. */
export function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export type Kind = 'Destination' | 'Application' | 'Database' | 'Stack';

/** One spec document as data; `writeDocs` turns it into YAML. */
export interface Doc {
  kind: Kind;
  name: string;
  spec: Record<string, unknown>;
}

/** A Destination document. */
export const destination = (name: string, spec: Record<string, unknown> = {}): Doc => ({
  kind: 'Destination',
  name,
  spec,
});

/**
 * An Application running the test image (`sleep 3600` unless `spec` says otherwise). `sleep` as
 * PID 1 ignores SIGTERM: a short grace period keeps recreates quick.
 */
export const application = (name: string, spec: Record<string, unknown> = {}): Doc => ({
  kind: 'Application',
  name,
  spec: {
    image: TEST_IMAGE,
    pullPolicy: 'Never',
    command: ['sleep', '3600'],
    stopGracePeriod: '1s',
    ...spec,
  },
});

/** A Database: the same fields as an Application. */
export const database = (name: string, spec: Record<string, unknown> = {}): Doc => ({
  ...application(name, spec),
  kind: 'Database',
});

/** A Stack document; `spec` names its compose file or holds it inline. */
export const stackDoc = (name: string, spec: Record<string, unknown>): Doc => ({
  kind: 'Stack',
  name,
  spec,
});

/** Writes a compose document as YAML into `dir/file` (replacing it). */
export function writeCompose(dir: string, file: string, compose: Record<string, unknown>): string {
  return writeSpec(dir, file, YAML.stringify(compose));
}

/** Writes the documents into `dir/file` (replacing it), `---` between them. */
export function writeDocs(dir: string, file: string, ...docs: Doc[]): string {
  const text = docs
    .map((d) =>
      YAML.stringify({
        apiVersion: 'berth/v1',
        kind: d.kind,
        metadata: { name: d.name },
        spec: d.spec,
      }),
    )
    .join('---\n');
  return writeSpec(dir, file, text);
}

/** Removes a spec file. */
export function removeFile(dir: string, file: string): void {
  fs.rmSync(path.join(dir, file));
}

/** The container's inspect data, or null when no container has that name or ID. */
export async function inspect(
  docker: Docker,
  nameOrId: string,
): Promise<Docker.ContainerInspectInfo | null> {
  try {
    return await docker.getContainer(nameOrId).inspect();
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return null;
    throw err;
  }
}

/** The ID of the container with this name; fails the test when there is none. */
export async function idOf(docker: Docker, name: string): Promise<string> {
  const info = await inspect(docker, name);
  if (!info) throw new Error(`no container named ${name}`);
  return info.Id;
}

/** True when a container of that name exists and runs. */
export async function isRunning(docker: Docker, name: string): Promise<boolean> {
  return (await inspect(docker, name))?.State.Running === true;
}

/** Names of the server's berth containers (any state), sorted. */
export async function berthContainers(docker: Docker, server: string): Promise<string[]> {
  const list = await docker.listContainers({
    all: true,
    filters: { label: [`${LABEL.server}=${server}`] },
  });
  return list.map((c) => (c.Names[0] ?? '').replace(/^\//, '')).sort();
}

/** Name → ID of every container whose name starts with `prefix`, any state. */
export async function containerIds(
  docker: Docker,
  prefix: string,
): Promise<Record<string, string>> {
  const list = await docker.listContainers({ all: true });
  const out: Record<string, string> = {};
  for (const c of list) {
    const name = (c.Names[0] ?? '').replace(/^\//, '');
    if (name.startsWith(prefix)) out[name] = c.Id;
  }
  return out;
}

/** The network's inspect data, or null when there is none of that name or ID. */
export async function network(
  docker: Docker,
  nameOrId: string,
): Promise<Docker.NetworkInspectInfo | null> {
  try {
    return await docker.getNetwork(nameOrId).inspect();
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return null;
    throw err;
  }
}

/** The volume's labels, or null when there is no such volume. */
export async function volumeLabels(
  docker: Docker,
  name: string,
): Promise<Record<string, string> | null> {
  try {
    const info = await docker.getVolume(name).inspect();
    return info.Labels ?? {};
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return null;
    throw err;
  }
}

/** Runs a shell command in the container and returns its stdout; a non-zero exit fails. */
export async function sh(docker: Docker, container: string, script: string): Promise<string> {
  const result = await execIn(docker, container, ['sh', '-c', script]);
  if (result.exitCode !== 0) {
    const why = `exited ${result.exitCode}: ${result.stderr}`;
    throw new Error(`sh -c '${script}' in ${container} ${why}`);
  }
  return result.stdout;
}
