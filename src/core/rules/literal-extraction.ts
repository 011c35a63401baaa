import type { AST } from '@eslint-community/regexpp';
import { parseRegexPattern } from './regex-ast';

/**
 * Required literals of a regular expression, for the prefilter: sets of strings
 * such that EVERY match of the regex contains at least one string of each set (as
 * lowercase ASCII, so they are searched for in the lowercased text). A sequence gives
 * one set per literal run it must match (`^sudo .*(-R|--chroot)`: `sudo`, and `-r` or
 * `--chroot`); the prefilter requires the two most selective together.
 *
 * Conservative by construction — when in doubt a part is "unknown" and breaks the
 * literal it was in, never guessed:
 * - only ASCII characters become literal characters (lowercasing non-ASCII text is
 *   context-sensitive, e.g. Greek final sigma, so it cannot be predicted per character);
 * - with the `i` and `u` flags together, `k` and `s` are unknown too: Unicode case
 *   folding lets them match the Kelvin sign and the long s, which lowercase to
 *   something else or themselves;
 * - `.`, `\d`/`\w`/`\s`/`\p{…}`, negated or large classes, back-references and
 *   modifier groups are unknown; `x*`, `x{0,n}` and lazy/greedy variants match
 *   the empty string; zero-width assertions (`^`, `$`, `\b`, lookarounds) add
 *   nothing to the matched text;
 * - an alternation needs a literal from every branch (the union of each branch's
 *   most selective set is its one set).
 * The parser is ESLint's regexpp, which follows the ECMAScript grammar including
 * Annex B (what V8 accepts without the `u` flag).
 */

/** Largest set of exact strings tracked for one node before it becomes "unknown". */
const MAX_SET = 64;
/** Necessary disjunctions kept per node, the most selective: the prefilter uses two. */
const MAX_PARTS = 4;

/**
 * A necessary disjunction (minimal: no string contains another, shortest first), with
 * what merging and ranking parts compare, computed once when the part is made rather
 * than each time parts are merged (issue 25: the merging was most of the extraction).
 */
export interface Part {
  readonly strings: readonly string[];
  /** The strings sorted and NUL-joined: the same for the same set. */
  readonly key: string;
  /** {@link disjunctionScore} of the strings. */
  readonly score: number;
}

/** Independent necessary disjunctions: every match contains a string of each. */
export type Parts = readonly Part[];

interface Info {
  /** Every string the node can match (folded), when few and all known; may hold ''. */
  exact: ReadonlySet<string> | null;
  /** Disjunctions of which every match contains a string, most selective first. */
  required: Parts;
}

const UNKNOWN: Info = { exact: null, required: [] };
const EMPTY: Info = { exact: new Set(['']), required: [] };

function parse(source: string, flags: string): AST.Pattern | undefined {
  try {
    return parseRegexPattern(source, flags.includes('u'), flags.includes('v'));
  } catch {
    return undefined;
  }
}

/**
 * Necessary literal disjunctions of `source`/`flags`, most selective first: every match
 * contains a string of each (`^sudo .*(-R|--chroot)` gives `["sudo"]` and
 * `["-r", "--chroot"]`). Empty when none is known.
 */
export function requiredLiteralParts(source: string, flags: string): string[][] {
  const pattern = parse(source, flags);
  if (pattern === undefined) return [];
  const context: Context = { ignoreCase: flags.includes('i'), unicode: /[uv]/.test(flags) };
  return allRequired(alternativesInfo(pattern.alternatives, context)).map((part) => [
    ...part.strings,
  ]);
}

/**
 * Strings one of which every match of `source`/`flags` starts with (lowercased), for a
 * pattern anchored at the start (`^` first, no `m` flag, no top-level `|`): the
 * literal run after `^`, extended by the first repetition of a `x+`/`x{n,}` that ends
 * it. `^\\.[a-z]` gives `.a` … `.z`. Undefined when no such strings are known (the run
 * is empty or may be).
 */
export function anchoredPrefixes(source: string, flags: string): string[] | undefined {
  if (flags.includes('m')) return undefined;
  const pattern = parse(source, flags);
  if (pattern?.alternatives.length !== 1) return undefined;
  const [anchor, ...rest] = pattern.alternatives[0]!.elements;
  if (anchor?.type !== 'Assertion' || anchor.kind !== 'start') return undefined;
  const context: Context = { ignoreCase: flags.includes('i'), unicode: /[uv]/.test(flags) };
  let run: ReadonlySet<string> = new Set(['']);
  for (const element of rest) {
    const info = elementInfo(element, context);
    // A repetition that must match once starts with one of its element's strings.
    const exact =
      info.exact ??
      (element.type === 'Quantifier' && element.min >= 1
        ? elementInfo(element.element, context).exact
        : null);
    if (exact === null || run.size * exact.size > MAX_SET) break;
    run = concat(run, exact);
    if (info.exact === null) break;
  }
  if (run.has('')) return undefined;
  // A string that starts with another of the set needs no keyword of its own.
  const byLength = [...run].sort((a, b) => a.length - b.length);
  const kept: string[] = [];
  for (const s of byLength) if (!kept.some((k) => s.startsWith(k))) kept.push(s);
  return kept;
}

