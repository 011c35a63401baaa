import { describe, expect, it } from 'vitest';
import { LineCache } from './line-cache';

describe('LineCache', () => {
  it('keeps a line the second time it is offered, not the first', () => {
    const cache = new LineCache<number>(8, 100);
    cache.set('ls -la', 1);
    expect(cache.get('ls -la')).toBeUndefined();
    cache.set('ls -la', 2);
    expect(cache.get('ls -la')).toBe(2);
  });

  it('never holds more than maxEntries lines, dropping the oldest first', () => {
    const cache = new LineCache<number>(3, 100);
    for (let round = 0; round < 2; round++)
      for (let i = 0; i < 10; i++) {
        cache.set(`cmd ${i}`, i);
        expect(cache.size).toBeLessThanOrEqual(3);
      }
    expect(cache.size).toBe(3);
    expect(cache.get('cmd 9')).toBe(9);
    expect(cache.get('cmd 6')).toBeUndefined();
  });

  it('never keeps a line longer than maxLineLength, nor anything with no entries', () => {
    const cache = new LineCache<number>(8, 5);
    for (let i = 0; i < 2; i++) cache.set('123456', 1);
    expect(cache.get('123456')).toBeUndefined();
    const none = new LineCache<number>(0, 100);
    for (let i = 0; i < 2; i++) none.set('ls', 1);
    expect(none.size).toBe(0);
  });

  it('forgets what it was offered when cleared', () => {
    const cache = new LineCache<number>(8, 100);
    cache.set('id', 1);
    cache.set('id', 1);
    cache.clear();
    cache.set('id', 2);
    expect(cache.get('id')).toBeUndefined();
  });
});
