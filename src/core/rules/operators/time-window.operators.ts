import { compiled, isObject, problem } from './operator';
import type { CompileResult, OperatorDefinition } from './operator';

const HH_MM = /^([01][0-9]|2[0-3]):([0-5][0-9])$/;
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

interface LocalTime {
  minutes: number;
  day: number;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MINUTES = 1440;
const WEEK_MINUTES = 7 * DAY_MINUTES;
/** Hours whose local start a clock keeps; a stream's events fall in few of them. */
const HOURS_KEPT = 4096;

/**
 * One time zone's clock: its formatter (creating an Intl.DateTimeFormat costs far more
 * than using one) and the local time of the last value asked for. Every rule with a
 * time operator in the same zone shares one clock, and all of them see the same event's
 * timestamp in turn, so the event's local time is computed once per event per zone, on
 * first use; the memo is keyed by the fact value itself, so it is exact.
 *
 * Formatting is the costly part (a microsecond per call), so a clock formats each UTC
 * hour's two ends once and derives every time inside it by adding minutes: exact when
 * the hour holds no offset change and the offset is whole minutes, which is when its
 * ends are 59 local minutes apart (an offset with seconds puts them 60 apart). Any
 * other hour (a DST change, an old local mean time) is formatted event by event.
 */
class ZoneClock {
  private lastFact: unknown = undefined;
  private lastTime: LocalTime | undefined = undefined;
  private hasLast = false;
  /** Per UTC hour (ms / HOUR_MS): its local start as minutes of the week, or -1 when not derivable. */
  private readonly hours = new Map<number, number>();

  constructor(private readonly format: Intl.DateTimeFormat) {}

  localTime(fact: unknown): LocalTime | undefined {
    if (typeof fact !== 'string' && typeof fact !== 'number') return undefined;
    if (this.hasLast && fact === this.lastFact) return this.lastTime;
    const ms = typeof fact === 'number' ? fact : Date.parse(fact);
    const time = Number.isFinite(ms) ? this.at(ms) : undefined;
    this.lastFact = fact;
    this.lastTime = time;
    this.hasLast = true;
    return time;
  }

  private at(ms: number): LocalTime | undefined {
    const hour = Math.floor(ms / HOUR_MS);
    let start = this.hours.get(hour);
    if (start === undefined) {
      start = this.hourStart(hour);
      if (this.hours.size >= HOURS_KEPT) this.hours.clear();
      this.hours.set(hour, start);
    }
    if (start < 0) return formatLocalTime(ms, this.format);
    const week = (start + Math.floor((ms - hour * HOUR_MS) / MINUTE_MS)) % WEEK_MINUTES;
    return { minutes: week % DAY_MINUTES, day: Math.floor(week / DAY_MINUTES) };
  }

  /** The local start of a UTC hour in minutes of the week, or -1 when the hour's times cannot be derived from it. */
  private hourStart(hour: number): number {
    const first = formatLocalTime(hour * HOUR_MS, this.format);
    const last = formatLocalTime((hour + 1) * HOUR_MS - 1, this.format);
    if (first === undefined || last === undefined || first.day < 0 || last.day < 0) return -1;
    const startOfWeek = first.day * DAY_MINUTES + first.minutes;
    const endOfWeek = last.day * DAY_MINUTES + last.minutes;
    return (endOfWeek - startOfWeek + WEEK_MINUTES) % WEEK_MINUTES === 59 ? startOfWeek : -1;
  }
}

const CLOCK_LIMIT = 1000;
const clocks = new Map<string, ZoneClock>();

function clockFor(timeZone: unknown): ZoneClock | CompileResult {
  const zone = timeZone ?? 'UTC';
  if (typeof zone !== 'string') return problem('timeZone must be an IANA zone name', '/timeZone');
  const cached = clocks.get(zone);
  if (cached !== undefined) return cached;
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
    });
  } catch {
    return problem(`unknown time zone "${zone}"`, '/timeZone');
  }
  if (clocks.size >= CLOCK_LIMIT) clocks.clear();
  const clock = new ZoneClock(format);
  clocks.set(zone, clock);
  return clock;
}

function formatLocalTime(ms: number, format: Intl.DateTimeFormat): LocalTime | undefined {
  let hour = 0;
  let minute = 0;
  let day = -1;
  try {
    for (const part of format.formatToParts(ms)) {
      if (part.type === 'hour') hour = Number(part.value);
      else if (part.type === 'minute') minute = Number(part.value);
      else if (part.type === 'weekday')
        day = DAYS.indexOf(part.value.toLowerCase().slice(0, 3) as (typeof DAYS)[number]);
    }
  } catch {
    // Out of the Date range (|ms| > 8.64e15): no local time.
    return undefined;
  }
  return { minutes: hour * 60 + minute, day };
}

function parseHhMm(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = HH_MM.exec(value);
  return match === null ? undefined : Number(match[1]) * 60 + Number(match[2]);
}

/**
 * `timeOfDay`: the fact (the `timestamp` fact, an RFC 3339 string or epoch ms) falls in
 * `[from, to)` local time in `timeZone` (IANA name, default UTC). `from` after `to`
 * wraps midnight: `{"from": "22:00", "to": "06:00"}` is the night shift.
 */
export const timeOfDayOperator: OperatorDefinition = {
  name: 'timeOfDay',
  compile(value) {
    if (!isObject(value))
      return problem('timeOfDay needs {"from": "HH:MM", "to": "HH:MM", "timeZone"?}');
    const from = parseHhMm(value['from']);
    const to = parseHhMm(value['to']);
    if (from === undefined) return problem('from must be "HH:MM" (24-hour)', '/from');
    if (to === undefined) return problem('to must be "HH:MM" (24-hour)', '/to');
    if (from === to) return problem('from and to must differ (the window would be empty)', '/to');
    const clock = clockFor(value['timeZone']);
    if (!(clock instanceof ZoneClock)) return clock;
    return compiled((fact) => {
      const local = clock.localTime(fact);
      if (local === undefined) return false;
      return from < to
        ? local.minutes >= from && local.minutes < to
        : local.minutes >= from || local.minutes < to;
    });
  },
};

/**
 * `dayOfWeek`: the fact's local day (in `timeZone`, default UTC) is one of `days`
 * (`"mon"`..`"sun"`): `{"days": ["sat", "sun"], "timeZone": "Europe/Berlin"}`.
 */
export const dayOfWeekOperator: OperatorDefinition = {
  name: 'dayOfWeek',
  compile(value) {
    if (!isObject(value)) return problem('dayOfWeek needs {"days": ["mon", ...], "timeZone"?}');
    const days = value['days'];
    if (!Array.isArray(days) || days.length === 0)
      return problem('days must be a non-empty array', '/days');
    const wanted = new Set<number>();
    for (const [index, day] of days.entries()) {
      const n = DAYS.indexOf(day as (typeof DAYS)[number]);
      if (n === -1) return problem(`day must be one of ${DAYS.join(', ')}`, `/days/${index}`);
      wanted.add(n);
    }
    const clock = clockFor(value['timeZone']);
    if (!(clock instanceof ZoneClock)) return clock;
    return compiled((fact) => {
      const local = clock.localTime(fact);
      return local !== undefined && wanted.has(local.day);
    });
  },
};
