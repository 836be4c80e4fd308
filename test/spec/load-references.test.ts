import { app, destination, load } from './helpers';

describe('references from resources to destinations', () => {
  it('reports a destination that no spec declares, and still records the reference', async () => {
    const result = await load({
      'prod.yaml': destination('prod'),
      'web.yaml': app('web', ['destination: production', 'image: nginx']),
    });

    expect(result.messages).toEqual([
      "specs/web.yaml:6 spec.destination: destination 'production' is not declared: add a " +
        "Destination named 'production' or fix the name",
    ]);
    expect(result.errors[0].code).toBe('SPEC_REFERENCE');
    expect(result.desired.containers).toEqual([]);
    expect(result.desired.destinationRefs).toEqual({ production: ['web'] });
  });

  it('requires a destination when the specs declare two', async () => {
    const result = await load({
      'dest.yaml': destination('prod') + '---\n' + destination('staging'),
      'web.yaml': app('web', ['image: nginx']),
    });

    expect(result.messages).toEqual([
      'specs/web.yaml:5 spec.destination: must name a destination: it may be left out only when ' +
        'the specs declare exactly one, and they declare 2 (prod, staging)',
    ]);
    expect(result.errors[0].code).toBe('SPEC_REFERENCE');
    expect(result.desired.destinationRefs).toEqual({});
  });

  it('says to add a destination when the specs declare none', async () => {
    const result = await load({ 'web.yaml': app('web', ['image: nginx']) });

    expect(result.messages).toEqual([
      'specs/web.yaml:5 spec.destination: no Destination is declared in the specs: add one, ' +
        'and name it here',
    ]);
  });

  it('refuses a resource whose destination has errors, naming where they are', async () => {
    const result = await load({
      'prod.yaml': destination('prod', 'ipam: { subnet: 10.0.0.1/24, gateway: 10.1.0.1 }'),
      'web.yaml': app('web', ['image: nginx']),
    });

    expect(result.messages).toEqual([
      'specs/prod.yaml:6 spec.ipam.gateway: 10.1.0.1 is not inside the subnet 10.0.0.1/24',
      "specs/prod.yaml:6 spec.ipam.subnet: '10.0.0.1/24' has host bits set: write 10.0.0.0/24",
      "specs/web.yaml:5 spec.destination: destination 'prod' has errors (specs/prod.yaml:1): fix " +
        'them first',
    ]);
    expect(result.desired.destinations).toEqual([]);
    expect(result.desired.containers).toEqual([]);
    expect(result.desired.destinationRefs).toEqual({ prod: ['web'] });
  });

  it('checks extra destinations: declared, other than its own, on the same server', async () => {
    const result = await load({
      'dest.yaml': [
        destination('prod'),
        destination('far', 'server: web-2'),
        destination('shared'),
      ].join('---\n'),
      'web.yaml': app('web', [
        'destination: prod',
        'image: nginx',
        'extraDestinations: [prod, far, nope, shared]',
      ]),
    });

    expect(result.messages).toEqual([
      "specs/web.yaml:8 spec.extraDestinations[0]: 'prod' is already this resource's destination",
      "specs/web.yaml:8 spec.extraDestinations[1]: destination 'far' is on server 'web-2', but " +
        "'web' runs on 'web-1' (destination 'prod'): a container joins networks of its own " +
        'server only',
      "specs/web.yaml:8 spec.extraDestinations[2]: destination 'nope' is not declared: add a " +
        "Destination named 'nope' or fix the name",
    ]);
    expect(result.desired.destinationRefs).toEqual({
      nope: ['web'],
      prod: ['web'],
      shared: ['web'],
    });
  });

  it('records references of invalid resources too', async () => {
    const result = await load({
      'prod.yaml': destination('prod'),
      'web.yaml': app('web', ['destination: prod', 'image: NGINX']),
      'db.yaml': app('db', ['destination: prod', 'image: postgres', 'bogus: 1'], 'Database'),
    });

    expect(result.messages).toHaveLength(2);
    expect(result.desired.containers).toEqual([]);
    expect(result.desired.destinations.map((d) => d.name)).toEqual(['prod']);
    expect(result.desired.destinationRefs).toEqual({ prod: ['db', 'web'] });
  });
});

