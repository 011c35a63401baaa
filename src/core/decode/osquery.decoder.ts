import { fail, noEvents, type DecodeContext, type FormatDecoder } from './context';
import { finish } from './context';
import type { CommandEvent } from '../event';
import { isObject, JsonFields, parseJsonObject, type JsonObject } from './json';
import { parseTimestamp, toIso } from './timestamp';

/**
 * `osquery`: results of a scheduled `shell_history` query from osqueryd's
 * filesystem/Kafka logger.
 * - Event format (one row): `name`, `hostIdentifier`, `unixTime`, `action`
 *   (`added`/`removed`), `columns` {`uid`, `username`?, `command`, `time`,
 *   `history_file`}. Only `added` rows are new commands; `removed` rows yield no event.
 * - Batch format: `diffResults` {`added`: [columns…], `removed`: […]}, one event
 *   per added row; a `snapshot` array is treated as added rows.
 *
 * `columns.time` (set when HISTTIMEFORMAT/zsh extended history recorded one,
 * else `0`) is the command's time, else `unixTime` (when the query ran).
 * `hostIdentifier` → `host.name`, `uid` → `user.id`, `username` → `user.name`,
 * `history_file` → `labels.history_file`, the query `name` → `labels.osquery_query`.
 */
export const decodeOsquery: FormatDecoder = (text, ctx, json) => {
  const obj = json ?? parseJsonObject(text, 'osquery');
  const r = new JsonFields(obj, 'osquery');
  const query = r.string(['name']);
  const host = r.string(['hostIdentifier', 'host_identifier', 'hostname']);
  const ranAt = r.timestamp(['unixTime', 'calendarTime'], ctx.referenceMs);
  const rows: unknown[] = [];
  if (isObject(obj.diffResults)) {
    rows.push(...list(obj.diffResults.added));
  } else if (Array.isArray(obj.snapshot)) {
    rows.push(...list(obj.snapshot));
  } else {
    const action = r.string(['action']);
    if (action !== 'removed')
      rows.push(
        obj.columns ??
          fail('MISSING_FIELD', 'osquery: missing field "columns"', {
            field: 'columns',
            format: 'osquery',
          }),
      );
  }
  const events: CommandEvent[] = rows.map((row, index) => {
    if (!isObject(row))
      return fail('INVALID_FIELD', `osquery: row ${index} is not an object`, {
        field: 'columns',
        format: 'osquery',
      });
    return rowEvent(row, { query, host, ranAt }, ctx);
  });
  // A `removed` row or a diff with no added row: understood, no new command.
  return events.length > 0 ? { kind: 'events', events } : noEvents();
};

/** True for an osquery result (checked after the JSON is parsed). */
export function isOsqueryResult(obj: JsonObject): boolean {
  return (
    'diffResults' in obj ||
    (('hostIdentifier' in obj || 'host_identifier' in obj) &&
      ('columns' in obj || 'snapshot' in obj))
  );
}

function rowEvent(
  row: JsonObject,
  envelope: { query?: string; host?: string; ranAt?: string },
  ctx: DecodeContext,
): CommandEvent {
  const c = new JsonFields(row, 'osquery columns');
  const command = c.required(['command']);
  const time = c.find(['time']);
  let at = envelope.ranAt;
  if (time !== undefined && time.value !== '0' && time.value !== 0) {
    const parsed = parseTimestamp(time.value, ctx.referenceMs);
    if (!parsed.ok)
      fail('INVALID_TIMESTAMP', `osquery: field "columns.time": ${parsed.reason}`, {
        field: 'columns.time',
        format: 'osquery',
      });
    at = toIso(parsed.ms, time.value);
  }
  const labels: Record<string, string> = {};
  const file = c.string(['history_file']);
  if (file !== undefined) labels.history_file = file;
  if (envelope.query !== undefined) labels.osquery_query = envelope.query;
  return finish(
    {
      'process.command_line': command,
      '@timestamp': at,
      'host.name': envelope.host,
      'user.id': c.string(['uid']),
      'user.name': c.string(['username']),
      labels,
    },
    'osquery',
    ctx,
  );
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : [];
}
