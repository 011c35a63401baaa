import { skip } from './skip';
import {
  base64,
  base64offset,
  hasWildcard,
  literalOf,
  regexTest,
  specMatcher,
  toMatcher,
  windash,
} from './sigma-values';
import type { MatchKind, ValueTest } from './sigma-values';

/**
 * One Sigma field test (`Field|mod|mod: value(s)`) as a Shellwatch condition.
 * The field table, the modifiers and where Shellwatch goes beyond Sigma are in
 * docs/rules.md, "Sigma".
 */

/** A json-rules-engine condition (leaf or block). */
export type Condition = Record<string, unknown>;

/** A test that always holds (auditd `type: EXECVE`: every Shellwatch event is a command). */
export const ALWAYS = Symbol('always');
export type Converted = Condition | typeof ALWAYS;

/** Which fields a rule's log source gives. */
export type FieldSet = 'process' | 'auditd' | 'history';

interface Modifiers {
  kind: MatchKind | 're';
  all: boolean;
  cased: boolean;
  windash: boolean;
  encoding: 'base64' | 'base64offset' | undefined;
  exists: boolean;
  regexFlags: { i: boolean; m: boolean; s: boolean };
}

const NO_MEANING: Record<string, string> = {
  utf16le: 'a Windows text encoding, not found in Linux command text',
  utf16be: 'a Windows text encoding, not found in Linux command text',
  utf16: 'a Windows text encoding, not found in Linux command text',
  wide: 'a Windows text encoding, not found in Linux command text',
  fieldref: 'a Shellwatch condition cannot compare two fields of one event',
  cidr: 'no network address field in a process-creation event',
  lt: 'no numeric field is mapped',
  lte: 'no numeric field is mapped',
  gt: 'no numeric field is mapped',
  gte: 'no numeric field is mapped',
  expand: 'placeholders need values from the Sigma pipeline configuration',
};

function readModifiers(field: string, names: string[]): Modifiers {
  const mods: Modifiers = {
    kind: 'exact',
    all: false,
    cased: false,
    windash: false,
    encoding: undefined,
    exists: false,
    regexFlags: { i: false, m: false, s: false },
  };
  for (const raw of names) {
    const name = raw.toLowerCase();
    if (name === 'contains' || name === 'startswith' || name === 'endswith') {
      if (mods.kind === 're') skip('modifier', `${field}: "re" cannot be combined with "${name}"`);
      mods.kind = name;
    } else if (name === 're') mods.kind = 're';
    else if ((name === 'i' || name === 'm' || name === 's') && mods.kind === 're')
      mods.regexFlags[name] = true;
    else if (name === 'all') mods.all = true;
    else if (name === 'cased') mods.cased = true;
    else if (name === 'windash') mods.windash = true;
    else if (name === 'base64' || name === 'base64offset') mods.encoding = name;
    else if (name === 'exists') mods.exists = true;
    else {
      const why = NO_MEANING[name];
      skip(
        'modifier',
        `${field}: modifier "${raw}" ${why === undefined ? 'is unknown to the converter' : `has no meaning here: ${why}`}`,
      );
    }
  }
  if (mods.encoding === 'base64offset' && mods.kind !== 'contains')
    skip('modifier', `${field}: "base64offset" needs "contains" (the Sigma specification)`);
  if (mods.kind === 're' && (mods.encoding !== undefined || mods.windash))
    skip('modifier', `${field}: "re" cannot be combined with base64 or windash`);
  return mods;
}

const leaf = (
  fact: string,
  path: string | undefined,
  operator: string,
  value: unknown,
): Condition => (path === undefined ? { fact, operator, value } : { fact, path, operator, value });

const matcherLeaf = (fact: string, path: string | undefined, test: ValueTest): Condition => {
  const { operator, value } = toMatcher(test);
  return leaf(fact, path, operator, value);
};

const anyCommand = (spec: Record<string, unknown>): Condition =>
  leaf('commands', undefined, 'anyCommand', spec);

const any = (items: Condition[]): Condition =>
  items.length === 1 ? (items[0] as Condition) : { any: items };

