import { DockerEvent } from '../../src/agent/docker-link';
import { OwnWork, wantsPass } from '../../src/agent/events';
import { LABEL, ownerLabels } from '../../src/labels';

const SERVER = 'web-1';
const WEB_ID = 'c'.repeat(64);
const NET_ID = 'n'.repeat(64);
const networkIds = new Set([NET_ID]);

/** A container event as Docker sends it: the labels among the actor's attributes. */
function containerEvent(action: string, labels: Record<string, string>, id = WEB_ID): DockerEvent {
  return {
    Type: 'container',
    Action: action,
    Actor: { ID: id, Attributes: { ...labels, name: 'web', image: 'berth-busybox:latest' } },
    timeNano: 1,
  };
}

/** A network event: no labels, the container's ID among the attributes. */
function networkEvent(action: string, id = NET_ID, container = WEB_ID): DockerEvent {
  return {
    Type: 'network',
    Action: action,
    Actor: { ID: id, Attributes: { container, name: 'prod-net', type: 'bridge' } },
  };
}

const berths = ownerLabels(SERVER, 'Application', 'web');
const noWork: OwnWork | null = null;

describe('wantsPass', () => {
  it("asks for a pass on a change to one of berth's containers of this server", () => {
    for (const action of ['die', 'destroy', 'stop', 'kill', 'start', 'pause', 'unpause']) {
      expect([
        action,
        wantsPass(containerEvent(action, berths), SERVER, networkIds, noWork),
      ]).toEqual([action, true]);
    }
  });

  it('asks for a pass when a healthcheck verdict changes', () => {
    const e = containerEvent('health_status: unhealthy', berths);

    expect(wantsPass(e, SERVER, networkIds, noWork)).toBe(true);
  });

  it('ignores container actions that change nothing berth converges', () => {
    for (const action of ['create', 'attach', 'exec_start: sh', 'top', 'resize']) {
      expect([
        action,
        wantsPass(containerEvent(action, berths), SERVER, networkIds, noWork),
      ]).toEqual([action, false]);
    }
  });

  it("ignores another server's containers and containers without berth's labels", () => {
    const other = ownerLabels('web-2', 'Application', 'web');
    const unmanaged = { ...berths, [LABEL.managed]: 'false' };

    for (const labels of [other, unmanaged, {}, { [LABEL.server]: SERVER }]) {
      expect(wantsPass(containerEvent('die', labels), SERVER, networkIds, noWork)).toBe(false);
    }
  });

  it('ignores a container event with no attributes at all', () => {
    const bare: DockerEvent = { Type: 'container', Action: 'die', Actor: { ID: WEB_ID } };

    expect(wantsPass(bare, SERVER, networkIds, noWork)).toBe(false);
  });

  it("asks for a pass when a container leaves one of berth's networks, or it goes", () => {
    expect(wantsPass(networkEvent('disconnect'), SERVER, networkIds, noWork)).toBe(true);
    expect(wantsPass(networkEvent('destroy'), SERVER, networkIds, noWork)).toBe(true);
  });

  it('matches network events by network ID only: other networks are ignored', () => {
    const elsewhere = networkEvent('disconnect', 'x'.repeat(64));
    // Network events carry no labels: a name that looks like berth's own proves nothing.
    const sameName = { ...elsewhere, Actor: { ...elsewhere.Actor, Attributes: { ...berths } } };

    expect(wantsPass(elsewhere, SERVER, networkIds, noWork)).toBe(false);
    expect(wantsPass(sameName, SERVER, networkIds, noWork)).toBe(false);
    expect(wantsPass(networkEvent('disconnect'), SERVER, new Set(), noWork)).toBe(false);
  });

  it('ignores network actions that take nothing away', () => {
    for (const action of ['connect', 'create']) {
      expect(wantsPass(networkEvent(action), SERVER, networkIds, noWork)).toBe(false);
    }
  });

  it("ignores the events of berth's own work, by container ID, container name or network", () => {
    const own: OwnWork = { containers: new Set([WEB_ID]), networks: new Set() };
    const byName: OwnWork = { containers: new Set(['web']), networks: new Set() };
    const byNetwork: OwnWork = { containers: new Set(), networks: new Set([NET_ID]) };

    expect(wantsPass(containerEvent('stop', berths), SERVER, networkIds, own)).toBe(false);
    expect(wantsPass(containerEvent('stop', berths), SERVER, networkIds, byName)).toBe(false);
    expect(wantsPass(networkEvent('disconnect'), SERVER, networkIds, own)).toBe(false);
    expect(wantsPass(networkEvent('destroy'), SERVER, networkIds, byNetwork)).toBe(false);
  });

  it("still asks for a pass on berth's objects that its own work does not touch", () => {
    const own: OwnWork = { containers: new Set(['db', 'd'.repeat(64)]), networks: new Set(['x']) };

    expect(wantsPass(containerEvent('die', berths), SERVER, networkIds, own)).toBe(true);
    expect(wantsPass(networkEvent('disconnect'), SERVER, networkIds, own)).toBe(true);
  });

  it('ignores other event types (images, volumes, daemon)', () => {
    for (const Type of ['image', 'volume', 'daemon', 'plugin']) {
      const e: DockerEvent = { Type, Action: 'destroy', Actor: { ID: NET_ID, Attributes: berths } };
      expect(wantsPass(e, SERVER, networkIds, noWork)).toBe(false);
    }
  });
});
