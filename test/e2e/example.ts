/** examples/basic under a test scope's names, for tests that run the example for real. */
import fs from 'node:fs';
import path from 'node:path';

import { loadSpecs } from '../../src/spec/load';
import { Scope } from '../support/scope';
import { ROOT } from './e2e';

const EXAMPLE = path.join(ROOT, 'examples', 'basic');

/**
 * Copies examples/basic into `dir` under the scope's names and port. Every rule must match, and
 * the loaded result must use only scoped names, so that a changed example fails here instead
 * of making objects outside the scope.
 */
export async function copyExample(dir: string, scope: Scope, port: number): Promise<void> {
  const p = scope.prefix;
  const rules: [RegExp, string][] = [
    [/^( {2}name: )demo-(web|db)$/gm, `$1${p}$2`],
    [/^( {2}name: )(production|staging)$/gm, `$1${p}$2`],
    [/^( {2}network: )demo-(prod|staging)$/gm, `$1${p}$2`],
    [/^( {2}destination: )(production|staging)$/gm, `$1${p}$2`],
    [/^( {2}extraDestinations: )\[staging\]/gm, `$1[${p}staging]`],
    [/"127\.0\.0\.1:18080:8080"/g, `"127.0.0.1:${port}:8080"`],
  ];
  const unused = new Set(rules.map(([re]) => String(re)));
  for (const file of fs.readdirSync(EXAMPLE)) {
    let text = fs.readFileSync(path.join(EXAMPLE, file), 'utf8');
    for (const [re, to] of rules) {
      if (re.test(text)) unused.delete(String(re));
      text = text.replace(re, to);
    }
    fs.writeFileSync(path.join(dir, file), text);
  }
  expect([...unused]).toEqual([]);

  const { desired, errors } = await loadSpecs(dir, { server: scope.server });
  expect(errors).toEqual([]);
  const names = [
    ...desired.destinations.flatMap((d) => [d.name, d.network]),
    ...desired.containers.flatMap((c) => [c.name, ...c.volumes]),
  ];
  expect(names.filter((n) => !n.startsWith(p))).toEqual([]);
  const hostPorts = desired.containers.flatMap((c) => c.config.ports.map((x) => x.hostPort));
  expect(hostPorts).toEqual([String(port)]);
}
