import { checkSync } from 'recheck';

/** Flags a rule regex may use; `g` and `y` are refused because they make `test()` stateful. */
export const ALLOWED_REGEX_FLAGS = /^[imsu]*$/;

// The limit is wall-clock time: on a loaded 2-core machine 2 s was seen to time out
// on an ordinary pattern (SW-DEF-0003) and reject a good rule set. A safe pattern
// normally checks in milliseconds, so the generous limit costs nothing when healthy.
const RECHECK_TIMEOUT_MS = 10_000;
const cache = new Map<string, string | undefined>();
const CACHE_LIMIT = 10_000;

/**
 * Returns why a rule regex must not be used, or undefined when it is safe: bad flags,
 * a syntax error, or catastrophic backtracking as found by recheck (a rule regex runs
 * on every event, and one `(a+)+$` would stall the whole stream). A regex recheck
 * cannot prove safe (timeout, unsupported syntax) is refused too: the author can
 * simplify it. Results are memoized, so a hot reload re-checks only changed patterns.
 * The fuzz checker runs with a fixed seed so the verdict is reproducible.
 */
export function checkRegex(source: string, flags: string): string | undefined {
  const key = `${flags}/${source}`;
  if (cache.has(key)) return cache.get(key);
  const verdict = computeVerdict(source, flags);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, verdict);
  return verdict;
}

function computeVerdict(source: string, flags: string): string | undefined {
  if (!ALLOWED_REGEX_FLAGS.test(flags))
    return `regex flags "${flags}" not allowed (use only i, m, s, u)`;
  try {
    new RegExp(source, flags);
  } catch (error) {
    return `invalid regex: ${error instanceof Error ? error.message : String(error)}`;
  }
  try {
    const result = checkSync(source, flags, { timeout: RECHECK_TIMEOUT_MS, randomSeed: 42 });
    switch (result.status) {
      case 'safe':
        return undefined;
      case 'vulnerable':
        return `regex may backtrack catastrophically (${result.complexity.summary}; e.g. ${JSON.stringify(result.attack.pattern)}): rewrite it without nested or overlapping quantifiers`;
      case 'unknown':
        return `regex could not be proven safe from catastrophic backtracking (${result.error.kind}): simplify it`;
    }
  } catch (error) {
    return `regex could not be checked: ${error instanceof Error ? error.message : String(error)}`;
  }
}
