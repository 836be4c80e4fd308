/**
 * The agent never applies a spec file in the middle of being written: a file rewritten in place
 * in small pieces, or truncated to zero and written again, changes nothing that its final text
 * does not ask for. An invalid file shows in `berth_spec_errors` and in `/status` with file and
 * line, its resources show `Invalid` and keep running on their last good spec, and fixing the
 * file clears all of that.
 */
import { promises as fs } from 'node:fs';

import { AgentProcess, startAgent, useAgentScope } from '../support/agent-process';
import { waitFor } from '../support/dockerx';
import { TEST_IMAGE, writeSpec } from '../support/scope';
import { application, containerIds, destination, inspect, isRunning, writeDocs } from '../e2e/e2e';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Writes `text` over `file` in place: truncated, then `pieces` writes `gapMs` apart. */
async function writeInPieces(file: string, text: string, pieces = 5, gapMs = 20): Promise<void> {
  const handle = await fs.open(file, 'w');
  try {
    const size = Math.ceil(text.length / pieces);
    for (let at = 0; at < text.length; at += size) {
      await sleep(gapMs);
      await handle.write(text.slice(at, at + size));
    }
  } finally {
    await handle.close();
  }
}

/**
 * Two applications in one file, written by hand so that line numbers are known; `bad` puts an
 * unknown field on line 10. A prefix of it cut between the documents is a valid file without
 * web2, and one cut inside web's `MODE` is a valid file with another value.
 */
function appsText(prefix: string, mode: string, bad = false): string {
  const app = (name: string, lines: string[]) =>
    [
      'apiVersion: berth/v1',
      'kind: Application',
      'metadata:',
      `  name: ${prefix}${name}`,
      'spec:',
      `  image: ${TEST_IMAGE}`,
      '  pullPolicy: Never',
      "  command: ['sleep', '3600']",
      '  stopGracePeriod: 1s',
      ...lines,
    ].join('\n');
  const web = app('web', [...(bad ? ['  restartPolicy: always'] : []), `  env: { MODE: ${mode} }`]);
  return `${web}\n---\n${app('web2', ['  env: { MODE: steady }'])}\n`;
}

