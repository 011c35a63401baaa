import { recheck } from '../rules/operators/recheck';
import type { FormatProblem } from './format-config-error';
import { isBuiltinFormat } from './formats';
import { groupPath, isPath } from './custom-format-paths';
import { isObject } from './json';
import { errorMessage } from '../errors';

/*
 * Validation of operator-defined formats (see custom-format.ts for the shape).
 * Regexes are checked with recheck (automaton analysis, fuzzing as a fallback):
 * a pattern with exponential or polynomial backtracking is refused, and so is
 * one recheck cannot prove safe within the time limit, because one such
 * pattern on the hot path would stall a whole partition on a crafted line.
 * This runs once at start (and on `rules validate`-style checks), never per record.
 */
const NAME_RE = /^[a-z][a-z0-9_-]{0,63}$/;
const ALLOWED_FLAGS = /^[imsu]*$/;

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
    add(pointer, `${label}: invalid regular expression: ${errorMessage(err)}`);
    return [];
  }
  const diagnostics = recheck().checkSync(source, flags, { timeout: timeoutMs });
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
