import { DesiredState, ObservedState } from '../../src/model';
import { DEFAULT_PRUNE_GUARD, plan } from '../../src/plan/plan';
import { renderPlan } from '../../src/plan/render';
import { app, converged, dest, desiredOf, foreign, observedContainer, SERVER } from './build';

const prod = dest('prod');
const staging = dest('staging');

function render(desired: DesiredState, observed: ObservedState, allowMassPrune = false): string {
  return renderPlan(
    plan(desired, observed, { server: SERVER, pruneGuard: DEFAULT_PRUNE_GUARD, allowMassPrune }),
  );
}

const empty: ObservedState = { containers: [], networks: [], volumes: [], images: {} };

describe('planner', () => {
  test('an empty engine gets networks, volumes, then containers, in order', () => {
    const web = app('web', prod, {
      volumes: ['web_data'],
      attachments: [
        { destination: 'prod', network: 'prod-net', aliases: ['api'] },
        { destination: 'staging', network: 'staging-net', aliases: [] },
      ],
    });
    const desired = desiredOf([prod, staging], [web, app('db', prod)]);
    expect(render(desired, empty)).toBe(
      [
        '+ Destination prod: create network prod-net (new destination)',
        '+ Destination staging: create network staging-net (new destination)',
        '+ Application web: create volume web_data (named volume missing)',
        '+ Application db: create container db (container missing)',
        '+ Application web: create container web (container missing)',
        'Plan: 5 to create, 0 to change, 0 to remove.',
        '',
      ].join('\n'),
    );
  });

  test('a converged engine plans nothing', () => {
    const desired = desiredOf([prod, staging], [app('web', prod), app('db', staging)]);
    expect(render(desired, converged(desired))).toBe('No changes. Docker matches the specs.\n');
  });

  test('with spec errors, a plan with nothing to do never claims Docker matches the specs', () => {
    const desired = desiredOf([prod], [app('web', prod)]);
    const p = plan({ ...desired, complete: false }, converged(desired), {
      server: SERVER,
      pruneGuard: DEFAULT_PRUNE_GUARD,
      allowMassPrune: false,
    });
    expect(renderPlan(p, 'none', true)).toBe(
      'No changes planned; see the warnings and errors above.\n',
    );
  });

  test('the same input gives the same plan whatever the order of observed objects', () => {
    const desired = desiredOf([prod], [app('a', prod), app('b', prod), app('c', prod)]);
    const observed = converged(desiredOf([prod], []));
    const reversed = { ...observed, containers: [...observed.containers].reverse() };
    expect(render(desired, observed)).toBe(render(desired, reversed));
  });

  test('a changed image recreates that container only, with the reason', () => {
    const before = desiredOf([prod], [app('web', prod), app('db', prod)]);
    const after = desiredOf(
      [prod],
      [app('web', prod, {}, { image: 'berth-busybox:2' }), app('db', prod)],
    );
    expect(render(after, converged(before))).toBe(
      '~ Application web: recreate container web (image changed berth-busybox:latest → ' +
        'berth-busybox:2)\nPlan: 0 to create, 1 to change, 0 to remove.\n',
    );
  });

  test('a changed command recreates, naming both hashes', () => {
    const before = desiredOf([prod], [app('web', prod)]);
    const after = desiredOf([prod], [app('web', prod, {}, { command: ['sleep', '1'] })]);
    expect(render(after, converged(before))).toMatch(
      /^~ Application web: recreate container web \(command changed \(hash 1-[0-9a-f]{32} → 1-[0-9a-f]{32}\)\)\n/,
    );
  });

  test('a tag that now points at another image recreates', () => {
    const desired = desiredOf([prod], [app('web', prod)]);
    const observed = converged(desired);
    observed.images['berth-busybox:latest'] = 'sha256:' + 'b'.repeat(64);
    expect(render(desired, observed)).toBe(
      '~ Application web: recreate container web (image berth-busybox:latest now points at ' +
        'bbbbbbbbbbbb (runs aaaaaaaaaaaa))\nPlan: 0 to create, 1 to change, 0 to remove.\n',
    );
  });

  test('display name and pull policy changes recreate nothing', () => {
    const before = desiredOf([prod], [app('web', prod)]);
    const after = desiredOf(
      [{ ...prod, displayName: 'Production' }],
      [app('web', prod, { displayName: 'Web', pullPolicy: 'Never' })],
    );
    expect(render(after, converged(before))).toBe('No changes. Docker matches the specs.\n');
  });

  test('aliases and extra destinations change in place, never by recreating', () => {
    const before = desiredOf([prod, staging], [app('web', prod)]);
    const web = app('web', prod, {
      attachments: [
        { destination: 'prod', network: 'prod-net', aliases: ['api'] },
        { destination: 'staging', network: 'staging-net', aliases: [] },
      ],
    });
    expect(render(desiredOf([prod, staging], [web]), converged(before))).toBe(
      [
        '~ Application web: set aliases of web on prod-net as api (aliases on prod-net [] → [api])',
        '+ Application web: connect web to staging-net (not attached to staging-net (destination staging))',
        'Plan: 0 to create, 2 to change, 0 to remove.',
        '',
      ].join('\n'),
    );
    const back = converged(desiredOf([prod, staging], [web]));
    expect(render(before, back)).toBe(
      [
        '~ Application web: set aliases of web on prod-net (aliases on prod-net [api] → [])',
        '- Application web: disconnect web from staging-net (destination staging no longer listed)',
        'Plan: 0 to create, 1 to change, 1 to remove.',
        '',
      ].join('\n'),
    );
  });

  test('a stopped container under unless-stopped starts; one-shot exits are left', () => {
    const desired = desiredOf(
      [prod],
      [
        app('web', prod),
        app('job', prod, {}, { restart: 'no' }),
        app('bad', prod, {}, { restart: 'no' }),
      ],
    );
    const observed = converged(desired);
    for (const c of observed.containers) {
      c.state = 'exited';
      c.exitCode = c.name === 'bad' ? 3 : 0;
    }
    expect(render(desired, observed)).toBe(
      [
        '> Application web: start container web (container stopped (exited, exit code 0))',
        '= Application bad: exited',
        '= Application job: completed',
        'Plan: 0 to create, 1 to change, 0 to remove.',
        '',
      ].join('\n'),
    );
  });

  test('revive starts what the engine stopped, whatever the policy, but not a finished job', () => {
    const desired = desiredOf(
      [prod],
      [app('svc', prod, {}, { restart: 'no' }), app('job', prod, {}, { restart: 'no' })],
    );
    const observed = converged(desired);
    for (const c of observed.containers) {
      c.state = 'exited';
      c.exitCode = c.name === 'svc' ? 137 : 0;
    }
    const revive = observed.containers.map((c) => c.id);
    const opts = { server: SERVER, pruneGuard: DEFAULT_PRUNE_GUARD, allowMassPrune: false };
    expect(renderPlan(plan(desired, observed, { ...opts, revive }))).toBe(
      [
        '> Application svc: start container svc (was running before the Docker engine went away)',
        '= Application job: completed',
        'Plan: 0 to create, 1 to change, 0 to remove.',
        '',
      ].join('\n'),
    );
    expect(renderPlan(plan(desired, observed, opts))).not.toContain('start container');
  });

  test('a container Docker is restarting is left to Docker', () => {
    const desired = desiredOf([prod], [app('web', prod)]);
    const observed = converged(desired);
    observed.containers[0].state = 'restarting';
    expect(render(desired, observed)).toBe(
      '= Application web: restarting\nNo changes. Docker matches the specs.\n',
    );
  });

  test('berth plan shows env keys of the containers it creates, values only when asked', () => {
    const desired = desiredOf([prod], [app('web', prod, {}, { env: { TOKEN: 's3cret', A: '1' } })]);
    const observed = converged(desiredOf([prod], []));
    const p = plan(desired, observed, {
      server: SERVER,
      pruneGuard: DEFAULT_PRUNE_GUARD,
      allowMassPrune: false,
    });

    expect(renderPlan(p)).not.toContain('env:');
    expect(renderPlan(p, 'keys')).toContain('+ Application web: create container web');
    expect(renderPlan(p, 'keys')).toContain('\n    env: A, TOKEN\n');
    expect(renderPlan(p, 'keys')).not.toContain('s3cret');
    expect(renderPlan(p, 'values')).toContain('\n    env: A=1, TOKEN=s3cret\n');
  });

  test('a container Docker is removing is left to go; a later pass creates it again', () => {
    const desired = desiredOf([prod], [app('web', prod)]);
    const observed = converged(desired);
    observed.containers[0].state = 'removing';
    expect(render(desired, observed)).toBe(
      '= Application web: removing\nNo changes. Docker matches the specs.\n',
    );
  });

  test('a suspended resource is left exactly as it is', () => {
    const before = desiredOf([prod], [app('web', prod)]);
    const after = desiredOf([prod], [app('web', prod, { suspend: true }, { command: ['x'] })]);
    expect(render(after, converged(before))).toBe(
      '= Application web: suspended\nNo changes. Docker matches the specs.\n',
    );
    expect(render(after, converged(desiredOf([prod], [])))).toBe(
      '= Application web: suspended\nNo changes. Docker matches the specs.\n',
    );
  });

  test('a held resource (its image could not be pulled) is neither changed nor removed', () => {
    const before = desiredOf([prod], [app('web', prod)]);
    const after = desiredOf([prod], [app('web', prod, {}, { command: ['x'] })]);
    const held = plan(after, converged(before), {
      server: SERVER,
      pruneGuard: DEFAULT_PRUNE_GUARD,
      allowMassPrune: false,
      held: ['web'],
    });
    expect(renderPlan(held)).toBe(
      '= Application web: held\nNo changes. Docker matches the specs.\n',
    );
  });

  test('a leftover replacement is discarded when the old container still exists', () => {
    const desired = desiredOf([prod], [app('web', prod)]);
    const observed = converged(desired);
    const next = { ...observedContainer(app('web', prod)), id: 'n'.repeat(64), name: 'web--next' };
    observed.containers.push(next);
    expect(render(desired, observed)).toBe(
      '- Application web: remove leftover replacement web--next (an interrupted recreate left ' +
        'a replacement; the old container is kept)\nPlan: 0 to create, 0 to change, 1 to remove.\n',
    );
  });

  test('a leftover replacement is promoted and started when the old one is gone', () => {
    const desired = desiredOf([prod], [app('web', prod)]);
    const observed = converged(desired);
    observed.containers[0].name = 'web--next';
    observed.containers[0].state = 'created';
    expect(render(desired, observed)).toBe(
      [
        '~ Application web: promote leftover replacement web--next (an interrupted recreate ' +
          'removed the old container; its replacement takes over)',
        '> Application web: start container web (replacement was never started)',
        'Plan: 0 to create, 2 to change, 0 to remove.',
        '',
      ].join('\n'),
    );
  });

  test('a foreign container holding the name is neither adopted nor removed', () => {
    const desired = desiredOf([prod], [app('web', prod)]);
    const observed = converged(desiredOf([prod], []));
    observed.containers.push(foreign('web'));
    const text = render(desired, observed);
    expect(text).toContain(
      "! error Application web: container 'web' (fweb00000000) exists but is not berth's " +
        "Application web for server 'web-1' (labels: no berth labels); remove or rename it, " +
        'or rename the resource [NAME_CLASH]',
    );
    expect(text).not.toMatch(/^[-+~>]/m);
  });

  test('objects of another server are foreign too', () => {
    const desired = desiredOf([prod], [app('web', prod)]);
    const other = converged(desired, 'web-2');
    expect(render(desiredOf([], []), other)).toBe('No changes. Docker matches the specs.\n');
    expect(render(desired, other)).toContain("network 'prod-net' exists but is not berth's");
  });

  test('a removed resource loses its container; volumes are never removed', () => {
    const before = desiredOf(
      [prod],
      [app('web', prod, { volumes: ['web_data'] }), app('db', prod)],
    );
    const after = desiredOf([prod], [app('db', prod)]);
    expect(render(after, converged(before))).toBe(
      '- Application web: remove container web (resource no longer declared; its named volumes ' +
        'are kept)\nPlan: 0 to create, 0 to change, 1 to remove.\n',
    );
  });

  test('while a spec file is invalid nothing is removed', () => {
    const before = desiredOf([prod], [app('web', prod), app('db', prod)]);
    const after = { ...desiredOf([prod], [app('db', prod)]), complete: false };
    expect(render(after, converged(before))).toBe(
      '! warning Server web-1: 1 removal(s) held back while spec files are invalid: web ' +
        '[PRUNE_HELD]\nNo changes planned; see the warnings and errors above.\n',
    );
  });

  test('removing most containers is refused without the override', () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    const before = desiredOf(
      [prod],
      names.map((n) => app(n, prod)),
    );
    const after = desiredOf([prod], [app('a', prod), app('g', prod)]);
    const refused = render(after, converged(before));
    expect(refused).toContain(
      "refusing to remove 5 of 6 berth containers on server 'web-1' (more than 50%): " +
        'b, c, d, e, f; if the specs are right, run again with --allow-mass-prune [MASS_PRUNE]',
    );
    expect(refused).not.toMatch(/^[-+~>]/m);
    const allowed = render(after, converged(before), true);
    expect(allowed.match(/^- Application/gm)).toHaveLength(5);
    expect(allowed).toContain('+ Application g: create container g');
  });

  test('removing three or fewer is never held by the guard', () => {
    const before = desiredOf(
      [prod],
      ['a', 'b', 'c', 'd'].map((n) => app(n, prod)),
    );
    const after = desiredOf([prod], [app('a', prod)]);
    expect(render(after, converged(before))).toMatch(/Plan: 0 to create, 0 to change, 3 to remove/);
  });

  test('a removed destination loses its network after its containers', () => {
    const before = desiredOf([prod, staging], [app('web', prod), app('tmp', staging)]);
    const after = desiredOf([prod], [app('web', prod)]);
    expect(render(after, converged(before))).toBe(
      [
        '- Application tmp: remove container tmp (resource no longer declared; its named volumes are kept)',
        '- Destination staging: remove network staging-net (destination no longer declared)',
        'Plan: 0 to create, 0 to change, 2 to remove.',
        '',
      ].join('\n'),
    );
  });

  test('a removed destination still named by a resource spec is kept, with the names', () => {
    const before = desiredOf([prod, staging], [app('web', prod)]);
    const after = desiredOf([prod], [app('web', prod)]);
    after.destinationRefs.staging = ['api', 'worker'];
    expect(render(after, converged(before))).toContain(
      "network 'staging-net' of removed destination staging kept: resource specs still name " +
        'it: api, worker; change their destination first [SPEC_REFERENCE]',
    );
  });

  test('a removed destination with a foreign container attached is kept, naming it', () => {
    const before = desiredOf([prod, staging], [app('web', prod)]);
    const observed = converged(before);
    observed.containers.push(foreign('stray', ['staging-net']));
    expect(render(desiredOf([prod], [app('web', prod)]), observed)).toBe(
      "! warning Destination staging: network 'staging-net' of removed destination staging " +
        'kept: containers are attached: stray; detach them, then berth removes it ' +
        '[NETWORK_FOREIGN]\nNo changes planned; see the warnings and errors above.\n',
    );
  });

  test('a removed destination goes in the same pass its berth containers leave it', () => {
    const before = desiredOf([prod, staging], [app('web', staging)]);
    const moved = desiredOf([prod], [app('web', prod)]);
    expect(render(moved, converged(before))).toBe(
      [
        '~ Application web: recreate container web (destination changed staging → prod)',
        '- Destination staging: remove network staging-net (destination no longer declared)',
        'Plan: 0 to create, 1 to change, 1 to remove.',
        '',
      ].join('\n'),
    );
    const suspended = desiredOf([prod], [app('web', prod, { suspend: true })]);
    expect(render(suspended, converged(before))).toBe(
      [
        '= Application web: suspended',
        "! warning Destination staging: network 'staging-net' of removed destination staging " +
          'kept: berth containers still on it: web; it goes once they leave [NETWORK_IN_USE]',
        'No changes planned; see the warnings and errors above.',
        '',
      ].join('\n'),
    );
  });

  test('changed network settings recreate the network and reattach berth containers', () => {
    const before = desiredOf(
      [prod],
      [
        app('web', prod, {
          attachments: [{ destination: 'prod', network: 'prod-net', aliases: ['api'] }],
        }),
      ],
    );
    const internal = { ...prod, settings: { ...prod.settings, internal: true } };
    const after = desiredOf([internal], before.containers);
    expect(render(after, converged(before))).toBe(
      '~ Destination prod: recreate network prod-net (reattaching 1 container) (internal false ' +
        '→ true)\nPlan: 0 to create, 1 to change, 0 to remove.\n',
    );
    const withStranger = converged(before);
    withStranger.containers.push(foreign('stray', ['prod-net']));
    expect(render(after, withStranger)).toBe(
      "! warning Destination prod: network 'prod-net' not recreated (internal false → true): " +
        'foreign containers are attached: stray; detach them, then berth recreates it ' +
        '[NETWORK_FOREIGN]\nNo changes planned; see the warnings and errors above.\n',
    );
  });

  test('a move interrupted after a container joined the new network only detaches it', () => {
    const before = desiredOf([prod], [app('web', prod), app('db', prod)]);
    const renamed = { ...prod, network: 'prod-v2' };
    const after = desiredOf([renamed], [app('web', renamed), app('db', renamed)]);
    const observed = converged(before);
    observed.networks.push({ ...observed.networks[0], id: 'net-prod-v2', name: 'prod-v2' });
    const web = observed.containers.find((c) => c.name === 'web');
    if (web) web.networks['prod-v2'] = { networkId: 'net-prod-v2', endpointId: 'ep', aliases: [] };
    const move = plan(after, observed, {
      server: SERVER,
      pruneGuard: DEFAULT_PRUNE_GUARD,
      allowMassPrune: false,
    }).actions;
    expect(move.map((a) => a.type)).toEqual(['network-move']);
    const reattach = move[0].type === 'network-move' ? move[0].reattach : [];
    expect(reattach.map((r) => [r.container, r.joined])).toEqual([
      ['db', false],
      ['web', true],
    ]);
  });

  test('a recreate starts the old container again on failure only if it was running', () => {
    const before = desiredOf([prod], [app('web', prod), app('job', prod, {}, { restart: 'no' })]);
    const after = desiredOf(
      [prod],
      [
        app('web', prod, {}, { command: ['x'] }),
        app('job', prod, {}, { restart: 'no', command: ['x'] }),
      ],
    );
    const observed = converged(before);
    const job = observed.containers.find((c) => c.name === 'job');
    if (job) [job.state, job.exitCode] = ['exited', 0];
    const actions = plan(after, observed, {
      server: SERVER,
      pruneGuard: DEFAULT_PRUNE_GUARD,
      allowMassPrune: false,
    }).actions;
    expect(
      actions.map((a) => [a.resource, a.type === 'container-recreate' && a.oldRunning]),
    ).toEqual([
      ['job', false],
      ['web', true],
    ]);
  });

  test('a renamed network moves berth containers to the new one', () => {
    const before = desiredOf([prod], [app('web', prod)]);
    const renamed = { ...prod, network: 'prod-v2' };
    const after = desiredOf([renamed], [app('web', renamed)]);
    expect(render(after, converged(before))).toBe(
      '~ Destination prod: move to network prod-v2 from prod-net (reattaching 1 container) ' +
        '(network renamed prod-net → prod-v2)\nPlan: 0 to create, 1 to change, 0 to remove.\n',
    );
  });
});
