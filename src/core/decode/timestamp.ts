import { ownEntry } from '../own-entry';
/**
 * Timestamp parsing for every shape the input formats use. One parser for all
 * decoders so that "when did the command run" means the same everywhere, and a
 * bad value is reported rather than guessed.
 *
 * Accepted shapes (all produce RFC 3339 UTC with millisecond precision):
 * - epoch numbers and numeric strings: seconds (`1732550000`, `1732550000.123`),
 *   milliseconds, microseconds and nanoseconds, told apart by magnitude;
 * - RFC 3339 / ISO 8601 with `T` or a space, optional fraction (any digits) and
 *   zone (`Z`, `+01:00`, `+0100`); no zone means UTC;
 * - `YYYY/MM/DD hh:mm:ss` (bastion exports), same zone rules;
 * - syslog `Mmm dd hh:mm:ss` with or without a year (`Nov 25 2026 16:34:43`), and
 *   ctime (`Tue Nov 25 16:34:43 2026`, optionally ` UTC`, as osquery's calendarTime).
 *   Without a year the year is inferred from a reference time (the record's
 *   transport timestamp): the candidate year closest to the reference wins, which
 *   handles a December line read in January and the reverse. Syslog times carry
 *   no zone; they are taken as UTC.
 */

const MONTHS: Readonly<Record<string, number>> = {
  jan: 0,
  feb: 1,
  mar: 2,
  apr: 3,
  may: 4,
  jun: 5,
  jul: 6,
  aug: 7,
  sep: 8,
  oct: 9,
  nov: 10,
  dec: 11,
};

/** Earliest and latest instants we accept: anything else is a unit mix-up, not a command time. */
const MIN_MS = Date.UTC(1990, 0, 1);
const MAX_MS = Date.UTC(2200, 0, 1);

const ISO_RE =
  /^(\d{4})[-/](\d{2})[-/](\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?$/;
const SYSLOG_RE =
  /^(?:[A-Z][a-z]{2} )?([A-Za-z]{3}) {1,2}(\d{1,2})(?: (\d{4}))? (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?: (\d{4}))?(?: UTC)?$/;
const NUMERIC_RE = /^\d{1,19}(?:\.\d{1,9})?$/;

/** Result of parsing a timestamp: the instant or why it is not one. */
export type TimestampResult = { ok: true; ms: number } | { ok: false; reason: string };

/**
 * Parses any accepted timestamp shape to epoch milliseconds.
 * `referenceMs` is only used for syslog times without a year.
 */
export function parseTimestamp(value: unknown, referenceMs?: number): TimestampResult {
  if (typeof value === 'number') return fromEpochNumber(value);
  if (typeof value !== 'string') return { ok: false, reason: `expected a string or number` };
  const text = value.trim();
  if (text === '') return { ok: false, reason: 'empty timestamp' };
  // Most shippers send exactly this shape: read it without regexes or a Date.
  if (isCanonicalIso(text)) {
    const ms = canonicalIsoMs(text);
    if (ms !== undefined) return checked(ms, text);
  }
  if (NUMERIC_RE.test(text)) return fromEpochNumber(Number(text));
  const iso = ISO_RE.exec(text);
  if (iso) return fromIso(iso);
  const syslog = SYSLOG_RE.exec(text);
  if (syslog) return fromSyslog(syslog, referenceMs);
  return { ok: false, reason: `unrecognized timestamp ${JSON.stringify(text.slice(0, 40))}` };
}

/**
 * Formats epoch milliseconds as the event's `@timestamp`. `given`, the value `ms` was
 * parsed from, is returned as it is when it already is that text: most shippers send
 * this shape, and formatting it again costs a Date per record.
 */
export function toIso(ms: number, given?: unknown): string {
  return isCanonicalIso(given) ? given : new Date(ms).toISOString();
}

/** `YYYY-MM-DDThh:mm:ss.sssZ`: a digit where 'd' is, the character itself elsewhere. */
const CANONICAL_SHAPE = 'dddd-dd-ddTdd:dd:dd.dddZ';

/**
 * Whether a timestamp that `parseTimestamp` accepted is already what `toIso` would make
 * of it: in that exact shape, and not a leap second (`:60` becomes the next minute).
 * Most shippers send that shape; keeping the text spares formatting it again.
 */
export function isCanonicalIso(value: unknown): value is string {
  if (typeof value !== 'string' || value.length !== CANONICAL_SHAPE.length) return false;
  for (let i = 0; i < CANONICAL_SHAPE.length; i++) {
    const code = value.charCodeAt(i);
    const expected = CANONICAL_SHAPE.charCodeAt(i);
    if (expected === 0x64 /* d */ ? code < 0x30 || code > 0x39 : code !== expected) return false;
  }
  return value[17] !== '6';
}

/** The value of the digits of `text` from `start` to `end` (all digits: isCanonicalIso said so). */
function digits(text: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) n = n * 10 + text.charCodeAt(i) - 0x30;
  return n;
}

