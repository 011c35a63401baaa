import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter';

/** A clock the test moves by hand. */
class FakeClock {
  now = Date.UTC(2026, 11, 7, 8, 0, 0);
  advance(ms: number): number {
    this.now += ms;
    return this.now;
  }
}

const RULE = { ruleId: 'SW-DST-0001', ruleName: 'Forced delete' };

describe('RateLimiter', () => {
  it('admits N per rule per window per output, then counts the rest into one digest when the window ends', () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter<number>(() => ({ max: 3, windowMs: 60_000 }));
    const admissions = Array.from({ length: 10 }, (_, i) => {
      clock.advance(1000);
      return limiter.admit('chat', { ...RULE, host: `web-${i % 2}` }, clock.now, i);
    });
    expect(admissions.filter((a) => a === 'send')).toHaveLength(3);
    expect(limiter.due(clock.advance(30_000))).toEqual([]);
    const [digest, ...more] = limiter.due(clock.advance(30_000));
    expect(more).toEqual([]);
    expect(digest).toMatchObject({
      output: 'chat',
      ruleId: 'SW-DST-0001',
      ruleName: 'Forced delete',
      sent: 3,
      suppressed: 7,
      hosts: ['web-1', 'web-0'],
      holds: [3, 4, 5, 6, 7, 8, 9],
    });
    expect(digest!.windowEnd - digest!.windowStart).toBe(60_000);
    expect(limiter.due(clock.advance(120_000))).toEqual([]);
  });

  it('keeps separate windows per output and per rule', () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter<number>((output) =>
      output === 'pager' ? { max: 1, windowMs: 10_000 } : { max: 100, windowMs: 10_000 },
    );
    expect(limiter.admit('pager', RULE, clock.now, 1)).toBe('send');
    expect(limiter.admit('pager', RULE, clock.now, 2)).toBe('suppress');
    expect(limiter.admit('pager', { ruleId: 'SW-EXE-0001' }, clock.now, 3)).toBe('send');
    expect(limiter.admit('chat', RULE, clock.now, 4)).toBe('send');
    const digests = limiter.due(clock.advance(10_000));
    expect(digests.map((d) => [d.output, d.ruleId, d.suppressed])).toEqual([
      ['pager', 'SW-DST-0001', 1],
    ]);
  });

  it('closes an expired window when the next alert arrives and still reports its digest', () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter<number>(() => ({ max: 1, windowMs: 5_000 }));
    limiter.admit('chat', RULE, clock.now, 1);
    limiter.admit('chat', RULE, clock.now, 2);
    expect(limiter.admit('chat', RULE, clock.advance(6_000), 3)).toBe('send');
    expect(limiter.due(clock.now).map((d) => d.holds)).toEqual([[2]]);
  });

  it('forgets everything on reset', () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter<number>(() => ({ max: 1, windowMs: 5_000 }));
    limiter.admit('chat', RULE, clock.now, 1);
    limiter.admit('chat', RULE, clock.now, 2);
    limiter.reset();
    expect(limiter.due(clock.advance(10_000))).toEqual([]);
  });
});
