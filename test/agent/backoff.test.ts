import { ResourceBackoff } from '../../src/agent/backoff';

describe('per-resource backoff', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => (now = 1_000_000));

  test('doubles from 1 s to at most 5 min while the spec stays the same', () => {
    const b = new ResourceBackoff(clock);
    const delays = Array.from({ length: 12 }, () => b.failed('web', 'v1', 'boom') - now);
    expect(delays).toEqual([
      1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000, 256000, 300000, 300000, 300000,
    ]);
    expect(b.failures('web')).toBe(12);
  });

  test('holds a failing resource until its retry time, then lets it through', () => {
    const b = new ResourceBackoff(clock);
    b.failed('web', 'v1', 'boom');
    const prints = new Map([
      ['web', 'v1'],
      ['db', 'x'],
    ]);
    expect(b.held(prints)).toEqual(['web']);
    now += 999;
    expect(b.held(prints)).toEqual(['web']);
    now += 1;
    expect(b.held(prints)).toEqual([]);
    expect(b.errors().get('web')).toBe('boom'); // still failing until it converges
    b.forget('web');
    expect(b.errors().size).toBe(0);
  });

  test('a changed spec ends the backoff at once and starts counting anew', () => {
    const b = new ResourceBackoff(clock);
    for (let i = 0; i < 5; i++) b.failed('web', 'v1', 'boom');
    expect(b.held(new Map([['web', 'v2']]))).toEqual([]);
    expect(b.failures('web')).toBe(0);
    expect(b.failed('web', 'v2', 'again') - now).toBe(1000);
  });

  test('a resource no longer declared is forgotten', () => {
    const b = new ResourceBackoff(clock);
    b.failed('web', 'v1', 'boom');
    expect(b.held(new Map())).toEqual([]);
    expect(b.nextRetry()).toBeNull();
  });

  test('nextRetry is the earliest retry of all failing resources', () => {
    const b = new ResourceBackoff(clock);
    b.failed('a', 'v', 'x');
    b.failed('a', 'v', 'x');
    b.failed('b', 'v', 'x');
    expect(b.nextRetry()).toBe(now + 1000);
  });
});
