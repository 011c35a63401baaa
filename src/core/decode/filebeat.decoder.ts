import { enter, type FormatDecoder } from './context';
import type { EventFields } from './event-fields';
import { decodeHistoryFileLine, isHistoryFile } from './history-file';
import { getPath, isObject, JsonFields, labelKey, parseJsonObject, type JsonObject } from './json';
import { parseTimestamp } from './timestamp';

/**
 * `filebeat`: a filebeat event whose `message` is one line of any other
 * format (a syslog line, a snoopy log line, a vssh JSON line, …), decoded
 * recursively with auto-detection. Filebeat's `host.name` (else
 * `agent.hostname`) and `@timestamp` fill what the line lacks, and the
 * `@timestamp` is the reference for a syslog time without a year.
 * `log.file.path` is kept as `labels.log_file_path`, and custom `fields`
 * as `labels.fields_<name>` (nested objects flattened with `_`).
 * A shell history file (`.bash_history`, `.zsh_history`) is read line by line:
 * each line is a command (see `history-file.ts`).
 */
export const decodeFilebeat: FormatDecoder = (text, ctx, json) => {
  const obj = json ?? parseJsonObject(text, 'filebeat');
  const r = new JsonFields(obj, 'filebeat');
  const message = r.required(['message']);
  const path = r.string(['log.file.path']);
  const labels: Record<string, string> = {};
  if (path !== undefined) labels.log_file_path = path;
  const custom = getPath(obj, 'fields');
  if (isObject(custom)) flatten(custom, 'fields', labels, 0);
  const envelope: EventFields = {
    'host.name': r.string(['host.name', 'host.hostname', 'agent.hostname']),
    '@timestamp': r.timestamp(['@timestamp'], ctx.referenceMs),
    labels,
  };
  const readAt =
    envelope['@timestamp'] === undefined ? undefined : parseTimestamp(envelope['@timestamp']);
  const referenceMs = readAt?.ok ? readAt.ms : undefined;
  const inner = enter(ctx, 'filebeat', envelope, referenceMs);
  if (path !== undefined && isHistoryFile(path)) return decodeHistoryFileLine(message, path, inner);
  return ctx.nested(message, inner);
};

/** True for a filebeat event (checked after the JSON is parsed). */
export function isFilebeatEvent(obj: JsonObject): boolean {
  return (
    typeof obj.message === 'string' &&
    ('agent' in obj || 'ecs' in obj || 'input' in obj || '@metadata' in obj || 'log' in obj)
  );
}

function flatten(
  obj: JsonObject,
  prefix: string,
  out: Record<string, string>,
  depth: number,
): void {
  for (const [key, value] of Object.entries(obj)) {
    const name = `${prefix}_${labelKey(key)}`;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      out[name] = String(value);
    } else if (isObject(value) && depth < 3) {
      flatten(value, name, out, depth + 1);
    }
  }
}
