import { RegExpParser } from '@eslint-community/regexpp';
import type { AST } from '@eslint-community/regexpp';

/**
 * One regexpp parse per pattern within a rule-set load. The regex proof
 * (operators/linear-regex.ts) and the prefilter's literal extraction
 * (literal-extraction.ts, twice for an anchored `anyCommand` matcher) each parsed every
 * pattern on their own: ~9% of a cold pack load (issue 25, round 8). The trees are only
 * read, never changed, so the callers can share one.
 *
 * The cache lives only while {@link withRegexAstCache}'s body runs (a load): the trees
 * hold every node of every pattern, several megabytes for a pack, which the process has
 * no use for between loads. Outside a load every call parses.
 */
let cache: Map<string, AST.Pattern> | undefined;

/** Parses `source` as regexpp's `parsePattern` does (ES2025); throws on a syntax error. */
export function parseRegexPattern(
  source: string,
  unicode: boolean,
  unicodeSets = false,
): AST.Pattern {
  const key = `${unicode ? 'u' : ''}${unicodeSets ? 'v' : ''}/${source}`;
  const known = cache?.get(key);
  if (known !== undefined) return known;
  const pattern = new RegExpParser({ ecmaVersion: 2025 }).parsePattern(source, 0, source.length, {
    unicode,
    unicodeSets,
  });
  cache?.set(key, pattern);
  return pattern;
}

/** Runs `body` with parses shared (see above); nested calls share the outer cache. */
export function withRegexAstCache<T>(body: () => T): T {
  if (cache !== undefined) return body();
  cache = new Map();
  try {
    return body();
  } finally {
    cache = undefined;
  }
}
