import { EVENT_FACT_NAMES, userIsRoot } from './facts';
import type { EventFacts, FactName } from './facts';
import { anyChildren } from './compile-condition';
import type { CompiledNode } from './compile-condition';
import { KeywordScanner } from './keyword-scanner';
import { argsText } from './operators/any-command.operator';
import {
  literalWeight,
  requiredLiteralParts,
  requiredLiterals,
  selectivityScore,
} from './literal-extraction';
import type { LoadedRule } from './load-rule-set';
import { globRegex } from './operators/glob.operator';
import type { CompileContext } from './operators/operator';
import { compilePath } from './resolve-path';

/**
 * The prefilter: which rules could match an event, decided from a necessary
 * condition extracted from each rule's condition tree at load time, so an event
 * runs only those rules (issue 8). A rule whose condition yields nothing usable is
 * a candidate for every event. Dropping a rule that would match is the one thing
 * this must never do; the differential tests hold it to that.
 *
 * A necessary condition is a disjunction of atoms, any of which may hold:
 * - `program`: the `programs` fact contains this exact name (from `anyCommand`
 *   `program` / `pipedFrom` / `pipesTo` specs, and `programs` with
 *   `contains`/`inList`/`equal`/`in`);
 * - `keyword` on a channel: the lowercased text of that channel contains it —
 *   `line` (the `commandLine` fact as received), `commands` (every field of every
 *   parsed sub-command, each lowercased on its own: de-obfuscated words, so
 *   `r''m` is `rm` there) or `decoded` (base64/hex payloads). Keywords come from
 *   regex literals (literal-extraction.ts) and from the string operators.
 * - `root`: the event's user fields name root (the half of `isRoot` that needs no
 *   parsing); `isRoot = true` becomes `root`, or `sudo`/`doas`/`su` among the
 *   `commands` keywords, since elevation comes only from those programs.
 * - `field`: the lowercased value of one event field (a fact read straight from the
 *   event, such as `process` at `$.working_directory` or `user` at `$.name`) contains
 *   this keyword; from the string operators and `glob` on that field. A rule scoped to
 *   a directory, a user or a host then runs only for events in it.
 * `all` keeps the most selective child's condition, `any` the union of its
 * children's (nothing if one child has none), `not` yields nothing; exceptions
 * only remove matches and are ignored.
 *
 * Plain lines skip the shell parser. When a line is ASCII and has none of the
 * characters that make the parser produce text the line does not contain (quotes,
 * backslash, backtick, `$`), every field of every parsed command is made of
 * space-separated pieces of the lowercased line (words are substrings; `argsText`,
 * `eval` scripts and `find -exec` argv are words joined by one space, and a
 * redirection can sit between two arguments). So for such a line each `commands`
 * keyword is restated as its longest space-free piece (with the one space before or
 * after it in the keyword: a space in a field is a word end in the line), and one scan
 * of the line, as if a space preceded and followed it, stands in for parsing it and
 * scanning every field.
 *
 * A program (or wrapper) name is a word or the tail of one after its last `/`, so it is
 * restated twice, ` name ` and `/name `: `sh` is not found in `ssh` or `run.sh`. The
 * only words the parser does not take at a word start are option values that become
 * commands — `env -S`/`--split-string`, `su -c`/`--command` (`env -Sbash`,
 * `su -cid`) — so a plain line where `env ` or `su ` occurs is also scanned the parsed
 * way, which has no such assumption. Text a shell reads on stdin is parsed as commands
 * too (`echo id | sh`, `sh <<< id`): echo's words joined by one space, or a here-string
 * word, are pieces of the line like `eval`'s; printf's output and decoded payloads are
 * not, so a plain line naming printf or a decoder is scanned the parsed way as well.
 * Brace expansion and absolute globs also make words the line lacks: such lines are not
 * plain (EXPANSION_CLASS).
 *
 * Lines whose only such characters are quotes, balanced and never one kind inside the
 * other (`grep "a b" f`, `r''m -rf /`), skip it too. Removing a quote is all the
 * parser does with them, so every word is a piece of the line with its quote
 * characters deleted, and a command's raw text a piece of the line itself: two scans,
 * of the line and of its unquoted text. A quote inside the other kind is left to the
 * parser, because a script re-parsed from a quoted word (`sh -c`, `eval`) would
 * remove it too.
 */
export type Channel = 'line' | 'commands' | 'decoded';

export type Atom =
  | { kind: 'program'; name: string }
  | { kind: 'keyword'; channel: Channel; text: string; endsWord?: true }
  | { kind: 'field'; field: EventField; text: string }
  | { kind: 'root' };

/** An event fact and the path read from it, as a condition names them. */
export interface EventField {
  fact: FactName;
  path: string | undefined;
}

/** A disjunction of atoms; undefined when no necessary condition is known. */
export type Requirement = readonly Atom[] | undefined;

/**
 * Disjunctions that must all hold (at most MAX_PARTS, the most selective): a command
 * like `cat` is common and a path like `/dev/input/` rare, but "cat and /dev/input/"
 * is rarer than either. Undefined when no necessary condition is known.
 */
export type Conjunction = readonly (readonly Atom[])[] | undefined;

const CHANNELS: readonly Channel[] = ['line', 'commands', 'decoded'];
const PROGRAM_SCORE = 8;
// An `any` with more atoms than this counts as no requirement; the scanner handles thousands.
const MAX_ATOMS = 4096;
/** Parts kept of a conjunction: the second cuts most of the first's false hits, a third adds little. */
const MAX_PARTS = 2;
/**
 * A part kept beside the most selective one must score above this, i.e. be rarer than
 * one ordinary character. A space, `-`, `/` or "any letter" (a regex's `[a-z]+` beside
 * its literal) is in nearly every line: marking the parts it stands for on every event
 * cost more than the few candidates it saved (A/B on the bench's 100- and 1,000-rule
 * sets, 2026-11-26: ~1.1× faster without such parts).
 */
