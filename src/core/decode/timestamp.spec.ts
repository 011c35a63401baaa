import { describe, expect, it } from 'vitest';
import { prng } from '../../../bench/support/generate-rules';
import { JsonFields } from './json';
import { isCanonicalIso, parseTimestamp } from './timestamp';
import type { TimestampResult } from './timestamp';

const iso = (value: unknown, ref?: number): string | undefined => {
  const r = parseTimestamp(value, ref);
  return r.ok ? new Date(r.ms).toISOString() : undefined;
};

describe('parseTimestamp', () => {
  it.each([
    [1764088483, '2025-11-25T16:34:43.000Z'],
    [1764088483.5, '2025-11-25T16:34:43.500Z'],
    [1764088483123, '2025-11-25T16:34:43.123Z'],
    [1764088483123456, '2025-11-25T16:34:43.123Z'],
    [1764088483123456000, '2025-11-25T16:34:43.123Z'],
    ['1764088483', '2025-11-25T16:34:43.000Z'],
    ['1764088483.123', '2025-11-25T16:34:43.123Z'],
    ['1764088483123', '2025-11-25T16:34:43.123Z'],
    ['2026-11-25T16:34:43Z', '2026-11-25T16:34:43.000Z'],
    ['2026-11-25T16:34:43.123456789Z', '2026-11-25T16:34:43.123Z'],
    ['2026-11-25T17:34:43+01:00', '2026-11-25T16:34:43.000Z'],
    ['2026-11-25T11:04:43-0530', '2026-11-25T16:34:43.000Z'],
    ['2026-11-25 16:34:43', '2026-11-25T16:34:43.000Z'],
    ['2026-11-25 16:34:43,250', '2026-11-25T16:34:43.250Z'],
    ['2026/11/25 16:34:43', '2026-11-25T16:34:43.000Z'],
    ['2026-11-25', '2026-11-25T00:00:00.000Z'],
    ['Nov 25 2026 16:34:43', '2026-11-25T16:34:43.000Z'],
    ['Nov 25 16:34:43 2026', '2026-11-25T16:34:43.000Z'],
    ['Tue Nov 25 16:34:43 2026 UTC', '2026-11-25T16:34:43.000Z'],
  ])('%j → %s', (value, expected) => {
    expect(iso(value)).toBe(expected);
  });

  it('infers the syslog year from the reference, across New Year both ways', () => {
    const jan2 = Date.UTC(2027, 0, 2);
    expect(iso('Dec 31 23:59:59', jan2)).toBe('2026-12-31T23:59:59.000Z');
    expect(iso('Jan  1 00:00:01', jan2)).toBe('2027-01-01T00:00:01.000Z');
    const dec31 = Date.UTC(2026, 11, 31, 23, 59, 59);
    // A sender whose clock is ahead has already written January.
    expect(iso('Jan  1 00:00:03', dec31)).toBe('2027-01-01T00:00:03.000Z');
    expect(iso('Jul  4 12:00:00', dec31)).toBe('2026-07-04T12:00:00.000Z');
  });

  it('accepts Feb 29 only where a candidate year is a leap year', () => {
    expect(iso('Feb 29 10:00:00', Date.UTC(2028, 2, 1))).toBe('2028-02-29T10:00:00.000Z');
    expect(iso('Feb 29 10:00:00', Date.UTC(2026, 6, 1))).toBeUndefined();
  });

  it.each([
    ['yesterday', 'unrecognized'],
    ['', 'empty'],
    ['2026-02-30T00:00:00Z', 'invalid date'],
    ['2026-13-01T00:00:00Z', 'invalid date'],
    ['2026-11-25T24:00:00Z', 'invalid date'],
    ['Nov 31 10:00:00 2026', 'invalid date'],
    [-5, 'invalid epoch'],
    [12, 'outside'],
    ['Nov 25 16:34:43', 'no reference'],
  ])('rejects %j with a reason', (value, reason) => {
    const r = parseTimestamp(value);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });

  it('rejects non-string, non-number values', () => {
    expect(parseTimestamp({}).ok).toBe(false);
    expect(parseTimestamp(null).ok).toBe(false);
    expect(parseTimestamp(Number.NaN).ok).toBe(false);
  });
});