/** Milliseconds of each 3-digit fraction, computed as `fractionMs` computes them (same rounding). */
const FRACTION_MS = Array.from({ length: 1000 }, (_, i) => fractionMs(String(i).padStart(3, '0')));

/**
 * The instant of a canonical `YYYY-MM-DDThh:mm:ss.sssZ` (see {@link isCanonicalIso}), as
 * `fromIso` computes it; undefined for what only the general path decides (years before
 * 1000, which Date.UTC maps onto the 1900s; a day the month does not have).
 */
function canonicalIsoMs(text: string): number | undefined {
  const y = digits(text, 0, 4);
  const month = digits(text, 5, 7) - 1;
  const d = digits(text, 8, 10);
  const h = digits(text, 11, 13);
  const mi = digits(text, 14, 16);
  const s = digits(text, 17, 19);
  if (y < 1000 || month < 0 || month > 11 || d < 1 || d > daysInMonth(y, month)) return undefined;
  if (h > 23 || mi > 59) return undefined;
  return Date.UTC(y, month, d, h, mi, s) + (FRACTION_MS[digits(text, 20, 23)] ?? 0);
}

function daysInMonth(y: number, month: number): number {
  if (month === 1) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return month === 3 || month === 5 || month === 8 || month === 10 ? 30 : 31;
}

function checked(ms: number, what: string): TimestampResult {
  if (!Number.isFinite(ms) || ms < MIN_MS || ms > MAX_MS) {
    return { ok: false, reason: `${what} is outside 1990..2200` };
  }
  return { ok: true, ms: Math.floor(ms) };
}

function fromEpochNumber(n: number): TimestampResult {
  if (!Number.isFinite(n) || n < 0) return { ok: false, reason: `invalid epoch value ${n}` };
  // Magnitude tells the unit: seconds until year 5138, then ms, µs, ns.
  if (n < 1e11) return checked(n * 1000, `epoch seconds ${n}`);
  if (n < 1e14) return checked(n, `epoch milliseconds ${n}`);
  if (n < 1e17) return checked(n / 1000, `epoch microseconds ${n}`);
  return checked(n / 1e6, `epoch nanoseconds ${n}`);
}

function fromIso(m: RegExpExecArray): TimestampResult {
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone = ''] = m;
  const base = civilToMs(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (base === undefined) return { ok: false, reason: `invalid date or time ${m[0]}` };
  const ms = base + fractionMs(frac) - zoneOffsetMs(zone);
  return checked(ms, m[0]);
}

function fromSyslog(m: RegExpExecArray, referenceMs: number | undefined): TimestampResult {
  const [, mon = '', d, leadingYear, h, mi, s, frac = '', trailingYear] = m;
  const year = leadingYear ?? trailingYear;
  const month = ownEntry(MONTHS, mon.toLowerCase());
  if (month === undefined) return { ok: false, reason: `unknown month ${mon}` };
  const at = (yr: number): number | undefined =>
    civilToMs(yr, month, Number(d), Number(h), Number(mi), Number(s));
  if (year !== undefined) {
    const ms = at(Number(year));
    if (ms === undefined) return { ok: false, reason: `invalid date ${m[0]}` };
    return checked(ms + fractionMs(frac), m[0]);
  }
  if (referenceMs === undefined) {
    return { ok: false, reason: `syslog time ${m[0]} has no year and no reference time` };
  }
  const refYear = new Date(referenceMs).getUTCFullYear();
  let best: number | undefined;
  for (const yr of [refYear - 1, refYear, refYear + 1]) {
    const ms = at(yr);
    if (ms === undefined) continue; // Feb 29 in a non-leap year
    if (best === undefined || Math.abs(ms - referenceMs) < Math.abs(best - referenceMs)) best = ms;
  }
  if (best === undefined) return { ok: false, reason: `invalid date ${m[0]}` };
  return checked(best + fractionMs(frac), m[0]);
}

function civilToMs(
  y: number,
  month: number,
  d: number,
  h: number,
  mi: number,
  s: number,
): number | undefined {
  if (month < 0 || month > 11 || d < 1 || h > 23 || mi > 59 || s > 60) return undefined;
  const ms = Date.UTC(y, month, d, h, mi, Math.min(s, 59));
  // Date.UTC rolls Feb 30 over to March: reject instead of moving the day.
  if (new Date(ms).getUTCDate() !== d) return undefined;
  return ms + (s === 60 ? 1000 : 0);
}

function fractionMs(frac: string): number {
  return frac === '' ? 0 : Math.floor(Number(`0.${frac}`) * 1000);
}

function zoneOffsetMs(zone: string): number {
  if (zone === '' || zone === 'Z' || zone === 'z' || zone === 'UTC') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  return sign * (hours * 60 + minutes) * 60_000;
}
