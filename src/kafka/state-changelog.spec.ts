import { describe, expect, it } from 'vitest';
import { chunkBySize } from './state-changelog';

describe('chunkBySize', () => {
  it('keeps order, keeps every record, and stays under the limit per chunk', () => {
    const records = Array.from({ length: 50 }, (_, i) => ({
      key: `k${i}`,
      value: 'x'.repeat(100),
    }));
    records.push({ key: 'marker', value: '{}' });
    const chunks = chunkBySize(records, 1000);
    expect(chunks.flat()).toEqual(records);
    for (const chunk of chunks) {
      const bytes = chunk.reduce((n, r) => n + r.key.length + (r.value?.length ?? 0), 0);
      expect(bytes).toBeLessThanOrEqual(1000);
    }
    expect(chunks.at(-1)?.at(-1)?.key).toBe('marker');
  });

  it('sends a record larger than the limit alone, and deletions (null values) count their key only', () => {
    const chunks = chunkBySize(
      [
        { key: 'a', value: 'y'.repeat(5000) },
        { key: 'b', value: null },
        { key: 'c', value: 'z' },
      ],
      1000,
    );
    expect(chunks.map((c) => c.map((r) => r.key))).toEqual([['a'], ['b', 'c']]);
  });
});