describe('JSON timestamps already in the output shape', () => {
  const readTimestamp = (value: unknown): string | undefined =>
    new JsonFields({ timestamp: value }, 'test').timestamp(['timestamp'], 0);

  it('keeps the text when it is exactly what formatting the instant gives', () => {
    const random = prng(20261126);
    for (let i = 0; i < 2000; i++) {
      const ms = Math.floor(
        Date.UTC(1990, 0, 1) + random() * (Date.UTC(2200, 0, 1) - Date.UTC(1990, 0, 1) - 1),
      );
      const text = new Date(ms).toISOString();
      expect(isCanonicalIso(text)).toBe(true);
      expect(readTimestamp(text)).toBe(text);
    }
  });

  it('formats every other accepted shape, a leap second included', () => {
    for (const [value, expected] of [
      ['2026-06-30T23:59:60.000Z', '2026-07-01T00:00:00.000Z'],
      ['2026-11-25T16:34:43.123z', '2026-11-25T16:34:43.123Z'],
      ['2026-11-25 16:34:43.123Z', '2026-11-25T16:34:43.123Z'],
      ['2026-11-25T17:34:43.123+01', '2026-11-25T16:34:43.123Z'],
      ['2026-11-25T16:34:43.12Z', '2026-11-25T16:34:43.120Z'],
      [' 2026-11-25T16:34:43.123Z', '2026-11-25T16:34:43.123Z'],
    ]) {
      expect(isCanonicalIso(value), value).toBe(false);
      expect(readTimestamp(value), value).toBe(expected);
    }
    expect(() => readTimestamp('2026-02-30T00:00:00.000Z')).toThrow(/invalid date/);
  });
});

describe('the canonical shape read without regexes', () => {
  /** The same text with a space for `T`: the general (regex) path reads it, never the canonical one. */
  const general = (text: string): TimestampResult => parseTimestamp(text.replace('T', ' '));

  it('gives what the general path gives for every digit pattern, valid or not', () => {
    const random = prng(20261207);
    const pad = (n: number, width: number): string => String(n).padStart(width, '0');
    const pick = (max: number): number => Math.floor(random() * max);
    for (let i = 0; i < 20_000; i++) {
      // Years across 0000..9999 (Date.UTC maps 0..99 onto the 1900s), days to 39 and
      // hours to 29 (out of range on purpose), leap years and every 3-digit fraction.
      const year = i % 10 === 0 ? pick(10_000) : 1985 + pick(230);
      const text =
        `${pad(year, 4)}-${pad(1 + pick(13), 2)}-${pad(pick(40), 2)}T` +
        `${pad(pick(30), 2)}:${pad(pick(60), 2)}:${pad(pick(60), 2)}.${pad(pick(1000), 3)}Z`;
      expect(isCanonicalIso(text), text).toBe(true);
      const fast = parseTimestamp(text);
      const slow = general(text);
      expect(fast.ok, text).toBe(slow.ok);
      if (fast.ok && slow.ok) expect(fast.ms, text).toBe(slow.ms);
    }
  });

  it('refuses what the general path refuses, with the same reason', () => {
    for (const text of [
      '2026-02-29T00:00:00.000Z',
      '2024-02-30T00:00:00.000Z',
      '2026-04-31T00:00:00.000Z',
      '2026-13-01T00:00:00.000Z',
      '2026-00-10T00:00:00.000Z',
      '2026-01-00T00:00:00.000Z',
      '2026-01-01T24:00:00.000Z',
      '1989-12-31T23:59:59.999Z',
      '2200-01-01T00:00:00.001Z',
    ]) {
      const fast = parseTimestamp(text);
      expect(fast.ok, text).toBe(false);
      const slow = general(text);
      if (!fast.ok && !slow.ok)
        expect(fast.reason).toBe(slow.reason.replace(text.replace('T', ' '), text));
    }
    expect(parseTimestamp('2024-02-29T12:00:00.250Z')).toEqual({
      ok: true,
      ms: Date.UTC(2024, 1, 29, 12, 0, 0, 250),
    });
  });
});