const SECOND_PART_SCORE_ABOVE = 1;
const INDEX_PATH = /^\$\[[0-9]+\]$/;
/**
 * A command is `elevated` only when one of these programs runs it or an enclosing
 * script (unwrap-program.ts), and that program's name is a field of some command of
 * the line.
 */
const ELEVATION_REQUIREMENT: readonly Atom[] = ['sudo', 'doas', 'su'].map((text): Atom => ({
  kind: 'keyword',
  channel: 'commands',
  text,
  endsWord: true,
}));
/** `isRoot` holds only for a root user or an elevated command (facts.ts). */
const ROOT_REQUIREMENT: readonly Atom[] = [{ kind: 'root' }, ...ELEVATION_REQUIREMENT];

/**
 * `line` without its quote characters when the parser can only cut it into pieces
 * and remove quotes (see the module comment): ASCII, none of \ ` $, quotes balanced
 * and none inside the other kind. `line` itself when it has no quotes (a plain line);
 * undefined when it must be parsed.
 */
export function unquotedPlainText(line: string): string | undefined {
  let unquoted = '';
  let copiedTo = 0;
  let open = 0;
  let braceSeen = false;
  let slashInWord = false;
  for (let i = 0; i < line.length; i++) {
    const code = line.charCodeAt(i);
    // 0x22 " 0x24 $ 0x27 ' 0x5c \ 0x60 `
    if (code >= 128 || code === 0x24 || code === 0x5c || code === 0x60) return undefined;
    if (code !== 0x22 && code !== 0x27) {
      if (code === 0x2f) slashInWord = true;
      if (open === 0 && code < 128) {
        const kind = EXPANSION_CLASS[code];
        if (kind === WORD_END) slashInWord = false;
        else if (kind === BRACE) braceSeen = true;
        else if (kind === GLOB && slashInWord) return undefined;
        else if (kind === BRACE_SEPARATOR && braceSeen) {
          if (code === 0x2c || line.charCodeAt(i + 1) === 0x2e) return undefined;
        }
      }
      continue;
    }
    if (open === 0) open = code;
    else if (open === code) open = 0;
    else return undefined;
    unquoted += line.slice(copiedTo, i);
    copiedTo = i + 1;
  }
  if (open !== 0) return undefined;
  return copiedTo === 0 ? line : unquoted + line.slice(copiedTo);
}

/** In EXPANSION_CLASS: a character that ends a word outside quotes. */
const WORD_END = 1;
/** In EXPANSION_CLASS: `{`, which may open a brace expansion. */
const BRACE = 2;
/** In EXPANSION_CLASS: `,` or `.`, which may make a `{...}` after a `{` a brace expansion. */
const BRACE_SEPARATOR = 3;
/** In EXPANSION_CLASS: `* ? [`, which make a word starting with `/` a glob. */
const GLOB = 4;

/**
 * What unquotedPlainText watches for besides quotes: the parser expands an unquoted
 * `{a,b}` or `{1..3}` (expand-braces.ts) into words the line does not contain, and
 * adds the paths an absolute glob names (`/etc/shado[w]`), so a line with an unquoted
 * `{` followed by an unquoted `,` or `..`, or an unquoted glob character in a word with
 * a `/` before it, is parsed. Over-approximate on purpose: cheap and sound.
 */
const EXPANSION_CLASS: Uint8Array = (() => {
  const table = new Uint8Array(128);
  for (const ch of ' \t\r\n;|&()<>') table[ch.charCodeAt(0)] = WORD_END;
  table[0x7b] = BRACE;
  table[0x2c] = BRACE_SEPARATOR;
  table[0x2e] = BRACE_SEPARATOR;
  for (const ch of '*?[') table[ch.charCodeAt(0)] = GLOB;
  return table;
})();

/**
 * Whether the parser can only cut `line` into pieces (see the module comment): ASCII,
 * and none of the characters ' " \ ` $.
 */
export function isPlainLine(line: string): boolean {
  return unquotedPlainText(line) === line;
}

/**
 * The characters that end a word in a plain line (split-commands.ts): a program name
 * or wrapper is a whole word or a word's tail, so on a plain line one of these (or the
 * line's end, scanned as a space) follows it.
 */
const WORD_ENDS = ' \t\r\n;|&()<>';
const SPACE = 0x20;
/**
 * How a plain line and its keywords are folded before the scan: lowercase, and every
 * word end a space. Folding both alike keeps "keyword in line" true, and a program then
 * needs one keyword (`name `) rather than one per word end.
 */
const PLAIN_FOLD: Uint8Array = (() => {
  const fold = new Uint8Array(128);
  for (let code = 0; code < 128; code++) fold[code] = code >= 65 && code <= 90 ? code + 32 : code;
  for (const end of WORD_ENDS) fold[end.charCodeAt(0)] = SPACE;
  return fold;
})();

/** `text` folded like a plain line, or undefined when it is not ASCII (it cannot occur in one). */
function foldPlain(text: string): string | undefined {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 128) return undefined;
    out += String.fromCharCode(PLAIN_FOLD[code]!);
  }
  return out;
}

/** The longest run of `text` without a space, tab, CR or LF ('' when there is none). */
function longestPiece(text: string): string {
  let best = '';
  for (const piece of text.split(/[ \t\r\n]+/)) if (piece.length > best.length) best = piece;
  return best;
}

/**
 * The longest run of `text` without a space, tab, CR or LF, with the single space
 * before and after it when `text` has one there ('' when there is no run).
 */
function longestPieceWithSpaces(text: string): string {
  const piece = longestPiece(text);
  if (piece === '') return '';
  const at = text.indexOf(piece);
  const before = at > 0 && text[at - 1] === ' ' ? ' ' : '';
  const after = text[at + piece.length] === ' ' ? ' ' : '';
  return `${before}${piece}${after}`;
}

