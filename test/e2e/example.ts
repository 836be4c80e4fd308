/** The examples under a test scope's names, for tests that run them for real. */
import fs from 'node:fs';
import path from 'node:path';

import { loadSpecs } from '../../src/spec/load';
import { Scope } from '../support/scope';
import { ROOT } from './e2e';

/**
 * Copies examples/basic into `dir` under the scope's names and port. Every rule must match, and
 * the loaded result must use only scoped names, so that a changed example fails here instead
 * of making objects outside the scope.
 */
export async function copyExample(dir: string, scope: Scope, port: number): Promise<void> {
  const p = scope.prefix;
  await copyScoped('basic', dir, scope, [
    [/^( {2}name: )demo-(web|db)$/gm, `$1${p}$2`],
    [/^( {2}name: )(production|staging)$/gm, `$1${p}$2`],
    [/^( {2}network: )demo-(prod|staging)$/gm, `$1${p}$2`],
    [/^( {2}destination: )(production|staging)$/gm, `$1${p}$2`],
    [/^( {2}extraDestinations: )\[staging\]/gm, `$1[${p}staging]`],
    [/"127\.0\.0\.1:18080:8080"/g, `"127.0.0.1:${port}:8080"`],
  ]);
  const { desired } = await loadSpecs(dir, { server: scope.server });
  const hostPorts = desired.containers.flatMap((c) => c.config.ports.map((x) => x.hostPort));
  expect(hostPorts).toEqual([String(port)]);
}

/**
 * Copies examples/`example` (subfolders too) into `dir`, each file rewritten by `rules`; every
 * rule must match somewhere, and the loaded specs must be valid and use only scoped names.
 */
export async function copyScoped(
  example: string,
  dir: string,
  scope: Scope,
  rules: [RegExp, string][],
): Promise<void> {
  const from = path.join(ROOT, 'examples', example);
  const unused = new Set(rules.map(([re]) => String(re)));
  for (const file of fs.readdirSync(from, { recursive: true }) as string[]) {
    if (fs.statSync(path.join(from, file)).isDirectory()) continue;
    let text = fs.readFileSync(path.join(from, file), 'utf8');
    for (const [re, to] of rules) {
      if (re.test(text)) unused.delete(String(re));
      text = text.replace(re, to);
    }
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  expect([...unused]).toEqual([]);

  const { desired, errors } = await loadSpecs(dir, { server: scope.server });
  expect(errors).toEqual([]);
  const names = [
    ...desired.destinations.flatMap((d) => [d.name, d.network]),
    ...desired.containers.flatMap((c) => [c.name, ...c.volumes]),
    ...(desired.stackNetworks ?? []).map((n) => n.name),
  ];
  expect(names.filter((n) => !n.startsWith(scope.prefix))).toEqual([]);
}