describe('berth agent on spec files being written', () => {
  const scope = useAgentScope('agent-files');
  let agent: AgentProcess;
  let dir: string;
  let file: string;
  const web = `${scope.prefix}web`;
  const web2 = `${scope.prefix}web2`;
  const mark = `${scope.prefix}mark`;
  let ids: Record<string, string>;
  let marks = 0;

  const actions = (action: string) =>
    agent.metric(`berth_actions_total{action="${action}",result="ok"}`);
  const resourceStatus = async (name: string) =>
    (await agent.status()).resources.find((r) => r.resource === name)?.status;
  /** Name → ID of web and web2 (markers left out). */
  const appIds = async () => {
    const all = await containerIds(scope.docker, scope.prefix);
    return Object.fromEntries(Object.entries(all).filter(([name]) => !name.startsWith(mark)));
  };
  /**
   * Writes a new file with one more marker application and waits until it runs: the agent has
   * then settled every file written before it and finished the passes they asked for. Markers
   * are only ever created, so they add nothing to the recreate and remove counts.
   */
  const afterMarker = async () => {
    const name = `${mark}${++marks}`;
    writeDocs(dir, `${name}.yaml`, application(name));
    await waitFor(() => isRunning(scope.docker, name), 20_000);
  };

  beforeAll(async () => {
    dir = scope.specsDir();
    writeDocs(dir, 'dest.yaml', destination(`${scope.prefix}d`, { network: `${scope.prefix}net` }));
    file = writeSpec(dir, 'apps.yaml', appsText(scope.prefix, 'one'));
    agent = await startAgent(scope, dir);
    await agent.ready();
    await waitFor(
      async () => (await isRunning(scope.docker, web)) && isRunning(scope.docker, web2),
    );
    await afterMarker();
    ids = await appIds();
    expect(Object.keys(ids).sort()).toEqual([web, web2]);
  });

  it('changes nothing when a file is rewritten in place in small pieces to the same text', async () => {
    await writeInPieces(file, appsText(scope.prefix, 'one'));
    await afterMarker();

    expect(await appIds()).toEqual(ids);
    expect(await actions('container-remove')).toBe(0);
    expect(await actions('container-recreate')).toBe(0);
    const settled = agent.logs().filter((l) => l.msg === 'spec file settled');
    expect(settled.filter((l) => l.file === 'apps.yaml')).toEqual([]);
  });

  it('changes nothing when a file is truncated to zero and written again within settle', async () => {
    await fs.truncate(file, 0);
    await sleep(100);
    await fs.writeFile(file, appsText(scope.prefix, 'one'));
    await afterMarker();

    expect(await appIds()).toEqual(ids);
    expect(await actions('container-remove')).toBe(0);
    expect(await actions('container-recreate')).toBe(0);
  });

  it('makes only the change of the final text when a file is rewritten in pieces', async () => {
    await writeInPieces(file, appsText(scope.prefix, 'two'));
    await waitFor(async () => (await inspect(scope.docker, web))?.Config.Env.includes('MODE=two'));
    await afterMarker();

    const now = await appIds();
    expect(Object.keys(now).sort()).toEqual([web, web2]);
    expect(now[web2]).toBe(ids[web2]);
    expect(await isRunning(scope.docker, web)).toBe(true);
    expect(await actions('container-recreate')).toBe(1);
    expect(await actions('container-remove')).toBe(0);
    ids = now;
  });

  it('keeps the resources of a file left empty running as Invalid until it is written again', async () => {
    await fs.truncate(file, 0);
    await waitFor(async () => (await resourceStatus(web)) === 'Invalid');

    expect(await agent.metric(`berth_spec_errors{file="${file}"}`)).toBe(1);
    expect(await resourceStatus(web)).toBe('Invalid');
    expect(await resourceStatus(web2)).toBe('Invalid');
    expect(await appIds()).toEqual(ids);
    expect(await isRunning(scope.docker, web)).toBe(true);

    await fs.writeFile(file, appsText(scope.prefix, 'two'));
    await waitFor(async () => (await resourceStatus(web)) === 'Ready');
    expect((await agent.status()).specErrors).toEqual([]);
    expect(await agent.metric(`berth_spec_errors{file="${file}"}`)).toBe(0);
    expect(await appIds()).toEqual(ids);
  });

  it('shows an invalid field with file and line and keeps the last good spec running', async () => {
    // Invalid, and asking for MODE three: nothing of it may be applied while it is invalid.
    await fs.writeFile(file, appsText(scope.prefix, 'three', true));
    await waitFor(async () => (await resourceStatus(web)) === 'Invalid');

    const status = await agent.status();
    expect(status.specErrors).toEqual([
      expect.objectContaining({ file, line: 10, field: 'spec', code: 'SPEC_SCHEMA' }),
    ]);
    expect(status.specErrors[0].message).toBe(`${file}:10 spec: unknown field 'restartPolicy'`);
    expect(await agent.metric(`berth_spec_errors{file="${file}"}`)).toBe(1);
    for (const name of [web, web2]) {
      expect(status.resources.find((r) => r.resource === name)).toMatchObject({
        status: 'Invalid',
        reason: expect.stringContaining('last good spec'),
      });
    }
    expect(await appIds()).toEqual(ids);
    expect((await inspect(scope.docker, web))?.Config.Env).toContain('MODE=two');
    expect(await isRunning(scope.docker, web)).toBe(true);

    await fs.writeFile(file, appsText(scope.prefix, 'two'));
    await waitFor(async () => (await resourceStatus(web)) === 'Ready');
    expect((await agent.status()).specErrors).toEqual([]);
    expect(await agent.metric(`berth_spec_errors{file="${file}"}`)).toBe(0);
    expect(await resourceStatus(web2)).toBe('Ready');
    expect(await appIds()).toEqual(ids);
    expect(await actions('container-recreate')).toBe(1);
  });
});