/** Returns the required-literal disjunction of `source`/`flags`, or undefined when there is none. */
export function requiredLiterals(source: string, flags: string): string[] | undefined {
  return requiredLiteralParts(source, flags)[0];
}

interface Context {
  ignoreCase: boolean;
  unicode: boolean;
}

/** The folded form of one character, or undefined when it is not safely a literal. */
function literalChar(code: number, context: Context): string | undefined {
  if (code >= 128) return undefined;
  const ch = String.fromCharCode(code).toLowerCase();
  if (context.ignoreCase && context.unicode && (ch === 'k' || ch === 's')) return undefined;
  return ch;
}

/**
 * Shell syntax most command lines do without (globs, expansions, escapes): a literal
 * holding one is rarer than one of letters, digits, spaces and the punctuation of paths
 * and options, so `?` is a better keyword than `/` although both are one character.
 */
const RARE_CHARS = '?*\\$!`{}[]^~%@#';
const RARE_CODES = new Uint8Array(128);
for (const ch of RARE_CHARS) RARE_CODES[ch.charCodeAt(0)] = 1;

/**
 * How selective a literal is: its length, a rare character counting twice and a
 * non-ASCII one four times (shell lines are nearly all ASCII, and a plain line, which
 * most are, cannot hold one at all: prefilter-plain-lines.ts). Characters are code
 * points (a surrogate pair is one). A loop over code units with a table, not `for…of`
 * and a Set: a pack load weighs every keyword of its lists, and this was most of the
 * prefilter's scoring (issue 25, round 8).
 */
export function literalWeight(text: string): number {
  let weight = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 128) {
      weight += RARE_CODES[code] === 1 ? 2 : 1;
      continue;
    }
    weight += 4;
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) i++;
    }
  }
  return weight;
}

/**
 * The score of a disjunction of `count` alternatives whose weakest weighs `weakest`:
 * heavier alternatives and fewer of them are more selective.
 */
export function selectivityScore(weakest: number, count: number): number {
  return Math.min(weakest, 12) - Math.log2(count) / 2;
}

/** {@link selectivityScore} of a disjunction of literals. */
export function disjunctionScore(strings: readonly string[]): number {
  let lightest = Infinity;
  for (const s of strings) lightest = Math.min(lightest, literalWeight(s));
  return selectivityScore(lightest, strings.length);
}

/**
 * The same disjunction without the strings that contain another of its strings: a
 * text containing `?/` contains `/`, so `["?/", "/"]` needs exactly what `["/"]`
 * needs, and scoring it as two alternatives of which one is long would overrate it.
 */
export function minimalDisjunction(strings: readonly string[]): string[] {
  const byLength = [...new Set(strings)].sort((a, b) => a.length - b.length);
  const kept: string[] = [];
  for (const s of byLength) if (!kept.some((k) => s.includes(k))) kept.push(s);
  return kept;
}

function valid(strings: readonly string[]): boolean {
  return strings.length > 0 && strings.every((s) => s !== '');
}

/** `candidate` as a part, or undefined when it is no usable disjunction (empty, or holds ''). Exported for tests. */
export function partOf(candidate: readonly string[]): Part | undefined {
  if (!valid(candidate)) return undefined;
  const strings = minimalDisjunction(candidate);
  return { strings, key: [...strings].sort().join('\0'), score: disjunctionScore(strings) };
}

/**
 * `parts` plus `more`, without repeats, most selective first, at most MAX_PARTS of them
 * (`parts` itself when `more` adds nothing). Exported for tests.
 */
export function withParts(parts: Parts, more: readonly (Part | undefined)[]): Parts {
  let all: Part[] | undefined;
  for (const part of more) {
    if (part === undefined) continue;
    const known = all ?? parts;
    if (known.some((p) => p.key === part.key)) continue;
    (all ??= [...parts]).push(part);
  }
  if (all === undefined) return parts;
  // Stable: parts of equal score keep their order.
  return all.sort((x, y) => y.score - x.score).slice(0, MAX_PARTS);
}

/** Every necessary disjunction of a node: its own, and its exact strings when '' is not one. */
function allRequired(info: Info): Parts {
  return info.exact === null ? info.required : withParts(info.required, [partOf([...info.exact])]);
}