/**
 * Programs whose output a shell may read as commands with text the line does not hold
 * verbatim (stdin-scripts.ts): printf's format, and decoders. A plain line naming one
 * is scanned the parsed way too.
 */
const STDIN_PRODUCERS = ['printf', 'base64', 'base32', 'basenc', 'xxd', 'openssl'];

/**
 * Plain-line keywords that send the line to the parsed scan as well: where they occur,
 * a command may start inside a word, or a shell may read text the line does not hold
 * (see the module comment).
 */
const WORD_START_EXCEPTIONS = ['env ', 'su ', ...STDIN_PRODUCERS];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const strings: unknown[] = value;
  return strings.every((v): v is string => typeof v === 'string') ? strings : undefined;
}

function atomWeight(atom: Atom): number {
  return atom.kind === 'keyword' || atom.kind === 'field'
    ? literalWeight(atom.text)
    : PROGRAM_SCORE;
}

function requirementScore(requirement: readonly Atom[]): number {
  let weakest = Infinity;
  for (const atom of requirement) weakest = Math.min(weakest, atomWeight(atom));
  return selectivityScore(weakest, requirement.length);
}

function bestOf(a: Requirement, b: Requirement): Requirement {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return requirementScore(b) > requirementScore(a) ? b : a;
}

/** One atom per distinct text; none when a text is '' (a program or keyword that says nothing). */
function textAtoms(
  texts: readonly string[] | undefined,
  atom: (text: string) => Atom,
): Requirement {
  if (texts === undefined || texts.length === 0 || texts.some((t) => t === '')) return undefined;
  return [...new Set(texts)].map(atom);
}

function keywords(channel: Channel, texts: readonly string[] | undefined): Requirement {
  return textAtoms(texts, (text) => ({ kind: 'keyword', channel, text }));
}

function programs(names: readonly string[] | undefined): Requirement {
  return textAtoms(names, (name) => ({ kind: 'program', name }));
}

/** The longest run of ASCII characters, lowercased: safe for case-sensitive substring tests. */
function asciiCore(text: string): string | undefined {
  let best = '';
  let run = '';
  for (const ch of text + '\u0080') {
    if (ch.charCodeAt(0) < 128) {
      run += ch;
    } else {
      if (run.length > best.length) best = run;
      run = '';
    }
  }
  return best === '' ? undefined : best.toLowerCase();
}

function allDefined(values: (string | undefined)[]): string[] | undefined {
  return values.every((v): v is string => v !== undefined) ? values : undefined;
}

/**
 * Keyword disjunctions, most selective first, each of which the lowercased tested
 * string must meet (contain one of its keywords) for `operator(value)` to hold: several
 * for a regex whose sequence has several literals, else at most one. Empty when none
 * is known.
 */
function stringOperatorParts(operator: string, value: unknown, ctx: CompileContext): string[][] {
  if (operator === 'regex') return regexParts(value);
  const keywords = stringOperatorKeywords(operator, value, ctx);
  return keywords === undefined ? [] : [keywords];
}

/** The necessary literal disjunctions of a `regex` operator's value (pattern or `{pattern, flags}`). */
function regexParts(value: unknown): string[][] {
  const pattern = isRecord(value) ? value['pattern'] : value;
  const flags = isRecord(value) ? (value['flags'] ?? '') : '';
  if (typeof pattern !== 'string' || typeof flags !== 'string') return [];
  return requiredLiteralParts(pattern, flags);
}

/**
 * Keywords one of which the lowercased tested string must contain for
 * `operator(value)` to hold; undefined when none are known.
 */
function stringOperatorKeywords(
  operator: string,
  value: unknown,
  ctx: CompileContext,
): string[] | undefined {
  switch (operator) {
    case 'regex':
      return regexParts(value)[0];
    case 'containsI':
    case 'startsWithI':
    case 'endsWithI':
      // The operator itself compares `s.toLowerCase()` with `needle.toLowerCase()`.
      return stringList(value)?.map((needle) => needle.toLowerCase());
    case 'containsWord':
      return allDefined(stringList(value)?.map(asciiCore) ?? [undefined]);
    case 'equal':
      return typeof value === 'string' ? [value.toLowerCase()] : undefined;
    case 'in': {
      if (!Array.isArray(value)) return undefined;
      // Only a string can equal the string fact; other items never match it.
      const strings = value.filter((v): v is string => typeof v === 'string');
      return strings.length > 0 ? strings.map((s) => s.toLowerCase()) : undefined;
    }
    case 'inList': {
      const items = typeof value === 'string' ? ctx.lists.get(value) : undefined;
      return items === undefined ? undefined : [...items].map((s) => s.toLowerCase());
    }
    case 'glob':
      return globKeywords(value);
    default:
      return undefined;
  }
}

/**
 * Keywords of a `glob` operator's value, lowercased: for each pattern, literals one of
 * which the operator's own regex (globRegex) needs; undefined when some pattern needs
 * none (`*`, `**`) or is invalid.
 */
function globKeywords(value: unknown): string[] | undefined {
  const patterns = stringList(value);
  if (patterns === undefined) return undefined;
  const out: string[] = [];
  for (const pattern of patterns) {
    let regex: RegExp;
    try {
      regex = globRegex(pattern);
    } catch {
      return undefined;
    }
    const best = requiredLiterals(regex.source, regex.flags);
    if (best === undefined) return undefined;
    out.push(...best);
  }
  return out;
}

/**
 * An `anyCommand` string matcher (string, string array or `{operator: value}`) as
 * keyword disjunctions that must all be met (see stringOperatorParts).
 */
function matcherParts(matcher: unknown, ctx: CompileContext): string[][] {
  if (typeof matcher === 'string') return [[matcher.toLowerCase()]];
  if (Array.isArray(matcher)) {
    const list = stringList(matcher)?.map((s) => s.toLowerCase());
    return list === undefined ? [] : [list];
  }
  if (!isRecord(matcher)) return [];
  const keys = Object.keys(matcher);
  const key = keys[0];
  if (keys.length !== 1 || key === undefined || key === 'equal' || key === 'in') return [];
  return stringOperatorParts(key, matcher[key], ctx);
}