/**
 * CommandLine: the whole line, and (for anchored tests) each sub-command's own text
 * and its unwrapped program + arguments, so `ls; nc -e x` and `sudo nc -e x` hit a
 * `startswith: 'nc -e'` the way a process-creation log would see `nc`.
 */
function commandLineTest(test: ValueTest): Condition {
  const line = matcherLeaf('commandLine', undefined, test);
  if (test.kind === 'contains') return line;
  const forms = [line, anyCommand({ raw: specMatcher(test) })];
  if ((test.kind === 'startswith' || test.kind === 'exact') && !hasWildcard(test.text)) {
    const text = literalOf(test.text).trimStart();
    const space = text.search(/\s/);
    const word = space < 0 ? text : text.slice(0, space);
    const rest = space < 0 ? '' : text.slice(space + 1);
    const program = word.slice(word.lastIndexOf('/') + 1);
    const plain = (kind: MatchKind, value: string): ValueTest => ({
      kind,
      text: value.replace(/[*?\\]/g, '\\$&'),
      cased: test.cased,
    });
    if (program !== '') {
      const exactProgram = specMatcher(plain('exact', program));
      if (test.kind === 'exact')
        forms.push(anyCommand({ program: exactProgram, args: specMatcher(plain('exact', rest)) }));
      else if (space < 0)
        forms.push(anyCommand({ program: specMatcher(plain('startswith', program)) }));
      else if (rest === '') forms.push(anyCommand({ program: exactProgram }));
      else
        forms.push(
          anyCommand({ program: exactProgram, args: specMatcher(plain('startswith', rest)) }),
        );
    }
  }
  return any(forms);
}

/**
 * Image / OriginalFileName / auditd exe, comm: the program basename after
 * Shellwatch's unwrapping (sudo, env, nohup, ...). Command text has no resolved
 * path, so a value's directory is not checked: `/usr/bin/nc` and `*\/nc` both mean
 * the program `nc`.
 */
function programTest(field: string, test: ValueTest): Condition {
  if (test.kind === 're')
    skip(
      'value',
      `${field}|re: a regex over the executable's full path cannot be checked against a program name`,
    );
  const hasSlash = literalOf(test.text).includes('/');
  if (test.kind === 'startswith')
    skip(
      'value',
      `${field}|startswith ${JSON.stringify(test.text)}: the executable's directory is not in command text`,
    );
  if (test.kind === 'contains') {
    if (hasSlash)
      skip(
        'value',
        `${field}|contains ${JSON.stringify(test.text)}: the executable's directory is not in command text`,
      );
    return anyCommand({ program: specMatcher(test) });
  }
  if (!hasSlash) return anyCommand({ program: specMatcher(test) });
  // Cut at the last unescaped '/': what follows is the basename.
  const cut = test.text.lastIndexOf('/');
  const base = test.text.slice(cut + 1);
  if (base === '' || base === '*')
    skip('value', `${field} ${JSON.stringify(test.text)}: names a directory, not a program`);
  return anyCommand({ program: specMatcher({ kind: 'exact', text: base, cased: test.cased }) });
}

type FieldMapping = {
  test: (test: ValueTest) => Condition;
  /** The fact and path `exists` and `null` look at; undefined when it has no meaning. */
  presence?: { fact: string; path?: string };
};

const PARENT_FIELDS = /^Parent/i;

function mapping(field: string, fields: FieldSet): FieldMapping {
  if (field === 'CommandLine' && fields === 'process')
    return { test: commandLineTest, presence: { fact: 'process', path: '$.command_line' } };
  if ((field === 'Image' || field === 'OriginalFileName') && fields === 'process')
    return { test: (t) => programTest(field, t) };
  if (field === 'User' && fields === 'process')
    return {
      test: (t) => matcherLeaf('user', '$.name', t),
      presence: { fact: 'user', path: '$.name' },
    };
  if (field === 'CurrentDirectory' && fields === 'process')
    return {
      test: (t) => matcherLeaf('process', '$.working_directory', t),
      presence: { fact: 'process', path: '$.working_directory' },
    };
  if (fields === 'auditd') {
    const position = /^a(\d{1,2})$/.exec(field);
    if (position !== null) {
      const n = Number(position[1]);
      const path = `$.args[${n}]`;
      return {
        // auditd records carry argv (process.args): position n exactly; command text:
        // the unwrapped program (a0) or some argument (a1..aN; positions not counted).
        test: (t) =>
          any([
            matcherLeaf('process', path, t),
            n === 0
              ? programTest(field, t)
              : t.kind === 're'
                ? matcherLeaf('process', path, t)
                : anyCommand({ anyArg: specMatcher(t) }),
          ]),
        presence: { fact: 'process', path },
      };
    }
    if (field === 'exe' || field === 'comm') return { test: (t) => programTest(field, t) };
  }
  if (PARENT_FIELDS.test(field))
    skip(
      'unknown-field',
      `field ${field}: command events carry no parent process (only process.parent.pid)`,
    );
  skip('unknown-field', `field ${field} has no Shellwatch equivalent for a ${fields} rule`);
}