/** The most selective necessary disjunction of a node, or null. */
function bestRequired(info: Info): readonly string[] | null {
  return allRequired(info)[0]?.strings ?? null;
}

function alternativesInfo(alternatives: readonly AST.Alternative[], context: Context): Info {
  const infos = alternatives.map((alternative) => sequenceInfo(alternative.elements, context));
  let exact: Set<string> | null = new Set();
  for (const info of infos) {
    if (exact === null || info.exact === null) {
      exact = null;
      break;
    }
    for (const s of info.exact) exact.add(s);
    if (exact.size > MAX_SET) exact = null;
  }
  // One branch: all of its necessary disjunctions hold. Several: a match holds one
  // branch's, so only the union of each branch's best is necessary.
  if (infos.length === 1) return { exact, required: infos[0]!.required };
  let union: Set<string> | null = new Set();
  for (const info of infos) {
    const branch = bestRequired(info);
    if (branch === null || union === null) {
      union = null;
      break;
    }
    for (const s of branch) union.add(s);
    if (union.size > MAX_SET) union = null;
  }
  return { exact, required: union === null ? [] : withParts([], [partOf([...union])]) };
}

function concat(a: ReadonlySet<string>, b: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const x of a) for (const y of b) out.add(x + y);
  return out;
}

function sequenceInfo(elements: readonly AST.Element[], context: Context): Info {
  let run: ReadonlySet<string> = new Set(['']);
  let whole = true;
  // Every element must match, so each one's disjunctions and each run of exact
  // strings are necessary on their own.
  let required: Parts = [];
  const flush = (): void => {
    required = withParts(required, [partOf([...run])]);
  };
  for (const element of elements) {
    const info = elementInfo(element, context);
    required = withParts(required, info.required);
    if (info.exact === null) {
      flush();
      run = new Set(['']);
      whole = false;
    } else if (run.size * info.exact.size > MAX_SET) {
      flush();
      run = info.exact;
      whole = false;
    } else {
      run = concat(run, info.exact);
    }
  }
  flush();
  return { exact: whole ? run : null, required };
}

function elementInfo(element: AST.Element, context: Context): Info {
  switch (element.type) {
    case 'Character': {
      const ch = literalChar(element.value, context);
      return ch === undefined ? UNKNOWN : { exact: new Set([ch]), required: [] };
    }
    case 'CharacterClass':
      return classInfo(element, context);
    case 'CharacterSet':
    case 'ExpressionCharacterClass':
    case 'Backreference':
      return UNKNOWN;
    case 'Assertion':
      // Zero-width: ^ $ \b \B and lookarounds add nothing to the matched text.
      return EMPTY;
    case 'Group':
      return element.modifiers === null ? alternativesInfo(element.alternatives, context) : UNKNOWN;
    case 'CapturingGroup':
      return alternativesInfo(element.alternatives, context);
    case 'Quantifier':
      return quantifierInfo(element, context);
  }
}

function quantifierInfo(quantifier: AST.Quantifier, context: Context): Info {
  const inner = elementInfo(quantifier.element, context);
  if (quantifier.min === 0) {
    if (quantifier.max === 1 && inner.exact !== null && inner.exact.size < MAX_SET) {
      return { exact: new Set([...inner.exact, '']), required: [] };
    }
    return UNKNOWN;
  }
  const required = allRequired(inner);
  if (quantifier.min === quantifier.max && inner.exact !== null && quantifier.min <= 8) {
    let exact: ReadonlySet<string> | null = new Set(['']);
    for (let i = 0; i < quantifier.min && exact !== null; i++) {
      exact = exact.size * inner.exact.size > MAX_SET ? null : concat(exact, inner.exact);
    }
    return { exact, required };
  }
  return { exact: null, required };
}

function classInfo(node: AST.CharacterClass, context: Context): Info {
  if (node.negate || node.unicodeSets) return UNKNOWN;
  const chars = new Set<string>();
  for (const element of node.elements) {
    if (element.type === 'Character') {
      const ch = literalChar(element.value, context);
      if (ch === undefined) return UNKNOWN;
      chars.add(ch);
    } else if (element.type === 'CharacterClassRange') {
      const { min, max } = element;
      if (max.value - min.value >= MAX_SET) return UNKNOWN;
      for (let code = min.value; code <= max.value; code++) {
        const ch = literalChar(code, context);
        if (ch === undefined) return UNKNOWN;
        chars.add(ch);
      }
    } else {
      return UNKNOWN;
    }
  }
  // An empty class `[]` matches nothing; "unknown" keeps that harmless.
  return chars.size === 0 ? UNKNOWN : { exact: chars, required: [] };
}
