import { RegExpParser } from '@eslint-community/regexpp';
import type { AST } from '@eslint-community/regexpp';

/**
 * Required literals of a regular expression, for the prefilter: a set of strings
 * such that EVERY match of the regex contains at least one of them (as lowercase
 * ASCII, so they are searched for in the lowercased text).
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
 * - an alternation needs a literal from every branch (the union is the result).
 * The parser is ESLint's regexpp, which follows the ECMAScript grammar including
 * Annex B (what V8 accepts without the `u` flag).
 */

/** Largest set of exact strings tracked for one node before it becomes "unknown". */
const MAX_SET = 64;

interface Info {
  /** Every string the node can match (folded), when few and all known; may hold ''. */
  exact: ReadonlySet<string> | null;
  /** Strings one of which every match contains; null when nothing is known. */
  required: readonly string[] | null;
}

const UNKNOWN: Info = { exact: null, required: null };
const EMPTY: Info = { exact: new Set(['']), required: null };

/** Returns the required-literal disjunction of `source`/`flags`, or undefined when there is none. */
export function requiredLiterals(source: string, flags: string): string[] | undefined {
  let pattern: AST.Pattern;
  try {
    pattern = new RegExpParser({ ecmaVersion: 2025 }).parsePattern(source, 0, source.length, {
      unicode: flags.includes('u'),
      unicodeSets: flags.includes('v'),
    });
  } catch {
    return undefined;
  }
  const context: Context = { ignoreCase: flags.includes('i'), unicode: /[uv]/.test(flags) };
  const best = bestRequired(alternativesInfo(pattern.alternatives, context));
  return best === null ? undefined : [...best];
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
const RARE_CHARS = new Set('?*\\$!`{}[]^~%@#');

/** How selective a literal is: its length, a rare character counting twice. */
export function literalWeight(text: string): number {
  let weight = 0;
  for (const ch of text) weight += RARE_CHARS.has(ch) ? 2 : 1;
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

function valid(strings: readonly string[] | null): strings is readonly string[] {
  return strings !== null && strings.length > 0 && strings.every((s) => s !== '');
}

function better(
  a: readonly string[] | null,
  b: readonly string[] | null,
): readonly string[] | null {
  const x = valid(a) ? minimalDisjunction(a) : null;
  const y = valid(b) ? minimalDisjunction(b) : null;
  if (x === null) return y;
  if (y === null) return x;
  return disjunctionScore(y) > disjunctionScore(x) ? y : x;
}

function bestRequired(info: Info): readonly string[] | null {
  const exact = info.exact === null ? null : [...info.exact];
  return better(info.required, exact);
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
  let required: Set<string> | null = new Set();
  for (const info of infos) {
    const branch = bestRequired(info);
    if (branch === null || required === null) {
      required = null;
      break;
    }
    for (const s of branch) required.add(s);
    if (required.size > MAX_SET) required = null;
  }
  return { exact, required: required === null ? null : [...required] };
}

function concat(a: ReadonlySet<string>, b: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const x of a) for (const y of b) out.add(x + y);
  return out;
}

function sequenceInfo(elements: readonly AST.Element[], context: Context): Info {
  let run: ReadonlySet<string> = new Set(['']);
  let whole = true;
  let required: readonly string[] | null = null;
  const flush = (): void => {
    required = better(required, [...run]);
  };
  for (const element of elements) {
    const info = elementInfo(element, context);
    required = better(required, info.required);
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
      return ch === undefined ? UNKNOWN : { exact: new Set([ch]), required: null };
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
      return { exact: new Set([...inner.exact, '']), required: null };
    }
    return UNKNOWN;
  }
  const required = bestRequired(inner);
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
  return chars.size === 0 ? UNKNOWN : { exact: chars, required: null };
}
