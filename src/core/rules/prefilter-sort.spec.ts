import { describe, expect, it } from 'vitest';
import { sortAscending } from './prefilter-index';

/** The candidates' sort (prefilter-index.ts) against the library sort it replaces. */
describe('sortAscending', () => {
  it('orders every array as Array.prototype.sort does, short and long', () => {
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let round = 0; round < 2000; round++) {
      const length = round % 80;
      const values = Array.from({ length }, () => random() % (round % 3 === 0 ? 5 : 5000));
      const expected = [...values].sort((a, b) => a - b);
      sortAscending(values);
      expect(values).toEqual(expected);
    }
  });
});
