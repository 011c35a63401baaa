import { describe, expect, it } from 'vitest';
import { ConcurrencyLimit } from './concurrency-limit';

describe('ConcurrencyLimit', () => {
  it('turns away the holder over the limit and takes the next one after a release', () => {
    const limit = new ConcurrencyLimit(2);
    const first = limit.tryEnter();
    const second = limit.tryEnter();
    expect(first).toBeDefined();
    expect(second).toBeDefined();
    expect(limit.tryEnter()).toBeUndefined();
    first?.();
    expect(limit.running).toBe(1);
    expect(limit.tryEnter()).toBeDefined();
  });

  it('counts a release given twice once', () => {
    const limit = new ConcurrencyLimit(1);
    const release = limit.tryEnter();
    release?.();
    release?.();
    expect(limit.running).toBe(0);
    const again = limit.tryEnter();
    expect(again).toBeDefined();
    expect(limit.tryEnter()).toBeUndefined();
  });
});
