import { describe, expect, it } from 'vitest';
import { parsePreviewTime, PREVIEW_TIME_PATTERN } from './preview-time';

const NOW = Date.parse('2026-12-07T10:00:00.000Z');
const pattern = new RegExp(PREVIEW_TIME_PATTERN);

describe('parsePreviewTime', () => {
  it.each([
    ['now', '2026-12-07T10:00:00.000Z'],
    ['now-15m', '2026-12-07T09:45:00.000Z'],
    ['now-2h', '2026-12-07T08:00:00.000Z'],
    ['now-7d', '2026-11-30T10:00:00.000Z'],
    ['2026-12-01', '2026-12-01T00:00:00.000Z'],
    ['2026-12-01T08:00Z', '2026-12-01T08:00:00.000Z'],
    ['2026-12-01T08:00:00.123456789Z', '2026-12-01T08:00:00.123Z'],
    ['2026-12-01 09:30:00+01:30', '2026-12-01T08:00:00.000Z'],
  ])('reads %s as %s, and the schema pattern admits it', (text, iso) => {
    expect(parsePreviewTime(text, NOW)?.toISOString()).toBe(iso);
    expect(pattern.test(text)).toBe(true);
  });

  it.each(['', 'yesterday', 'now-7w', 'now+1d', '2026-12-01T08:00:00', '12/01/2026', '1733040000'])(
    'refuses %j, as the schema pattern does',
    (text) => {
      expect(parsePreviewTime(text, NOW)).toBe(undefined);
      expect(pattern.test(text)).toBe(false);
    },
  );

  it('refuses a day that does not exist, which the pattern cannot tell', () => {
    expect(pattern.test('2026-02-31')).toBe(true);
    expect(parsePreviewTime('2026-02-31', NOW)).toBe(undefined);
  });
});
