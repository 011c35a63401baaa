import { sourceAddress } from './address';
import { fail, one, type FormatDecoder } from './context';
import { INTEGER_PATHS, mergeFields, type EventFields } from './event-fields';
import { groupPath } from './custom-format-paths';
import { FormatConfigError } from './format-config-error';
import { labelKey, toInteger } from './json';
import { parseTimestamp, toIso } from './timestamp';
import { validateFormatsDefinition } from './validate-formats';

/**
 * Operator-defined formats: a line format described as data, no code. The
 * definition is a plain object (loading it from a file is the caller's job):
 *
 * ```json
 * { "formats": [
 *   { "name": "jumpbox",
 *     "regex": "^(?<ts>\\S+) (?<user>\\w+)@(?<host>\\S+) \\$ (?<cmd>.*)$",
 *     "fields": { "ts": "@timestamp", "user": "user.name", "host": "host.name",
 *                 "cmd": "process.command_line" },
 *     "select": { "topics": ["jumpbox.commands"], "match": "^\\S+ \\w+@\\S+ \\$ " } },
 *   { "name": "pipe-audit",
 *     "split": { "delimiter": "|", "fields": ["@timestamp", "user.name", "", "process.command_line"] },
 *     "constants": { "labels.site": "paris" } } ] }
 * ```
 *
 * - `regex`: named capture groups; `fields` maps a group to an event path. A group
 *   not in `fields` maps to the path its name spells with `__` for `.`
 *   (`process__pid`), else by its short name (`ts`/`timestamp`/`time`, `user`,
 *   `uid`, `host`, `cmd`/`command`, `pid`, `ppid`, `cwd`, `exit_code`/`rc`,
 *   `session`, `tty`, `src_ip`/`client_ip`), else to `labels.<group>`.
 *   `flags` may hold `i`, `m`, `s`, `u`.
 * - `split`: the line is cut at `delimiter` into as many parts as `fields` names;
 *   the last part keeps the rest of the line (a command may contain the
 *   delimiter). An empty name skips that column.
 * - Paths: `@timestamp` (any shape `timestamp.ts` accepts), the string and
 *   integer ECS paths of `event-fields.ts`, or `labels.<name>`. One of them must
 *   be `process.command_line`.
 * - `constants`: path → fixed value, for what every line of the format shares.
 * - `select`: `topics` pins the format for those topics; `match` (a regex) lets
 *   `auto` pick it when a line matches, tried before the built-in detection.
 *   A Kafka header (`formatHeader` option) naming the format selects it too.
 *
 * Every regex is checked with recheck for catastrophic backtracking before it
 * is used: one bad pattern on the hot path would stall a partition.
 */
export interface FormatsDefinition {
  formats: CustomFormatDefinition[];
}

/** One operator-defined format; see `FormatsDefinition`. */
export interface CustomFormatDefinition {
  name: string;
  description?: string;
  regex?: string;
  flags?: string;
  split?: { delimiter: string; fields: string[] };
  fields?: Record<string, string>;
  constants?: Record<string, string>;
  select?: { topics?: string[]; match?: string };
}

/** A validated, ready-to-run operator format. */
export interface CompiledFormat {
  name: string;
  decode: FormatDecoder;
  match?: RegExp;
  topics: readonly string[];
}

/** Validates and compiles a definition; throws `FormatConfigError` listing every problem. */
export function compileFormats(data: unknown, recheckTimeoutMs?: number): CompiledFormat[] {
  const problems = validateFormatsDefinition(data, recheckTimeoutMs);
  if (problems.length > 0) throw new FormatConfigError(problems);
  return (data as FormatsDefinition).formats.map(compileOne);
}

function compileOne(def: CustomFormatDefinition): CompiledFormat {
  const constants = def.constants ?? {};
  const name = def.name;
  let extract: (text: string) => [string, string][];
  if (def.regex !== undefined) {
    const re = new RegExp(def.regex, def.flags ?? '');
    const fields = def.fields ?? {};
    extract = (text) => {
      const groups = re.exec(text)?.groups;
      if (groups === undefined) {
        return fail('INVALID_FIELD', `${name}: line does not match the format's regex`, {
          format: name,
        });
      }
      return Object.entries(groups).flatMap(([group, value]) =>
        value === undefined ? [] : [[groupPath(group, fields), value]],
      );
    };
  } else {
    const { delimiter, fields } = def.split ?? { delimiter: ' ', fields: [] };
    extract = (text) => {
      const parts = splitN(text, delimiter, fields.length);
      if (parts.length < fields.length) {
        return fail(
          'INVALID_FIELD',
          `${name}: expected ${fields.length} "${delimiter}"-separated fields, got ${parts.length}`,
          {
            format: name,
          },
        );
      }
      return fields.flatMap((path, i) => (path === '' ? [] : [[path, parts[i] ?? '']]));
    };
  }
  const decode: FormatDecoder = (text, ctx) => {
    const layers: EventFields[] = [];
    for (const [path, value] of [...Object.entries(constants), ...extract(text)]) {
      layers.push(assign(path, value, name, ctx.referenceMs));
    }
    return one(mergeFields(...layers), name, ctx);
  };
  return {
    name,
    decode,
    match: def.select?.match === undefined ? undefined : new RegExp(def.select.match),
    topics: def.select?.topics ?? [],
  };
}

function assign(path: string, value: string, format: string, referenceMs: number): EventFields {
  if (value === '') return {};
  if (path.startsWith('labels.')) return { labels: { [labelKey(path.slice(7))]: value } };
  if (path === '@timestamp') {
    const parsed = parseTimestamp(value, referenceMs);
    if (!parsed.ok)
      return fail('INVALID_TIMESTAMP', `${format}: ${parsed.reason}`, { field: path, format });
    return { '@timestamp': toIso(parsed.ms, value) };
  }
  if (path === 'source.ip') return sourceAddress(value);
  if ((INTEGER_PATHS as readonly string[]).includes(path)) {
    const n = toInteger(value);
    if (n === undefined)
      return fail('INVALID_FIELD', `${format}: "${path}" is not an integer`, {
        field: path,
        format,
      });
    return { [path]: n };
  }
  return { [path]: value };
}

function splitN(text: string, delimiter: string, n: number): string[] {
  const parts: string[] = [];
  let from = 0;
  while (parts.length < n - 1) {
    const at = text.indexOf(delimiter, from);
    if (at < 0) break;
    parts.push(text.slice(from, at));
    from = at + delimiter.length;
  }
  parts.push(text.slice(from));
  return parts;
}
