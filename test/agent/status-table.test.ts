import { renderStatus } from '../../src/agent/status-table';
import { StatusDocument } from '../../src/agent/view';

const doc: StatusDocument = {
  server: 'web-1',
  ready: false,
  docker: { up: true, reason: null },
  lastPass: {
    id: 7,
    trigger: 'queue',
    startedAt: '2026-12-04T05:00:00.000Z',
    durationMs: 42,
    result: 'changed',
    error: null,
  },
  lastSuccess: '2026-12-04T05:00:00.042Z',
  specErrors: [
    {
      file: 'specs/web.yaml',
      line: 9,
      field: 'spec.ports[0]',
      code: 'SPEC_SCHEMA',
      message: 'specs/web.yaml:9 spec.ports[0]: must be a string',
    },
  ],
  problems: [
    {
      level: 'warning',
      code: 'PRUNE_HELD',
      kind: 'Server',
      resource: 'web-1',
      message: '1 removal(s) held back while spec files are invalid: worker',
    },
  ],
  destinations: [
    {
      name: 'production',
      network: 'prod-net',
      networkId: '0123456789abcdef0123',
      address: '10.200.3.1',
      containers: ['db', 'web'],
    },
    { name: 'staging', network: 'staging', networkId: null, address: null, containers: [] },
  ],
  resources: [
    {
      kind: 'Application',
      resource: 'web',
      destination: 'production',
      status: 'Invalid',
      reason: 'specs/web.yaml:9 spec.ports[0]: must be a string (its last good spec runs)',
      healthy: false,
      health: 'healthy',
      specHash: '1-0123456789abcdef0123456789abcdef',
      lastChange: '2026-12-04T04:00:00.000Z',
      envKeys: [],
      containers: [],
    },
  ],
};

test('berth status prints a header, the spec errors, destinations and resources', () => {
  expect(renderStatus(doc)).toBe(
    [
      'server web-1: NOT READY, Docker up, last pass #7 changed at 2026-12-04T05:00:00.000Z (42 ms)',
      'spec error: specs/web.yaml:9 spec.ports[0]: must be a string [SPEC_SCHEMA]',
      'warning: Server web-1: 1 removal(s) held back while spec files are invalid: worker [PRUNE_HELD]',
      '',
      'DESTINATION  NETWORK   NETWORK ID    ADDRESS     CONTAINERS',
      'production   prod-net  0123456789ab  10.200.3.1  db,web',
      'staging      staging   -             -           -',
      '',
      'RESOURCE  KIND         DESTINATION  STATUS   HEALTH   SPEC HASH       LAST CHANGE' +
        '               REASON',
      'web       Application  production   Invalid  healthy  1-0123456789ab  ' +
        '2026-12-04T04:00:00.000Z  specs/web.yaml:9 spec.ports[0]: must be a string (its last ' +
        'good spec runs)',
      '',
    ].join('\n'),
  );
});

test('berth status lists each stack service with its container, state and health', () => {
  const stack: StatusDocument['resources'][number] = {
    kind: 'Stack',
    resource: 'shop',
    destination: 'production',
    status: 'Degraded',
    reason: 'service app (container shop-app) exited (code 1)',
    healthy: false,
    health: 'healthy',
    specHash: '1-aa,1-bb',
    lastChange: null,
    envKeys: ['WHO'],
    containers: [
      {
        name: 'shop-db',
        service: 'db',
        id: 'd1',
        state: 'running',
        health: 'healthy',
        exitCode: null,
      },
      { name: 'shop-app', service: 'app', id: 'a1', state: 'exited', health: null, exitCode: 1 },
    ],
  };

  const text = renderStatus({ ...doc, specErrors: [], resources: [stack] });

  expect(text.split('\n').slice(-5)).toEqual([
    '',
    'STACK  SERVICE  CONTAINER  STATE       HEALTH',
    'shop   db       shop-db    running     healthy',
    'shop   app      shop-app   exited (1)  -',
    '',
  ]);
});
