import { DesiredContainer, DesiredState, ObservedState } from '../../src/model';
import { DEFAULT_PRUNE_GUARD, plan } from '../../src/plan/plan';
import { renderPlan } from '../../src/plan/render';
import {
  app,
  converged,
  dest,
  desiredOf,
  foreign,
  stackNetwork,
  stackService,
  SERVER,
} from './build';

const prod = dest('prod');
const empty: ObservedState = { containers: [], networks: [], volumes: [], images: {} };

function render(desired: DesiredState, observed: ObservedState): string {
  const options = { server: SERVER, pruneGuard: DEFAULT_PRUNE_GUARD, allowMassPrune: false };
  return renderPlan(plan(desired, observed, options));
}

/** Stack `mon`: `app` depends on a healthy `db`; both on mon_default. */
function mon(over: { app?: Partial<DesiredContainer>; db?: Partial<DesiredContainer> } = {}) {
  const db = stackService('mon', 'db', prod, { volumes: ['mon_data'], ...over.db });
  const dependsOn = [{ service: 'db', container: 'mon-db', condition: 'service_healthy' as const }];
  const service = { name: 'app', order: 1, dependsOn, healthTimeoutMs: 5000 };
  const appC = stackService('mon', 'app', prod, { service, ...over.app });
  return { containers: [appC, db], networks: [stackNetwork('mon', 'prod')] };
}

function desired(...stacks: ReturnType<typeof mon>[]): DesiredState {
  const d = desiredOf(
    [prod],
    stacks.flatMap((s) => s.containers),
  );
  return { ...d, stackNetworks: stacks.flatMap((s) => s.networks) };
}

