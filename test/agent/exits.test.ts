import { EXIT_WINDOW_MS, ExitLog } from '../../src/agent/exits';

describe('ExitLog', () => {
  let now = 1_000_000;
  const log = () => new ExitLog(() => now);

  it('counts the exits of a container within the window, with the last exit code', () => {
    const exits = log();
    exits.record('a', now - 2000, 1);
    exits.record('a', now - 1000, 137);
    exits.record('b', now - 1000, null);

    expect(exits.recent('a')).toEqual({ count: 2, lastCode: 137 });
    expect(exits.recent('b')).toEqual({ count: 1, lastCode: null });
    expect(exits.recent('c')).toBeNull();
  });

  it('forgets exits once they left the window', () => {
    const exits = log();
    exits.record('a', now, 1);
    exits.record('a', now + 1000, 1);

    now += EXIT_WINDOW_MS + 500;
    expect(exits.recent('a')).toEqual({ count: 1, lastCode: 1 });
    now += 1000;
    expect(exits.recent('a')).toBeNull();
  });

  it('names the containers that exited at or after a time', () => {
    const exits = log();
    exits.record('early', now - 5000, 1);
    exits.record('late', now - 1000, 137);
    exits.record('late', now - 9000, 1);

    expect(exits.since(now - 2000)).toEqual(['late']);
    expect(exits.since(now - 6000).sort()).toEqual(['early', 'late']);
  });
});
