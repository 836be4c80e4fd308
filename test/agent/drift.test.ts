import { driftOf } from '../../src/agent/drift';
import { LABEL } from '../../src/labels';
import { DesiredState, ObservedState } from '../../src/model';
import { DEFAULT_PRUNE_GUARD, plan } from '../../src/plan/plan';
import { app, converged, dest, desiredOf, foreign, SERVER } from '../plan/build';

const prod = dest('prod');
const staging = dest('staging');
const web = app('web', prod, {
  attachments: [
    { destination: 'prod', network: 'prod-net', aliases: ['api'] },
    { destination: 'staging', network: 'staging-net', aliases: [] },
  ],
});
const desired = desiredOf([prod, staging], [web, app('db', prod)]);

/**
 * The drift the next pass corrects: the planner's actions on `now`, judged against `before`
 * (the engine as the last pass left it), as `kind resource: reason` lines.
 */
function drift(want: DesiredState, before: ObservedState | null, now: ObservedState): string[] {
  const { actions } = plan(want, now, {
    server: SERVER,
    pruneGuard: DEFAULT_PRUNE_GUARD,
    allowMassPrune: false,
  });
  expect(actions.length).toBeGreaterThan(0); // the pass does act: only whether it is drift varies
  return driftOf(actions, before, SERVER).map((d) => `${d.kind} ${d.resource}: ${d.reason}`);
}

/** `before` changed by hand: a deep copy, bent by `edit`. */
function byHand(before: ObservedState, edit: (s: ObservedState) => void): ObservedState {
  const now = structuredClone(before);
  edit(now);
  return now;
}

const container = (s: ObservedState, name: string) => s.containers.find((c) => c.name === name)!;

describe('driftOf', () => {
  const before = converged(desired);

  it('a container removed by hand is container-missing', () => {
    const now = byHand(before, (s) => (s.containers = s.containers.filter((c) => c.name !== 'db')));

    expect(drift(desired, before, now)).toEqual(['Application db: container-missing']);
  });

  it('a container stopped by hand is container-stopped', () => {
    const now = byHand(before, (s) => {
      Object.assign(container(s, 'db'), { state: 'exited', exitCode: 137 });
    });

    expect(drift(desired, before, now)).toEqual(['Application db: container-stopped']);
  });

  it('a container disconnected from a network by hand is network-detached', () => {
    const now = byHand(before, (s) => delete container(s, 'web').networks['staging-net']);

    expect(drift(desired, before, now)).toEqual(['Application web: network-detached']);
  });

  it('a network removed by hand is network-missing, and its containers network-detached', () => {
    // Docker removes a network only once nothing is attached: its containers left it first.
    const now = byHand(before, (s) => {
      s.networks = s.networks.filter((n) => n.name !== 'staging-net');
      for (const c of s.containers) delete c.networks['staging-net'];
    });

    expect(drift(desired, before, now)).toEqual([
      'Destination staging: network-missing',
      'Application web: network-detached',
    ]);
  });

  it('the first pass corrects no drift: there is no state to compare with', () => {
    const empty: ObservedState = { containers: [], networks: [], volumes: [], images: {} };

    expect(drift(desired, null, empty)).toEqual([]);
  });

  it('what a spec change adds is not drift: new destination, new resource, new attachment', () => {
    const small = desiredOf([prod], [app('web', prod), app('db', prod)]);
    const afterSmall = converged(small);

    expect(drift(desired, afterSmall, afterSmall)).toEqual([]);
  });

  it('a recreate that follows a spec change is not drift', () => {
    const changed = desiredOf(
      [prod, staging],
      [web, app('db', prod, {}, { image: 'berth-busybox:2' })],
    );

    expect(drift(changed, before, before)).toEqual([]);
  });

  it('finishing what the last pass left undone is not drift', () => {
    // The last pass ended with db created but not started, and web not created at all.
    const undone = byHand(before, (s) => {
      s.containers = s.containers.filter((c) => c.name !== 'web');
      Object.assign(container(s, 'db'), { state: 'created' });
    });

    expect(drift(desired, undone, undone)).toEqual([]);
  });

  it("objects of another server or without berth's labels were never berth's to lose", () => {
    const other = byHand(before, (s) => {
      for (const c of s.containers) c.labels[LABEL.server] = 'web-2';
      for (const n of s.networks) n.labels[LABEL.server] = 'web-2';
    });
    const foreignDb = byHand(before, (s) => {
      s.containers = [...s.containers.filter((c) => c.name !== 'db'), foreign('db')];
    });
    const empty: ObservedState = { ...before, containers: [], networks: [] };
    const noDb = byHand(
      before,
      (s) => (s.containers = s.containers.filter((c) => c.name !== 'db')),
    );

    expect(drift(desired, other, empty)).toEqual([]);
    expect(drift(desired, foreignDb, noDb)).toEqual([]);
  });
});