describe('planner: stacks', () => {
  test('an empty engine gets the stack network, volumes, then services in depends_on order', () => {
    expect(render(desired(mon()), empty)).toBe(
      [
        '+ Destination prod: create network prod-net (new destination)',
        '+ Stack mon: create network mon_default (stack network missing)',
        '+ Stack mon: create volume mon_data (named volume missing)',
        '+ Stack mon/db: create container mon-db (container missing)',
        '* Stack mon/app: wait until mon-db is healthy (depends_on db: service_healthy)',
        '+ Stack mon/app: create container mon-app (container missing)',
        'Plan: 5 to create, 0 to change, 0 to remove.',
        '',
      ].join('\n'),
    );
  });

  test('a converged stack plans nothing, and a running dependent waits for nothing', () => {
    const d = desired(mon());
    expect(render(d, converged(d))).toBe('No changes. Docker matches the specs.\n');
  });

  test('a changed service recreates only its container', () => {
    const before = desired(mon());
    const after = desired(mon({ db: { config: { ...before.containers[1].config, user: '1' } } }));
    expect(render(after, converged(before))).toMatch(
      /^~ Stack mon\/db: recreate container mon-db \(spec changed \(hash 2-\w+ → 2-\w+\)\)\n/,
    );
    expect(render(after, converged(before)).split('\n')).toHaveLength(3);
  });

  test('connectToDestinationNetwork on and off connects and disconnects, never recreates', () => {
    const off = desired(mon());
    const onNet = { destination: 'prod', network: 'prod-net', aliases: [] };
    const [a, db] = off.containers;
    const on = desired({
      containers: [
        { ...a, attachments: [...a.attachments, onNet] },
        { ...db, attachments: [...db.attachments, onNet] },
      ],
      networks: [stackNetwork('mon', 'prod')],
    });
    expect(render(on, converged(off))).toBe(
      [
        '+ Stack mon/db: connect mon-db to prod-net (not attached to prod-net (destination prod))',
        '+ Stack mon/app: connect mon-app to prod-net (not attached to prod-net ' +
          '(destination prod))',
        'Plan: 0 to create, 2 to change, 0 to remove.',
        '',
      ].join('\n'),
    );
    expect(render(off, converged(on))).toBe(
      [
        '- Stack mon/db: disconnect mon-db from prod-net (destination prod no longer joined by ' +
          'the stack)',
        '- Stack mon/app: disconnect mon-app from prod-net (destination prod no longer joined ' +
          'by the stack)',
        'Plan: 0 to create, 0 to change, 2 to remove.',
        '',
      ].join('\n'),
    );
  });

  test('a service dropped from the compose document is removed; its volume stays', () => {
    const before = desired(mon());
    const after = desired({
      containers: [before.containers[0]],
      networks: before.stackNetworks ?? [],
    });
    expect(render(after, converged(before))).toBe(
      '- Stack mon/db: remove container mon-db (service no longer in the compose document; its ' +
        'named volumes are kept)\nPlan: 0 to create, 0 to change, 1 to remove.\n',
    );
  });

  test('a removed stack takes its containers and networks, not its volumes', () => {
    const before = desired(mon(), { containers: [app('keep1', prod)], networks: [] });
    const others = [app('keep1', prod), app('keep2', prod), app('keep3', prod)];
    const observed = converged({
      ...before,
      containers: [...before.containers, ...others.slice(1)],
    });
    const after = { ...desiredOf([prod], others), stackNetworks: [] };
    expect(render(after, observed)).toBe(
      [
        '- Stack mon/app: remove container mon-app (resource no longer declared; its named ' +
          'volumes are kept)',
        '- Stack mon/db: remove container mon-db (resource no longer declared; its named volumes ' +
          'are kept)',
        '- Stack mon: remove network mon_default (no longer declared by its stack)',
        'Plan: 0 to create, 0 to change, 3 to remove.',
        '',
      ].join('\n'),
    );
  });

  test('a foreign container keeps a stack network; a foreign network of its name blocks', () => {
    const before = desired(mon());
    const observed = converged(before);
    observed.containers.push(foreign('stray', ['mon_default']));
    expect(render({ ...desiredOf([prod], []), stackNetworks: [] }, observed)).toContain(
      "! warning Stack mon: stack network 'mon_default' kept: containers still on it: stray; " +
        'it goes once they leave [NETWORK_FOREIGN]',
    );

    const clash = converged(desiredOf([prod], []));
    clash.networks.push({ ...observed.networks[1], labels: {} });
    const text = render(before, clash);
    expect(text).toContain("! error Stack mon: network 'mon_default' exists but is not berth's");
    expect(text).not.toContain('create container mon-db');
  });

  test('a stack network of another stack is left alone by this stack', () => {
    const d = desired(mon());
    const observed = converged(d);
    const a = observed.containers.find((c) => c.name === 'mon-app');
    if (!a) throw new Error('no mon-app');
    a.networks['other_default'] = { networkId: 'net-o', endpointId: 'ep-o', aliases: [] };
    expect(render(d, observed)).toBe('No changes. Docker matches the specs.\n');
  });

  test('aliases on the stack network are corrected in place', () => {
    const d = desired(mon());
    const observed = converged(d);
    const db = observed.containers.find((c) => c.name === 'mon-db');
    if (!db) throw new Error('no mon-db');
    db.networks['mon_default'].aliases = ['db', 'mon-db'];
    expect(render(d, observed)).toBe(
      '~ Stack mon/db: set aliases of mon-db on mon_default as db (aliases on mon_default ' +
        '[db, mon-db] → [db])\nPlan: 0 to create, 1 to change, 0 to remove.\n',
    );
  });
});

describe('planner: stack aliases', () => {
  test('the hostname Docker adds to each endpoint of a service is not a change of aliases', () => {
    const hostname = { ...stackService('mon', 'db', prod).config.service!, hostname: 'db-host' };
    const db = stackService('mon', 'db', prod, {}, { service: hostname });
    const d = { ...desiredOf([prod], [db]), stackNetworks: [stackNetwork('mon', 'prod')] };
    const observed = converged(d);
    observed.containers[0].networks['mon_default'].aliases = ['db', 'db-host'];

    expect(render(d, observed)).toBe('No changes. Docker matches the specs.\n');

    observed.containers[0].networks['mon_default'].aliases = ['db-host'];
    expect(render(d, observed)).toBe(
      [
        '~ Stack mon/db: set aliases of mon-db on mon_default as db (aliases on mon_default ' +
          '[db-host] → [db])',
        'Plan: 0 to create, 1 to change, 0 to remove.',
        '',
      ].join('\n'),
    );
  });
});

describe('planner: a suspended stack', () => {
  test('is left exactly as it is, each service standing Suspended', () => {
    const before = desired(mon());
    const suspended = desired(mon({ app: { suspend: true }, db: { suspend: true } }));
    const changed = suspended.containers.map((c) => ({ ...c, config: { ...c.config, user: '1' } }));

    expect(render({ ...suspended, containers: changed }, converged(before))).toBe(
      [
        '= Stack mon/db: suspended',
        '= Stack mon/app: suspended',
        'No changes. Docker matches the specs.',
        '',
      ].join('\n'),
    );
  });
});
