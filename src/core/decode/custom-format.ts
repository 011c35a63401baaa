import { checkSync } from 'recheck';
import { sourceAddress } from './address';
import { fail, one, type FormatDecoder } from './context';
import { INTEGER_PATHS, mergeFields, STRING_PATHS, type EventFields } from './event-fields';
import { FormatConfigError, type FormatProblem } from './format-config-error';
import { isBuiltinFormat } from './formats';
import { isObject, labelKey, toInteger } from './json';
import { parseTimestamp, toIso } from './timestamp';

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

const NAME_RE = /^[a-z][a-z0-9_-]{0,63}$/;
const ALLOWED_FLAGS = /^[imsu]*$/;
const PATHS = new Set<string>(['@timestamp', ...STRING_PATHS, ...INTEGER_PATHS]);

/**
 * Checks a formats definition and returns every problem with a JSON pointer
 * (empty when it is good): shape, names, paths, and regex safety (recheck).
 * `recheckTimeoutMs` bounds the analysis of each regex (default 5000).
 */
export function validateFormatsDefinition(data: unknown, recheckTimeoutMs = 5000): FormatProblem[] {
  const problems: FormatProblem[] = [];
  const add = (pointer: string, message: string): void => {
    problems.push({ pointer, message });
  };
  if (!isObject(data) || !Array.isArray(data.formats)) {
    add('/formats', 'expected an object with a "formats" array');
    return problems;
  }
  const seen = new Set<string>();
  data.formats.forEach((item: unknown, index) => {
    const at = `/formats/${index}`;
    if (!isObject(item)) return add(at, 'expected an object');
    const name = typeof item.name === 'string' ? item.name : undefined;
    const label = `format "${name ?? `#${index}`}"`;
    if (name === undefined || !NAME_RE.test(name)) {
      add(`${at}/name`, `${label}: name must match ${NAME_RE.source}`);
    } else if (isBuiltinFormat(name)) {
      add(`${at}/name`, `${label}: name is a built-in format`);
    } else if (seen.has(name)) {
      add(`${at}/name`, `${label}: name is used twice`);
    } else {
      seen.add(name);
    }
    const hasRegex = item.regex !== undefined;
    const hasSplit = item.split !== undefined;
    if (hasRegex === hasSplit) add(at, `${label}: give exactly one of "regex" or "split"`);
    const mapped: string[] = [];
    if (hasRegex) {
      const flags = typeof item.flags === 'string' ? item.flags : '';
      if (!ALLOWED_FLAGS.test(flags))
        add(`${at}/flags`, `${label}: flags may only hold i, m, s, u`);
      const groups = checkRegex(item.regex, flags, `${at}/regex`, label, recheckTimeoutMs, add);
      const fields = isObject(item.fields) ? item.fields : {};
      if (item.fields !== undefined && !isObject(item.fields))
        add(`${at}/fields`, `${label}: expected an object`);
      for (const [group, path] of Object.entries(fields)) {
        if (!groups.includes(group))
          add(`${at}/fields/${group}`, `${label}: the regex has no group "${group}"`);
        if (typeof path !== 'string' || !isPath(path)) {
          add(
            `${at}/fields/${group}`,
            `${label}: ${JSON.stringify(path)} is not a known event path`,
          );
        }
      }
      for (const group of groups) mapped.push(groupPath(group, fields));
    }
    if (hasSplit) {
      const split = item.split;
      if (!isObject(split) || typeof split.delimiter !== 'string' || split.delimiter === '') {
        add(`${at}/split/delimiter`, `${label}: expected a non-empty string`);
      }
      const columns = isObject(split) ? split.fields : undefined;
      if (!Array.isArray(columns) || columns.length === 0) {
        add(`${at}/split/fields`, `${label}: expected a non-empty array of event paths`);
      } else {
        columns.forEach((path: unknown, i) => {
          if (typeof path !== 'string' || (path !== '' && !isPath(path))) {
            add(
              `${at}/split/fields/${i}`,
              `${label}: ${JSON.stringify(path)} is not a known event path`,
            );
          } else {
            mapped.push(path);
          }
        });
      }
    }
    if (item.constants !== undefined) {
      if (!isObject(item.constants)) add(`${at}/constants`, `${label}: expected an object`);
      else {
        for (const [path, value] of Object.entries(item.constants)) {
          if (!isPath(path))
            add(`${at}/constants/${path}`, `${label}: "${path}" is not a known event path`);
          if (typeof value !== 'string')
            add(`${at}/constants/${path}`, `${label}: expected a string value`);
          mapped.push(path);
        }
      }
    }
    if ((hasRegex || hasSplit) && !mapped.includes('process.command_line')) {
      add(at, `${label}: nothing maps to "process.command_line"`);
    }
    if (item.select !== undefined) {
      const select = item.select;
      if (!isObject(select)) return add(`${at}/select`, `${label}: expected an object`);
      if (
        select.topics !== undefined &&
        !(Array.isArray(select.topics) && select.topics.every((t) => typeof t === 'string'))
      ) {
        add(`${at}/select/topics`, `${label}: expected an array of topic names`);
      }
      if (select.match !== undefined)
        checkRegex(select.match, '', `${at}/select/match`, label, recheckTimeoutMs, add);
    }
  });
  return problems;
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
    return { '@timestamp': toIso(parsed.ms) };
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

function isPath(path: string): boolean {
  return PATHS.has(path) || /^labels\.[A-Za-z0-9_-]+$/.test(path);
}

/** Group names that need no `fields` entry (the usual short names). */
const SHORT_NAMES: Readonly<Record<string, string>> = {
  ts: '@timestamp',
  timestamp: '@timestamp',
  time: '@timestamp',
  user: 'user.name',
  uid: 'user.id',
  host: 'host.name',
  cmd: 'process.command_line',
  command: 'process.command_line',
  pid: 'process.pid',
  ppid: 'process.parent.pid',
  cwd: 'process.working_directory',
  exit_code: 'process.exit_code',
  rc: 'process.exit_code',
  session: 'session.id',
  tty: 'tty',
  src_ip: 'source.ip',
  client_ip: 'source.ip',
};

function groupPath(group: string, fields: Record<string, unknown>): string {
  const mapped = fields[group];
  if (typeof mapped === 'string') return mapped;
  const spelled = group.replace(/__/g, '.');
  if (PATHS.has(spelled)) return spelled;
  return SHORT_NAMES[group] ?? `labels.${group}`;
}

/** Compiles a regex, checks it with recheck, and returns its group names ([] when unusable). */
function checkRegex(
  source: unknown,
  flags: string,
  pointer: string,
  label: string,
  timeoutMs: number,
  add: (pointer: string, message: string) => void,
): string[] {
  if (typeof source !== 'string' || source === '') {
    add(pointer, `${label}: expected a regular expression string`);
    return [];
  }
  let groups: string[];
  try {
    const re = new RegExp(source, flags);
    groups = Object.keys(new RegExp(`${re.source}|`, flags).exec('')?.groups ?? {});
  } catch (err) {
    add(
      pointer,
      `${label}: invalid regular expression: ${err instanceof Error ? err.message : String(err)}`,
    );
    return [];
  }
  const diagnostics = checkSync(source, flags, { timeout: timeoutMs });
  if (diagnostics.status === 'vulnerable') {
    add(
      pointer,
      `${label}: regex is vulnerable to catastrophic backtracking (${diagnostics.complexity.summary}); attack string: ${diagnostics.attack.pattern}`,
    );
  } else if (diagnostics.status === 'unknown') {
    add(
      pointer,
      `${label}: regex could not be proven safe from catastrophic backtracking (${diagnostics.error.kind})`,
    );
  }
  return groups;
}
