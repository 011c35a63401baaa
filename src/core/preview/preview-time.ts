/**
 * The times a preview range is given in, the same for the API and the CLI: an RFC 3339
 * timestamp with its zone (`2026-12-01T08:00:00Z`, `2026-12-01T09:00:00+01:00`), a UTC
 * day (`2026-12-01`, its midnight), `now`, or `now-<n><unit>` with unit `m`, `h` or `d`
 * (`now-7d`). Anything else is refused: a timestamp without a zone would mean the
 * server's zone, which the person asking does not know.
 */

/** What the range's `from` and `to` accept, for messages and the OpenAPI description. */
export const PREVIEW_TIME_FORMS =
  'an RFC 3339 timestamp with a zone (2026-12-01T08:00:00Z), a UTC day (2026-12-01), now, or now-<n>m|h|d (now-7d)';

/**
 * Every form in one pattern, for the request schema (a generator or a client sees
 * the forms); a text that fits it can still name no time (2026-02-31): parsePreviewTime
 * decides.
 */
export const PREVIEW_TIME_PATTERN =
  '^(now(-[0-9]{1,6}[mhd])?|[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,9})?)?([Zz]|[+-][0-9]{2}:[0-9]{2}))?)$';

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}:\d{2})$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const RELATIVE = /^now(?:-(\d{1,6})([mhd]))?$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** The instant `text` names, with `nowMs` for `now`; undefined when it is none of the forms. */
export function parsePreviewTime(text: string, nowMs: number): Date | undefined {
  const relative = RELATIVE.exec(text);
  if (relative !== null) {
    const [, amount, unit] = relative;
    const back = amount === undefined ? 0 : Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
    return new Date(nowMs - back);
  }
  const day = DAY.exec(text);
  if (day !== null) {
    const date = new Date(`${text}T00:00:00.000Z`);
    // 2026-02-31 parses to no valid time, or to another day: refused either way.
    return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text
      ? undefined
      : date;
  }
  if (!RFC3339.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}
