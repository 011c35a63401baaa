/**
 * The necessary condition of a rule's condition tree, extracted at load time for the
 * prefilter's index (prefilter-index.ts).
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
 */
import { EVENT_FACT_NAMES } from './facts';
import type { FactName } from './facts';
import { literalWeight, selectivityScore } from './literal-extraction';
import type { CompileContext } from './operators/operator';
import {
  isRecord,
  matcherKeywords,
  matcherParts,
  matcherPrefixes,
  matcherPrograms,
  stringOperatorParts,
} from './prefilter-operator-literals';

export type Channel = 'line' | 'commands' | 'decoded';

export type Atom =
  | { kind: 'program'; name: string }
  | { kind: 'keyword'; channel: Channel; text: string; endsWord?: true; startsWord?: true }
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

function atomWeight(atom: Atom): number {
  if (atom.kind === 'keyword')
    // The word start before a keyword counts as one more character (see wordStart).
    return literalWeight(atom.text) + (atom.startsWord === true ? 1 : 0);
  return atom.kind === 'field' ? literalWeight(atom.text) : PROGRAM_SCORE;
}

/**
 * Scores already computed: a requirement is compared again at every step of a `bestOf`
 * chain and in `strongest`, and one may hold thousands of atoms (issue 25). Requirements
 * are not changed once made.
 */
const scores = new WeakMap<readonly Atom[], number>();

function requirementScore(requirement: readonly Atom[]): number {
  const known = scores.get(requirement);
  if (known !== undefined) return known;
  let weakest = Infinity;
  for (const atom of requirement) weakest = Math.min(weakest, atomWeight(atom));
  const score = selectivityScore(weakest, requirement.length);
  scores.set(requirement, score);
  return score;
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

/**
 * `commands` keywords that begin a program name or an argument (a matcher's prefixes,
 * matcherPrefixes): such a field is a whole word of a plain line, or a program's
 * path tail, so the line has the keyword right after a word end or a `/`
 * (prefilter-plain-lines.ts), which is rarer than the keyword anywhere: SW-EXE-0005's
 * hidden program names (`^\.[A-Za-z0-9_-]`) are `.e` in 45% of the bench's lines and
 * ` .e` or `/.e` in 4.5%.
 */
function wordStart(texts: readonly string[] | undefined): Requirement {
  return textAtoms(texts, (text) => ({
    kind: 'keyword',
    channel: 'commands',
    text,
    startsWord: true,
  }));
}

function programs(names: readonly string[] | undefined): Requirement {
  return textAtoms(names, (name) => ({ kind: 'program', name }));
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
          bestOf(
            programs(matcherPrograms(value, ctx)),
            keywords('commands', matcherKeywords(value, ctx)),
          ),
          wordStart(matcherPrefixes(value)),
        ),
      );
    } else if (key === 'anyArg') {
      const [first, ...more] = matcherParts(value, ctx).map((texts) => keywords('commands', texts));
      // The prefixes mostly restate the best literal run at a word start: one part, not two.
      parts.push(bestOf(first, wordStart(matcherPrefixes(value))), ...more);
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
