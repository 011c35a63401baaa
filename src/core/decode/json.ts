import { fail } from './context';
import { parseTimestamp, toIso } from './timestamp';
import { errorMessage } from '../errors';

/** A parsed JSON object. Values stay `unknown` until a reader checks them. */
export type JsonObject = Record<string, unknown>;

/** True for a plain JSON object (not an array, not null). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses a record that must be one JSON object; INVALID_JSON otherwise. */
export function parseJsonObject(text: string, format: string): JsonObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const reason = errorMessage(err);
    return fail('INVALID_JSON', `${format}: record is not valid JSON (${reason})`, { format });
  }
  if (!isObject(parsed)) {
    return fail('INVALID_JSON', `${format}: expected a JSON object`, { format });
  }
  return parsed;
}

/**
 * Reads `a.b.c` from an object whether it is nested (`{a:{b:{c}}}`), flat
 * (`{"a.b.c"}`) or a mix of both, as shippers flatten differently.
 */
export function getPath(obj: JsonObject, path: string): unknown {
  if (Object.hasOwn(obj, path)) return obj[path];
  let dot = path.indexOf('.');
  while (dot > 0) {
    const child = obj[path.slice(0, dot)];
    if (isObject(child)) {
      const value = getPath(child, path.slice(dot + 1));
      if (value !== undefined) return value;
    }
    dot = path.indexOf('.', dot + 1);
  }
  return undefined;
}

/**
 * Typed reads from a JSON record with aliases, errors that name the field, and
 * a record of which keys were used so the rest can be kept as labels.
 */
export class JsonFields {
  /**
   * Keys a reader used. An array, not a Set: a record has about a dozen keys, and a Set
   * grew its table several times per record (4% of the record path's allocations,
   * issue 25); `includes` over a dozen keys costs less than hashing.
   */
  private readonly used: string[] = [];

  constructor(
    readonly obj: JsonObject,
    readonly format: string,
  ) {}

  /** The first alias present with a value other than null or "". */
  find(aliases: readonly string[]): { key: string; value: unknown } | undefined {
    for (const key of aliases) {
      const dot = key.indexOf('.');
      const value = dot < 0 ? this.obj[key] : getPath(this.obj, key);
      if (value === undefined || value === null || value === '') continue;
      this.used.push(dot < 0 ? key : key.slice(0, dot));
      return { key, value };
    }
    return undefined;
  }

  /** Marks keys as consumed so `rest()` leaves them out (fields dropped on purpose). */
  ignore(keys: readonly string[]): void {
    for (const key of keys) this.used.push(key);
  }

  /** A string field; numbers and booleans are accepted as their text (ids often arrive as numbers). */
  string(aliases: readonly string[]): string | undefined {
    const hit = this.find(aliases);
    if (!hit) return undefined;
    const { key, value } = hit;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    return this.invalid(key, 'a string', value);
  }

  /** A string field that must be present: MISSING_FIELD names the first alias. */
  required(aliases: readonly string[]): string {
    const value = this.string(aliases);
    if (value === undefined) {
      const field = aliases[0] ?? '?';
      const also = aliases.length > 1 ? ` (or ${aliases.slice(1).join(', ')})` : '';
      return fail('MISSING_FIELD', `${this.format}: missing field "${field}"${also}`, {
        field,
        format: this.format,
      });
    }
    return value;
  }

  /** An integer field given as a number or a decimal string. */
  integer(aliases: readonly string[]): number | undefined {
    const hit = this.find(aliases);
    if (!hit) return undefined;
    const parsed = toInteger(hit.value);
    return parsed ?? this.invalid(hit.key, 'an integer', hit.value);
  }

  /** A timestamp field in any shape `parseTimestamp` accepts, as RFC 3339 UTC. */
  timestamp(aliases: readonly string[], referenceMs: number): string | undefined {
    const hit = this.find(aliases);
    if (!hit) return undefined;
    const parsed = parseTimestamp(hit.value, referenceMs);
    if (!parsed.ok) {
      return fail('INVALID_TIMESTAMP', `${this.format}: field "${hit.key}": ${parsed.reason}`, {
        field: hit.key,
        format: this.format,
      });
    }
    return toIso(parsed.ms, hit.value);
  }

  /** Scalar top-level keys no reader used, as string labels (so nothing is silently dropped). */
  rest(): Record<string, string> {
    const out: Record<string, string> = {};
    // for…in over JSON.parse's own keys (no entries arrays): this runs for every record.
    const obj = this.obj;
    for (const key in obj) {
      if (this.used.includes(key)) continue;
      const value = obj[key];
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
        out[labelKey(key)] = String(value);
      }
    }
    return out;
  }

  private invalid(key: string, expected: string, value: unknown): never {
    const shown = JSON.stringify(value)?.slice(0, 40) ?? String(value);
    return fail(
      'INVALID_FIELD',
      `${this.format}: field "${key}": expected ${expected}, got ${shown}`,
      {
        field: key,
        format: this.format,
      },
    );
  }
}

/** An integer from a number or a decimal string; undefined for anything else. */
export function toInteger(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value === 'string' && /^-?\d{1,15}$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

/** Label keys are plain words in ECS: dots and spaces become underscores. */
export function labelKey(key: string): string {
  return PLAIN_LABEL_KEY.test(key) ? key : key.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** A key `labelKey` leaves as it is (most are): the test allocates nothing. */
const PLAIN_LABEL_KEY = /^[A-Za-z0-9_-]*$/;
