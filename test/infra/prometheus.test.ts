import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';

import { startPrometheus, StartedPrometheus } from '../support/prometheus';

const ALERT_RULES = path.resolve(__dirname, '../../deploy/prometheus/berth-alerts.yml');

// What the stand-in target serves: one value to read back, and the Docker gauge at 0 so that
// the deploy rules have an alert to put in pending.
const EXPOSITION = [
  '# HELP selftest_answer A fixed value for the helper to read back.',
  '# TYPE selftest_answer gauge',
  'selftest_answer{kind="Application"} 42',
  '# HELP berth_docker_up 1 when the Docker engine answered the last request, else 0.',
  '# TYPE berth_docker_up gauge',
  'berth_docker_up 0',
  '',
].join('\n');

describe('prometheus helper', () => {
  let target: http.Server;
  let targetAddress: string;
  let prometheus: StartedPrometheus | undefined;

  beforeAll(async () => {
    target = http.createServer((req, res) => {
      const found = req.url === '/metrics';
      res.writeHead(found ? 200 : 404, { 'Content-Type': 'text/plain; version=0.0.4' });
      res.end(found ? EXPOSITION : 'not found\n');
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    targetAddress = `127.0.0.1:${(target.address() as net.AddressInfo).port}`;

    prometheus = await startPrometheus({ target: targetAddress, ruleFiles: [ALERT_RULES] });
  });

  afterAll(async () => {
    await prometheus?.stop();
    await new Promise((resolve) => target?.close(resolve));
  });

  it('reads back a value the target serves, with the job and instance labels', async () => {
    const samples = await prometheus!.waitForSamples('selftest_answer');

    expect(samples).toEqual([
      {
        metric: {
          __name__: 'selftest_answer',
          job: 'berth',
          instance: targetAddress,
          kind: 'Application',
        },
        value: 42,
      },
    ]);
    expect(await prometheus!.query('up')).toEqual([expect.objectContaining({ value: 1 })]);
  });

  it('loads the deploy alert rules and evaluates them against the target', async () => {
    const alerts = await prometheus!.waitForSamples('ALERTS{alertname="BerthDockerDown"}');

    // `for: 2m` keeps it pending for the length of this test.
    expect(alerts.map((a) => a.metric.alertstate)).toEqual(['pending']);
    expect(alerts[0].metric.instance).toBe(targetAddress);
  });

  it('stop() ends Prometheus and removes its folder', async () => {
    const { url, dir } = prometheus!;

    await prometheus!.stop();

    expect(fs.existsSync(dir)).toBe(false);
    await expect(fetch(`${url}/-/ready`)).rejects.toThrow();
    await prometheus!.stop(); // a second stop is harmless
  });

  it('says how to install Prometheus when the binary is missing', async () => {
    const start = startPrometheus({ target: targetAddress, binary: 'no-such-prometheus' });

    await expect(start).rejects.toThrow(/no executable 'no-such-prometheus'.*apt-get install/);
  });

  it('refuses a target that is not on loopback, before starting anything', async () => {
    const start = startPrometheus({ target: '192.0.2.1:9469' });

    await expect(start).rejects.toThrow(/not 127\.0\.0\.1:PORT/);
  });
});
