/**
 * A real Prometheus (Debian's package) scrapes the agent on loopback and reads the example
 * resources' health and the reconcile counter, with the deploy/ alert rules loaded.
 */
import path from 'node:path';

import { AgentProcess, startAgent, useAgentScope } from '../support/agent-process';
import { startPrometheus, StartedPrometheus } from '../support/prometheus';
import { ROOT } from '../e2e/e2e';
import { copyExample } from '../e2e/example';

describe('Prometheus scraping the agent', () => {
  // useAgentScope: the agent stops before the scope's cleanup, or it repairs what that removes.
  const scope = useAgentScope('agent-prom');
  let agent: AgentProcess | undefined;
  let prom: StartedPrometheus | undefined;

  afterAll(async () => {
    await prom?.stop();
  });

  it('reads berth_resource_healthy and berth_reconcile_total for the example', async () => {
    const dir = scope.specsDir();
    await copyExample(dir, scope, await scope.port());
    agent = await startAgent(scope, dir);
    await agent.ready();
    prom = await startPrometheus({
      target: agent.listen,
      ruleFiles: [path.join(ROOT, 'deploy', 'prometheus', 'berth-alerts.yml')],
    });

    const web = `${scope.prefix}web`;
    const healthy = await prom.waitForSamples(
      `berth_resource_healthy{resource="${web}"} == 1`,
      60_000,
    );
    expect(healthy[0].metric).toMatchObject({
      kind: 'Application',
      destination: `${scope.prefix}production`,
    });
    const db = await prom.waitForSamples(`berth_resource_healthy{resource="${scope.prefix}db"}`);
    expect(db.map((s) => s.metric.kind)).toEqual(['Database']);
    const passes = await prom.waitForSamples(
      'sum(berth_reconcile_total{result=~"changed|unchanged"})',
    );
    expect(passes[0].value).toBeGreaterThanOrEqual(1);
    const errors = await prom.query('berth_reconcile_total{result="error"}');
    expect(errors.map((s) => s.value)).toEqual([0]);
  });
});