/** auditd `type`: EXECVE (or SYSCALL with execve) is what every command event is; anything else is not a command. */
function auditType(values: unknown[]): Converted {
  const ok = values.every((v) => typeof v === 'string' && /^(EXECVE)$/i.test(v));
  if (!ok) skip('value', `auditd type ${JSON.stringify(values)}: only EXECVE records are commands`);
  return ALWAYS;
}

/** A scalar Sigma value as text (numbers and booleans are compared as written). */
function text(field: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return skip(
    'value',
    `${field}: a value must be a string, a number or null, not ${JSON.stringify(value)}`,
  );
}

/** One field of a selection, all its values: OR over the values, AND with `|all`. */
export function fieldCondition(key: string, rawValue: unknown, fields: FieldSet): Converted {
  const [field = '', ...modifierNames] = key.split('|');
  if (fields === 'auditd' && field === 'type' && modifierNames.length === 0)
    return auditType(Array.isArray(rawValue) ? rawValue : [rawValue]);
  if (fields === 'history')
    skip('unknown-field', `field ${field}: a shell-history rule has keywords only`);
  const map = mapping(field, fields);
  const mods = readModifiers(field, modifierNames);
  const values: unknown[] = Array.isArray(rawValue) ? rawValue : [rawValue];
  if (values.length === 0) skip('value', `${field}: an empty list of values`);
  if (mods.exists) {
    if (values.length !== 1 || typeof values[0] !== 'boolean')
      skip('value', `${field}|exists takes true or false`);
    if (map.presence === undefined) skip('modifier', `${field}|exists: no event field to look at`);
    return leaf(map.presence.fact, map.presence.path, 'exists', values[0]);
  }
  const conditions = values.map((value): Condition => {
    if (value === null) {
      if (map.presence === undefined) skip('value', `${field}: null has no meaning here`);
      return leaf(map.presence.fact, map.presence.path, 'exists', false);
    }
    return any(valueTests(field, text(field, value), mods).map(map.test));
  });
  if (conditions.length === 1) return conditions[0] as Condition;
  return mods.all ? { all: conditions } : { any: conditions };
}

/** A value after windash / base64 expansion: each variant is one test (any of them holds). */
function valueTests(field: string, value: string, mods: Modifiers): ValueTest[] {
  if (mods.kind === 're') return [regexTest(value, mods.regexFlags)];
  const kind = mods.kind;
  const variants = mods.windash ? windash(value) : [value];
  if (mods.encoding !== undefined) {
    if (hasWildcard(value)) skip('value', `${field}: a base64 value cannot hold wildcards`);
    const encoded = variants.flatMap((v) =>
      mods.encoding === 'base64' ? [base64(v)] : base64offset(v),
    );
    // Base64 text is case-sensitive; escape so that * and ? in the alphabet-free text stay literal.
    return encoded.map((e) => ({ kind, text: e.replace(/[*?\\]/g, '\\$&'), cased: true }));
  }
  return variants.map((v) => ({ kind, text: v, cased: mods.cased }));
}

/** A keyword (a value of a keyword list): the command line contains it (wildcards allowed). */
export function keywordCondition(value: unknown, cased = false): Condition {
  return matcherLeaf('commandLine', undefined, {
    kind: 'contains',
    text: text('keyword', value),
    cased,
  });
}
