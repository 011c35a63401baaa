/**
 * Keywords a string operator's value (or an `anyCommand` matcher) needs in the tested
 * string, for the prefilter's conditions; the regex-literal analysis they build on is
 * literal-extraction.ts.
 */
import { anchoredPrefixes, requiredLiteralParts, requiredLiterals } from './literal-extraction';
import { globRegex } from './operators/glob.operator';
import type { CompileContext } from './operators/operator';

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const strings: unknown[] = value;
  return strings.every((v): v is string => typeof v === 'string') ? strings : undefined;
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
export function stringOperatorParts(
  operator: string,
  value: unknown,
  ctx: CompileContext,
): string[][] {
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
export function matcherParts(matcher: unknown, ctx: CompileContext): string[][] {
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
export function matcherKeywords(matcher: unknown, ctx: CompileContext): string[] | undefined {
  return matcherParts(matcher, ctx)[0];
}

/**
 * Strings one of which the lowercased tested string starts with for a matcher to hold:
 * a `startsWithI` list or a regex anchored at the start (anchoredPrefixes); undefined
 * for other matchers or when none are known.
 */
export function matcherPrefixes(matcher: unknown): string[] | undefined {
  if (!isRecord(matcher) || Object.keys(matcher).length !== 1) return undefined;
  if ('startsWithI' in matcher) {
    const needles = stringList(matcher['startsWithI'])?.map((needle) => needle.toLowerCase());
    return needles?.includes('') === true ? undefined : needles;
  }
  const regex = matcher['regex'];
  const pattern = isRecord(regex) ? regex['pattern'] : regex;
  const flags = isRecord(regex) ? (regex['flags'] ?? '') : '';
  if (typeof pattern !== 'string' || typeof flags !== 'string') return undefined;
  return anchoredPrefixes(pattern, flags);
}

/** Program names a `program` matcher needs (exact names only), or undefined. */
export function matcherPrograms(matcher: unknown, ctx: CompileContext): string[] | undefined {
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
