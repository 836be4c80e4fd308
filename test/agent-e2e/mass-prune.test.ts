/**
 * Safety rule 4 under the agent: four of five spec files deleted within moments settle file by
 * file, yet make one pass, which the prune guard refuses. The refusal is a failed pass that
 * shows: `/readyz` fails with it, `/status` carries it, `berth_reconcile_total{result="error"}`
 * counts it; and no container was removed.
 */
import fs from 'node:fs';
import path from 'node:path';

import { AgentProcess, startAgent, useAgentScope } from '../support/agent-process';
import { waitFor } from '../support/dockerx';
import { application, destination, isRunning, writeDocs } from '../e2e/e2e';

describe('berth agent and a mass removal', () => {
  const scope = useAgentScope('agent-prune');
  let agent: AgentProcess;
  const p = scope.prefix;
  const names = [1, 2, 3, 4, 5].map((i) => `${p}a${i}`);

  it('refuses to remove four of five containers when their files go at once', async () => {
    const dir = scope.specsDir();
    writeDocs(dir, 'dest.yaml', destination(`${p}d`, { network: `${p}net` }));
    names.forEach((name, i) => writeDocs(dir, `a${i + 1}.yaml`, application(name)));
    agent = await startAgent(scope, dir);
    await agent.ready();
    for (const name of names) await waitFor(() => isRunning(scope.docker, name));

    // 60 ms apart, as a checkout or a slow `rm` goes: each file settles on its own.
    for (const i of [2, 3, 4, 5]) {
      fs.rmSync(path.join(dir, `a${i}.yaml`));
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    await waitFor(async () => (await agent.readyz()) === 503, 15_000);

    const status = await agent.status();
    expect(status.lastPass?.result).toBe('error');
    expect(status.lastPass?.error).toMatch(/refusing to remove 4 of 5 berth containers/);
    expect(status.lastPass?.error).toMatch(/allowMassPrune: true/);
    expect(await agent.metric('berth_reconcile_total{result="error"}')).toBeGreaterThanOrEqual(1);
    expect(await agent.metric('berth_actions_total{action="container-remove",result="ok"}')).toBe(
      0,
    );
    for (const name of names) expect(await isRunning(scope.docker, name)).toBe(true);
  });
});