/** The most selective disjunction of {@link matcherParts}, or undefined. */
function matcherKeywords(matcher: unknown, ctx: CompileContext): string[] | undefined {
  return matcherParts(matcher, ctx)[0];
}

/** Program names a `program` matcher needs (exact names only), or undefined. */
function matcherPrograms(matcher: unknown, ctx: CompileContext): string[] | undefined {
  if (typeof matcher === 'string') return [matcher];
  if (Array.isArray(matcher)) return stringList(matcher);
  if (
    isRecord(matcher) &&
    Object.keys(matcher).length === 1 &&
    typeof matcher['inList'] === 'string'
  ) {
    const items = ctx.lists.get(matcher['inList']);
    return items === undefined ? undefined : [...items];
  }
  return undefined;
}

const COMMAND_STRING_FIELDS = new Set([
  'anyArg',
  'args',
  'raw',
  'redirect',
  'assignment',
  'wrappedBy',
]);

/** Per key of an `anyCommand` spec, what that key alone needs (every key must hold). */
function specParts(spec: unknown, ctx: CompileContext): Requirement[] {
  if (!isRecord(spec)) return [];
  const parts: Requirement[] = [];
  for (const [key, value] of Object.entries(spec)) {
    if (key === 'program') {
      parts.push(
        bestOf(
          programs(matcherPrograms(value, ctx)),
          keywords('commands', matcherKeywords(value, ctx)),
        ),
      );
    } else if (COMMAND_STRING_FIELDS.has(key)) {
      for (const texts of matcherParts(value, ctx)) parts.push(keywords('commands', texts));
    } else if (key === 'pipedFrom' || key === 'pipesTo') {
      // Another command of the same line must match the nested spec.
      parts.push(...specParts(value, ctx));
    } else if (key === 'elevated' && value === true) {
      parts.push(ELEVATION_REQUIREMENT);
    }
    // `not`, flags and `elevated: false` say nothing about which words are present.
  }
  return parts;
}

/** Keyword disjunctions on one event field, one Requirement each. */
function fieldParts(field: EventField, parts: readonly string[][]): Requirement[] {
  return parts.map((texts) => textAtoms(texts, (text) => ({ kind: 'field', field, text })));
}

const EVENT_FACTS: ReadonlySet<unknown> = new Set(EVENT_FACT_NAMES);

/** A fact read straight from the event (not derived from the command line). */
function isEventFact(fact: unknown): fact is FactName {
  return EVENT_FACTS.has(fact);
}

/** Keyword disjunctions on `channel`, one Requirement each. */
function keywordParts(channel: Channel, parts: readonly string[][]): Requirement[] {
  return parts.map((texts) => keywords(channel, texts));
}

/**
 * The necessary disjunctions of a leaf, each of which must hold: several for an
 * `anyCommand` spec (one per key) or a regex with several literals, else at most one.
 */
function leafParts(node: Record<string, unknown>, ctx: CompileContext): Requirement[] {
  const { fact, operator, value, path } = node;
  if (typeof operator !== 'string' || operator.startsWith('not:')) return [];
  const indexed = typeof path === 'string' && INDEX_PATH.test(path);
  const whole = path === undefined;
  switch (fact) {
    case 'commandLine':
      // A path on a string fact is ignored (json-rules-engine only walks objects).
      return keywordParts('line', stringOperatorParts(operator, value, ctx));
    case 'programs': {
      if (!whole && !indexed) return [];
      let names: string[] | undefined;
      if (operator === 'inList') names = matcherPrograms({ inList: value }, ctx);
      else if (operator === 'contains' && whole && typeof value === 'string') names = [value];
      else if (operator === 'equal' && indexed && typeof value === 'string') names = [value];
      else if (operator === 'in' && indexed && Array.isArray(value))
        names = value.filter((v): v is string => typeof v === 'string');
      // `programs` never holds '', so '' can be dropped from the names.
      const byName = programs(names?.filter((n) => n !== ''));
      if (byName !== undefined) return [byName];
      if (['equal', 'in', 'contains'].includes(operator)) return [];
      return keywordParts('commands', stringOperatorParts(operator, value, ctx));
    }
    case 'commands':
      return whole && operator === 'anyCommand' ? specParts(value, ctx) : [];
    case 'isRoot':
      return whole && operator === 'equal' && value === true ? [ROOT_REQUIREMENT] : [];
    case 'decoded':
      if ((!whole && !indexed) || ['equal', 'in', 'contains'].includes(operator)) return [];
      return keywordParts('decoded', stringOperatorParts(operator, value, ctx));
    default:
      // A string test on a field read from the event: the field's text must hold its keywords.
      if (!isEventFact(fact)) return [];
      if (path !== undefined && typeof path !== 'string') return [];
      // Unlike the line, a field may hold a number: `in: [7, "x"]` matches exit code 7.
      if (operator === 'in' && !(Array.isArray(value) && value.every((v) => typeof v === 'string')))
        return [];
      return fieldParts({ fact, path }, stringOperatorParts(operator, value, ctx));
  }
}

/** The necessary condition of a json-rules-engine condition tree. */
export function conditionRequirement(node: unknown, ctx: CompileContext): Requirement {
  if (!isRecord(node)) return undefined;
  if (Array.isArray(node['all'])) {
    let best: Requirement;
    for (const child of node['all']) best = bestOf(best, conditionRequirement(child, ctx));
    return best;
  }
  if (Array.isArray(node['any'])) {
    const atoms: Atom[] = [];
    for (const child of node['any']) {
      const requirement = conditionRequirement(child, ctx);
      if (requirement === undefined) return undefined;
      atoms.push(...requirement);
    }
    return atoms.length === 0 || atoms.length > MAX_ATOMS ? undefined : atoms;
  }
  if ('not' in node) return undefined;
  // Every part must hold, so the most selective one alone is necessary.
  let best: Requirement;
  for (const part of leafParts(node, ctx)) best = bestOf(best, part);
  return best;
}