describe('namespaces and Docker names', () => {
  it('refuses an application and a database of one name on one server, naming both', async () => {
    const result = await load({
      'prod.yaml': destination('prod'),
      'a/web.yaml': app('web', ['image: nginx']),
      'b/web.yaml': app('web', ['image: postgres'], 'Database'),
    });

    expect(result.messages).toEqual([
      "specs/b/web.yaml:4 metadata.name: container name 'web' is already used by Application " +
        "'web' at specs/a/web.yaml:1 (Docker names are unique per server)",
    ]);
    expect(result.errors[0].code).toBe('SPEC_NAME');
    expect(result.desired.containers.map((c) => [c.name, c.kind])).toEqual([
      ['web', 'Application'],
    ]);
    expect(result.desired.complete).toBe(false);
  });

  it('allows one name on two servers', async () => {
    const result = await load({
      'dest.yaml': destination('here') + '---\n' + destination('there', 'server: web-2'),
      'web.yaml': [
        app('web', ['destination: here', 'image: nginx']),
        app('web', ['destination: there', 'image: nginx']),
      ].join('---\n'),
    });

    expect(result.messages).toEqual([]);
    expect(result.desired.containers.map((c) => c.destination)).toEqual(['here']);
  });

  it('refuses two destinations of one name, even on different servers', async () => {
    const result = await load({
      'a.yaml': destination('prod'),
      'b.yaml': destination('prod', 'server: web-2'),
    });

    expect(result.messages).toEqual([
      "specs/b.yaml:4 metadata.name: destination 'prod' is already declared at specs/a.yaml:1",
    ]);
    expect(result.desired.destinations.map((d) => d.name)).toEqual(['prod']);
  });

  it('refuses two destinations of one server on one Docker network', async () => {
    const result = await load({
      'a.yaml': destination('prod', 'network: shared-net'),
      'b.yaml': destination('shared-net'),
      'c.yaml': destination('elsewhere', 'server: web-2', 'network: shared-net'),
    });

    expect(result.messages).toEqual([
      "specs/b.yaml:4 metadata.name: network 'shared-net' is already used by destination 'prod' " +
        'at specs/a.yaml:1',
    ]);
    expect(result.desired.destinations.map((d) => d.name)).toEqual(['prod']);
  });

  it("reserves the '--next' suffix for replacement containers", async () => {
    const result = await load({
      'prod.yaml': destination('prod'),
      'web.yaml': app('web--next', ['image: nginx']),
    });

    expect(result.messages).toEqual([
      "specs/web.yaml:4 metadata.name: names ending in '--next' are reserved for the replacement " +
        'container while berth recreates one: choose another name',
    ]);
    expect(result.errors[0].code).toBe('SPEC_NAME');
  });

  it('refuses a one-letter resource name, which Docker cannot use for a container', async () => {
    const result = await load({
      'prod.yaml': destination('prod'),
      'web.yaml': app('w', ['image: nginx']),
    });

    expect(result.messages).toEqual([
      "specs/web.yaml:4 metadata.name: container name 'w' is not valid: Docker needs at least 2 " +
        'characters',
    ]);
  });

  it('sorts errors by file, then line', async () => {
    const result = await load({
      'prod.yaml': destination('prod'),
      'b.yaml': app('bb', ['image: nginx', 'x: 1']),
      'a.yaml': app('aa', ['image: nginx', 'y: 1']) + '---\n' + app('ab', ['image: nginx']),
      'c.yaml': app('aa', ['image: nginx']),
    });

    expect(result.messages).toEqual([
      "specs/a.yaml:7 spec: unknown field 'y'",
      "specs/b.yaml:7 spec: unknown field 'x'",
      "specs/c.yaml:4 metadata.name: container name 'aa' is already used by Application 'aa' " +
        'at specs/a.yaml:1 (Docker names are unique per server)',
    ]);
    expect(result.desired.containers.map((c) => c.name)).toEqual(['ab']);
  });
});