/** The most selective `MAX_PARTS` of several necessary disjunctions (each must hold). */
function strongest(parts: readonly Requirement[]): Conjunction {
  const known = parts.filter((part): part is readonly Atom[] => part !== undefined);
  if (known.length === 0) return undefined;
  return known
    .map((part) => ({ part, score: requirementScore(part) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, MAX_PARTS)
    .filter(({ score }, i) => i === 0 || score > SECOND_PART_SCORE_ABOVE)
    .map(({ part }) => part);
}

/**
 * Like conditionRequirement, but keeping two necessary disjunctions where an `all` or
 * an `anyCommand` spec offers them. An `any` stays one disjunction (the union).
 */
export function conditionConjunction(node: unknown, ctx: CompileContext): Conjunction {
  if (!isRecord(node)) return undefined;
  if (Array.isArray(node['all'])) {
    const parts: Requirement[] = [];
    for (const child of node['all']) parts.push(...(conditionConjunction(child, ctx) ?? []));
    return strongest(parts);
  }
  if (!Array.isArray(node['any']) && !('not' in node)) return strongest(leafParts(node, ctx));
  const requirement = conditionRequirement(node, ctx);
  return requirement === undefined ? undefined : [requirement];
}

/**
 * Conjunctions one of which holds whenever the condition does: an `any` offers each
 * child's, an `all` one per choice of an alternative for each child, their parts put
 * together. Sharper than one conjunction, where an `any` is the union of its children's
 * single best atoms and so as weak as its weakest child: `all: [any: [A, B], C]`
 * becomes "A and C, or B and C". Undefined when none is known.
 */
export type Alternatives = readonly NonNullable<Conjunction>[] | undefined;
/** Alternatives kept for one condition; beyond, it falls back to a single conjunction. */
const MAX_ALTERNATIVES = 64;

export function conditionAlternatives(node: unknown, ctx: CompileContext): Alternatives {
  if (!isRecord(node) || (!Array.isArray(node['any']) && !Array.isArray(node['all'])))
    return single(conditionConjunction(node, ctx));
  if (Array.isArray(node['any'])) {
    const out: NonNullable<Conjunction>[] = [];
    for (const child of node['any']) {
      // A child with no known condition may hold on any event, and the `any` with it.
      const alternatives = conditionAlternatives(child, ctx);
      if (alternatives === undefined) return undefined;
      out.push(...alternatives);
      if (out.length > MAX_ALTERNATIVES) return single(conditionConjunction(node, ctx));
    }
    return out.length === 0 ? undefined : out;
  }
  let choices: (readonly Atom[])[][] = [[]];
  for (const child of allChildren(node)) {
    // A child with no known condition adds no part; the others must still hold.
    const alternatives = conditionAlternatives(child, ctx);
    if (alternatives === undefined) continue;
    if (choices.length * alternatives.length > MAX_ALTERNATIVES)
      return single(conditionConjunction(node, ctx));
    choices = choices.flatMap((parts) => alternatives.map((alt) => [...parts, ...alt]));
  }
  const out: NonNullable<Conjunction>[] = [];
  for (const parts of choices) {
    const conjunction = strongest(parts);
    if (conjunction === undefined) return undefined;
    out.push(conjunction);
  }
  return out;
}

function single(conjunction: Conjunction): Alternatives {
  return conjunction === undefined ? undefined : [conjunction];
}

/** An `all`'s children, with those of nested `all`s in their place (exceptions are folded in that way). */
function allChildren(node: Record<string, unknown>): unknown[] {
  const children: unknown[] = [];
  for (const child of node['all'] as unknown[]) {
    if (isRecord(child) && Array.isArray(child['all'])) children.push(...allChildren(child));
    else children.push(child);
  }
  return children;
}

function ascending(a: number, b: number): number {
  return a - b;
}

function addTo(list: number[], index: number): void {
  if (list[list.length - 1] !== index) list.push(index);
}

function addIndex(map: Map<string, number[]>, key: string, index: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [index]);
  else addTo(list, index);
}

/**
 * What a plain line must contain, folded (PLAIN_FOLD), for the atom to hold: one of
 * these keywords ('' when any plain line may do); undefined when the scan does not
 * decide it (`decoded`, `field`, `root`) or no plain line can meet it (non-ASCII text).
 */
function plainKeysOf(atom: Atom): string[] | undefined {
  switch (atom.kind) {
    case 'program':
      return wordKeys(atom.name);
    case 'keyword':
      if (atom.channel === 'line') return defined(foldPlain(atom.text));
      if (atom.channel === 'decoded') return undefined;
      return atom.endsWord === true
        ? wordKeys(atom.text)
        : defined(foldPlain(longestPieceWithSpaces(atom.text)));
    case 'field':
    case 'root':
      return undefined;
  }
}

/** A program or wrapper name on a plain line: a whole word, or a word's tail after a `/`. */
function wordKeys(name: string): string[] | undefined {
  const piece = longestPiece(name);
  // A name with a space is no word of a plain line; its piece stays a safe keyword.
  if (piece !== name) return defined(foldPlain(`${piece} `));
  const keys = [foldPlain(` ${name} `), foldPlain(`/${name} `)];
  return keys.every((key): key is string => key !== undefined) ? keys : undefined;
}

function defined(key: string | undefined): string[] | undefined {
  return key === undefined ? undefined : [key];
}

/**
 * The necessary conditions of each child of a rule's top-level `any` (undefined for a
 * child without one), or undefined when the rule is not such an `any` or no child has
 * one. The children's order is the compiled node's (compile-condition.ts keeps it).
 */
function childAlternativesOf(rule: PrefilterRule, ctx: CompileContext): Alternatives[] | undefined {
  const node: unknown = rule.definition.conditions;
  const compiled = anyChildren.get(rule.conditions);
  if (!isRecord(node) || !Array.isArray(node['any']) || compiled === undefined) return undefined;
  if (compiled.length !== node['any'].length || compiled.length < 2) return undefined;
  const alternatives = node['any'].map((child) => conditionAlternatives(child, ctx));
  return alternatives.some((a) => a !== undefined) ? alternatives : undefined;
}

/** What the index derives from one rule; computed once per rule object and lists. */
interface RuleAnalysis {
  children(): Alternatives[] | undefined;
  whole(): Alternatives;
}

/**
 * Per rule object: its analysis and the lists it was made with. A reload reuses the
 * unchanged rules' objects (rule-compile-cache.ts) with the same lists, so only the
 * changed rules are analysed again (issue 25: the analysis was half of an index build).
 */
const analyses = new WeakMap<
  PrefilterRule,
  { lists: CompileContext['lists']; analysis: RuleAnalysis }
>();

function analysisOf(rule: PrefilterRule, ctx: CompileContext): RuleAnalysis {
  const known = analyses.get(rule);
  if (known !== undefined && known.lists === ctx.lists) return known.analysis;
  let children: { value: Alternatives[] | undefined } | undefined;
  let whole: { value: Alternatives } | undefined;
  const analysis: RuleAnalysis = {
    children: () => (children ??= { value: childAlternativesOf(rule, ctx) }).value,
    whole: () => (whole ??= { value: conditionAlternatives(rule.engineConditions, ctx) }).value,
  };
  analyses.set(rule, { lists: ctx.lists, analysis });
  return analysis;
}

/** Counts for docs and the bench: how many rules the index can skip. */
export interface PrefilterStats {
  rules: number;
  /** Rules with no extractable necessary condition: candidates for every event. */
  alwaysCandidates: number;
  /** Rules whose top-level `any` children each run only when their own condition is met. */
  gatedRules: number;
  /** Rules and `any` children gated by two necessary conditions that must both be met. */
  conjunctions: number;
  programNames: number;
  keywords: Record<Channel, number>;
  /** Event fields indexed (`process$.working_directory`, …) and their keywords in all. */
  fields: number;
  fieldKeywords: number;
}

/**
 * What the index reads of a rule: its source conditions (for a top-level `any`), the
 * compiled node (whose children it gates) and what the rule really evaluates.
 */
export type PrefilterRule = Pick<LoadedRule, 'definition' | 'conditions' | 'engineConditions'>;

/** A scanner whose visit marks its keywords' targets; `seen[id]` is the generation a keyword was last seen in. */
interface KeywordIndex {
  scanner: KeywordScanner;
  visit: (keywordId: number) => void;
  seen: Uint32Array;
}

/** The per-rule-set index; `candidates(facts)` runs per event. */
export class Prefilter<R extends PrefilterRule = LoadedRule> {
  /** Per child of a gated rule's `any`: the event generation that met its condition. */
  private readonly childStamp: Uint32Array;
  /** Per child slot: its rule's index. */
  private readonly slotRule: number[] = [];
  /** Targets from here on are parts of a conjunction (after the rules and the child slots). */
  private readonly partBase: number;
  /** Per part: its conjunction's index. */
  private readonly partGroup: number[] = [];
  /** Per scanner, per keyword: the generation it was last seen in (scannerOf). */
  private readonly keywordStamps: Uint32Array[] = [];
  /** Per part: the generation it was met in (counted once per event). */
  private readonly partStamp: Uint32Array;
  /** Per conjunction: the rule or child slot it gates, its part count, and this event's hits. */
  private readonly groupOwner: number[] = [];
  private readonly groupParts: number[] = [];
  private readonly groupStamp: Uint32Array;
  private readonly groupHits: Uint32Array;
  private readonly gates = new Map<R, CompiledNode>();
  /** Rules with no necessary condition, by index. */
  private readonly alwaysList: number[] = [];
  /** Indices of this event's candidates (stamped with the current generation). */
  private readonly marked: number[] = [];
  private readonly stamp: Uint32Array;
  private generation = 0;
  private readonly byProgram = new Map<string, number[]>();
  private readonly scanners = new Map<Channel, KeywordIndex>();
  /** The generation of the event being scanned; a rule is a candidate when its stamp equals it. */
  private current = 0;
  /** The candidates array, reused from event to event (no allocation per event). */
  private readonly out: R[] = [];
  private readonly needsPrograms: boolean;
  private readonly needsRoot: boolean;
  private readonly byRoot: number[] = [];
  /** One scanner per indexed event field, with the reader of that field's value. */
  private readonly fieldScanners: (KeywordIndex & { read: (facts: EventFacts) => unknown })[] = [];
  /** Every `line`/`commands` keyword and program name, restated for plain lines (module comment). */
  private readonly plain: KeywordIndex;
  /** Rules with a `commands` keyword that has no space-free piece: candidates for every plain line. */
  private readonly plainAlways: number[] = [];
  /** Ids of WORD_START_EXCEPTIONS in the plain scanner. */
  private readonly wordStartExceptions: number[];
  readonly stats: PrefilterStats;

  /** Scanners by their keywords (NUL-joined, sorted), for the next set to reuse. */
  private readonly scannersByKeywords = new Map<string, KeywordScanner>();
  /** The previous set's scanners, during construction only: an index must not keep its predecessor alive. */
  private reusable: ReadonlyMap<string, KeywordScanner> | undefined;

  /**
   * `reuse`: the previous set's index (a reload). A rule object it indexed is not
   * analysed again (a reload reuses unchanged rules as they were compiled), and a
   * keyword scanner over the same keywords is not built again.
   */
  constructor(
    private readonly rules: readonly R[],
    ctx: CompileContext,
    reuse?: Prefilter<PrefilterRule>,
  ) {
    this.reusable = reuse?.scannersByKeywords;
    this.stamp = new Uint32Array(rules.length);
    const keywordRules = new Map<Channel, Map<string, number[]>>(
      CHANNELS.map((c) => [c, new Map()]),
    );
    const plainRules = new Map<string, number[]>();
    const fieldRules = new Map<string, { field: EventField; texts: Map<string, number[]> }>();
    // A target is a rule (id < rules.length) or one child of a rule's top-level `any`.
    const register = (atom: Atom, target: number): void => {
      if (atom.kind === 'root') {
        addTo(this.byRoot, target);
        return;
      }
      if (atom.kind === 'field') {
        const key = `${atom.field.fact}${atom.field.path ?? ''}`;
        let entry = fieldRules.get(key);
        if (entry === undefined)
          fieldRules.set(key, (entry = { field: atom.field, texts: new Map() }));
        addIndex(entry.texts, atom.text, target);
        return;
      }
      if (atom.kind === 'program') addIndex(this.byProgram, atom.name, target);
      else addIndex(keywordRules.get(atom.channel)!, atom.text, target);
      for (const plainKey of plainKeysOf(atom) ?? []) {
        if (plainKey === '') addTo(this.plainAlways, target);
        else addIndex(plainRules, plainKey, target);
      }
    };
    const analyses = rules.map((rule) => analysisOf(rule, ctx));
    const childAlternatives = analyses.map((analysis) => analysis.children());
    const slotCount = childAlternatives.reduce((n, c) => n + (c?.length ?? 0), 0);
    this.childStamp = new Uint32Array(slotCount);
    this.partBase = rules.length + slotCount;
    let conjunctionCount = 0;
    // One part: its atoms mark the target. Several: each part is a target of its own,
    // and the target is marked once all of them are met (markOne).
    const registerAll = (conjunction: Conjunction, target: number): void => {
      if (conjunction === undefined) return;
      if (conjunction.length === 1) {
        for (const atom of conjunction[0]!) register(atom, target);
        return;
      }
      conjunctionCount += 1;
      const group = this.groupOwner.length;
      this.groupOwner.push(target);
      this.groupParts.push(conjunction.length);
      for (const part of conjunction) {
        const partTarget = this.partBase + this.partGroup.length;
        this.partGroup.push(group);
        for (const atom of part) register(atom, partTarget);
      }
    };
    let alwaysCount = 0;
    let gatedCount = 0;
    rules.forEach((rule, index) => {
      const children = childAlternatives[index];
      if (children !== undefined) {
        gatedCount += 1;
        const first = this.slotRule.length;
        const ungated = children.map((alternatives) => alternatives === undefined);
        children.forEach((alternatives, i) => {
          this.slotRule.push(index);
          for (const conjunction of alternatives ?? [])
            registerAll(conjunction, rules.length + first + i);
        });
        if (ungated.includes(true)) {
          this.alwaysList.push(index);
          alwaysCount += 1;
        }
        this.gates.set(rule, this.gate(anyChildren.get(rule.conditions)!, first, ungated));
        return;
      }
      // engineConditions: what the rule really evaluates (a sequence's steps included);
      // its folded-in exceptions sit under `not`, which adds no atom.
      const alternatives = analyses[index]!.whole();
      if (alternatives === undefined) {
        this.alwaysList.push(index);
        alwaysCount += 1;
        return;
      }
      for (const conjunction of alternatives) registerAll(conjunction, index);
    });
    this.partStamp = new Uint32Array(this.partGroup.length);
    this.groupStamp = new Uint32Array(this.groupOwner.length);
    this.groupHits = new Uint32Array(this.groupOwner.length);
    for (const key of WORD_START_EXCEPTIONS) if (!plainRules.has(key)) plainRules.set(key, []);
    this.plain = this.scannerOf(plainRules);
    const plainKeys = this.plain.scanner.keywords;
    this.wordStartExceptions = WORD_START_EXCEPTIONS.map((key) => plainKeys.indexOf(key));
    for (const [channel, map] of keywordRules) {
      if (map.size > 0) this.scanners.set(channel, this.scannerOf(map));
    }
    for (const { field, texts } of fieldRules.values()) {
      const resolve = compilePath(field.path);
      this.fieldScanners.push({
        read: (facts) => resolve(facts.get(field.fact)),
        ...this.scannerOf(texts),
      });
    }
    this.reusable = undefined;
    this.needsPrograms = this.byProgram.size > 0;
    this.needsRoot = this.byRoot.length > 0;
    this.stats = {
      rules: rules.length,
      alwaysCandidates: alwaysCount,
      gatedRules: gatedCount,
      conjunctions: conjunctionCount,
      programNames: this.byProgram.size,
      keywords: {
        line: keywordRules.get('line')!.size,
        commands: keywordRules.get('commands')!.size,
        decoded: keywordRules.get('decoded')!.size,
      },
      fields: fieldRules.size,
      fieldKeywords: [...fieldRules.values()].reduce((n, { texts }) => n + texts.size, 0),
    };
  }

  /** The rules that could match, in rule-set order (by id); valid until the next call. */
  candidates(facts: EventFacts): readonly R[] {
    this.current = this.nextGeneration();
    this.marked.length = 0;
    this.mark(this.alwaysList);
    if (this.needsRoot && userIsRoot(facts.event)) this.mark(this.byRoot);
    const commandLine = facts.commandLine;
    const unquoted = unquotedPlainText(commandLine);
    if (unquoted !== undefined) {
      const { scanner, visit, seen } = this.plain;
      scanner.scanFolded(commandLine, PLAIN_FOLD, SPACE, visit);
      if (unquoted !== commandLine) scanner.scanFolded(unquoted, PLAIN_FOLD, SPACE, visit);
      this.mark(this.plainAlways);
      for (const id of this.wordStartExceptions)
        if (seen[id] === this.current) {
          // Marks only add up: the parsed scan's are the ones the word-start keys may miss.
          this.scanParsed(facts);
          break;
        }
    } else {
      this.scanParsed(facts);
    }
    const decoded = this.scanners.get('decoded');
    if (decoded !== undefined) {
      for (const text of facts.decoded) decoded.scanner.scanLowerCase(text, decoded.visit);
    }
    for (const { read, scanner, visit } of this.fieldScanners) {
      // The string operators test a string, or each string of an array (anyString).
      const value = read(facts);
      if (typeof value === 'string') scanner.scanLowerCase(value, visit);
      else if (Array.isArray(value))
        for (const item of value) if (typeof item === 'string') scanner.scanLowerCase(item, visit);
    }
    // Only the marked rules are visited (not every rule): a few dozen among thousands.
    const marked = this.marked;
    marked.sort(ascending);
    const out = this.out;
    out.length = 0;
    for (let i = 0; i < marked.length; i++) out.push(this.rules[marked[i]!]!);
    return out;
  }

  /**
   * A scanner over `targetsOf`'s keywords whose visit marks a keyword's targets the
   * first time it occurs in this event only: short keywords (a space, `-`, `/`) occur
   * many times per line, and each repeat would walk the same targets again.
   */
  private scannerOf(targetsOf: ReadonlyMap<string, number[]>): KeywordIndex {
    // Sorted, so that the same keywords make the same scanner whatever the rules' order.
    const entries = [...targetsOf].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const keywords = entries.map(([keyword]) => keyword);
    const targets = entries.map(([, indices]) => indices);
    const key = keywords.join('\0');
    const scanner = this.reusable?.get(key) ?? new KeywordScanner(keywords);
    this.scannersByKeywords.set(key, scanner);
    const seen = new Uint32Array(targets.length);
    this.keywordStamps.push(seen);
    return {
      scanner,
      seen,
      visit: (keywordId) => {
        if (seen[keywordId] === this.current) return;
        seen[keywordId] = this.current;
        this.mark(targets[keywordId]!);
      },
    };
  }

  /** The `line` and `commands` channels and program names, from the parsed line. */
  private scanParsed(facts: EventFacts): void {
    const line = this.scanners.get('line');
    if (line !== undefined) line.scanner.scanLowerCase(facts.commandLine, line.visit);
    if (this.needsPrograms) {
      for (const program of facts.programs) {
        const indices = this.byProgram.get(program);
        if (indices !== undefined) this.mark(indices);
      }
    }
    const commands = this.scanners.get('commands');
    if (commands !== undefined) {
      // Each field on its own: a keyword comes from one field, so it lies inside one.
      // A field found verbatim in the raw text needs no scan of its own (a keyword in
      // it is in the raw text too), nor does an argument (it is part of the joined
      // args): most fields are, and each character is then scanned about once.
      const { scanner, visit } = commands;
      for (const command of facts.commands) {
        const raw = command.raw;
        scanner.scanLowerCase(raw, visit);
        const args = argsText(command);
        if (!raw.includes(args)) scanner.scanLowerCase(args, visit);
        if (!raw.includes(command.program)) scanner.scanLowerCase(command.program, visit);
        for (const redirect of command.redirects)
          if (!raw.includes(redirect.target)) scanner.scanLowerCase(redirect.target, visit);
        for (const assignment of command.assignments)
          if (!raw.includes(assignment)) scanner.scanLowerCase(assignment, visit);
        for (const wrapper of command.wrappers)
          if (!raw.includes(wrapper)) scanner.scanLowerCase(wrapper, visit);
      }
    }
  }

  /** What to run for a candidate: its conditions, or only the children of its `any` that may hold. */
  conditionsOf(rule: R): CompiledNode {
    return this.gates.get(rule) ?? rule.conditions;
  }

  private mark(targets: readonly number[]): void {
    for (let i = 0; i < targets.length; i++) this.markOne(targets[i]!);
  }

  /** Marks a rule, a child slot (and its rule), or one part of a conjunction (see registerAll). */
  private markOne(target: number): void {
    const generation = this.current;
    let index = target;
    if (index >= this.partBase) {
      const part = index - this.partBase;
      if (this.partStamp[part] === generation) return;
      this.partStamp[part] = generation;
      const group = this.partGroup[part]!;
      if (this.groupStamp[group] !== generation) {
        this.groupStamp[group] = generation;
        this.groupHits[group] = 0;
      }
      const hits = this.groupHits[group]! + 1;
      this.groupHits[group] = hits;
      if (hits !== this.groupParts[group]) return;
      index = this.groupOwner[group]!;
    }
    const ruleCount = this.rules.length;
    if (index >= ruleCount) {
      this.childStamp[index - ruleCount] = generation;
      index = this.slotRule[index - ruleCount]!;
    }
    if (this.stamp[index] !== generation) {
      this.stamp[index] = generation;
      this.marked.push(index);
    }
  }

  /**
   * The rule's `any`, trying only the children stamped for the current event and those
   * without a necessary condition, in the rule's order: a child left out cannot hold,
   * so the answer and the first child that holds (its matched leaves) are the same.
   */
  private gate(
    children: readonly CompiledNode[],
    first: number,
    ungated: readonly boolean[],
  ): CompiledNode {
    const childStamp = this.childStamp;
    return (facts, matched) => {
      const generation = this.current;
      for (let i = 0; i < children.length; i++) {
        if (!ungated[i] && childStamp[first + i] !== generation) continue;
        const mark = matched === null ? 0 : matched.length;
        if (children[i]!(facts, matched)) return true;
        if (matched !== null && matched.length !== mark) matched.length = mark;
      }
      return false;
    };
  }

  private nextGeneration(): number {
    this.generation += 1;
    if (this.generation === 0xffffffff) {
      this.stamp.fill(0);
      this.childStamp.fill(0);
      this.partStamp.fill(0);
      this.groupStamp.fill(0);
      for (const seen of this.keywordStamps) seen.fill(0);
      this.generation = 1;
    }
    return this.generation;
  }
}
