import type { Diagnostics, Parameters } from 'recheck';
import { isProvablyLinear } from './linear-regex';
import { recheck } from './recheck';
import { RegexVerdictCache } from './regex-verdict-cache';
import type { RegexVerdict } from './regex-verdict-cache';
import { errorMessage } from '../../errors';

export type { RegexVerdict } from './regex-verdict-cache';

/** Flags a rule regex may use; `g` and `y` are refused because they make `test()` stateful. */
export const ALLOWED_REGEX_FLAGS = /^[imsu]*$/;

/**
 * Longest regex source a rule may use (a glob counts as the regex picomatch makes of
 * it). The longest in the rule pack has 192 characters; the bound keeps one pattern's
 * analysis, and its cache entry, small (issue 20: 250 KB patterns, 590 MB of heap).
 */
export const MAX_REGEX_LENGTH = 1_000;

/** Bytes of verdicts kept between loads, so a hot reload re-checks only changed patterns. */
export const REGEX_VERDICT_CACHE_BYTES = 4 * 1024 * 1024;

// The limit is wall-clock time: on a loaded 2-core machine 2 s was seen to time out
// on an ordinary pattern (SW-DEF-0003) and reject a good rule set. A safe pattern
// normally checks in milliseconds, so the generous limit costs nothing when healthy.
// The fixed seed makes the fuzz checker's verdict reproducible, and so does counting
// steps instead of time inside the check: recheck's fuzz checker treats an attack that
// outlasts attackTimeout (1 s by default) as a success, so on a starved CPU it called
// linear patterns "2nd degree polynomial" and rejected good rules. Without these time
// limits its step limits decide, and the overall timeout still bounds a check.
export const RECHECK_PARAMETERS: Readonly<Parameters> = {
  timeout: 10_000,
  randomSeed: 42,
  attackTimeout: null,
  incubationTimeout: null,
  seedingTimeout: null,
};

/** The verdicts of every check in this process, shared by the synchronous and asynchronous paths. */
export const regexVerdicts = new RegexVerdictCache(REGEX_VERDICT_CACHE_BYTES);

/** One regex to check: its source and flags. */
export interface RegexSpec {
  readonly source: string;
  readonly flags: string;
}

/** The cache and lookup key of a regex. */
export function regexKey(source: string, flags: string): string {
  return `${flags}/${source}`;
}

/**
 * The verdict on a regex that needs no backtracking analysis (bad flags, too long,
 * a syntax error), or undefined when only the analysis can tell. Cheap, linear in
 * the pattern: safe to run on the main thread.
 */
export function quickRegexVerdict(source: string, flags: string): { verdict: string } | undefined {
  if (!ALLOWED_REGEX_FLAGS.test(flags))
    return { verdict: `regex flags "${flags}" not allowed (use only i, m, s, u)` };
  if (source.length > MAX_REGEX_LENGTH)
    return {
      verdict: `regex is ${source.length} characters long; at most ${MAX_REGEX_LENGTH} are allowed`,
    };
  try {
    new RegExp(source, flags);
  } catch (error) {
    return { verdict: `invalid regex: ${errorMessage(error)}` };
  }
  return undefined;
}

/**
 * The verdict reached without recheck: {@link quickRegexVerdict}'s refusals, or
 * "safe" when the static proof of linear-time matching ({@link isProvablyLinear})
 * holds. Undefined when only recheck can tell. Microseconds a pattern: safe to run
 * on the main thread. `staticProof: false` skips the proof (the bench's baseline).
 */
export function staticRegexVerdict(
  source: string,
  flags: string,
  staticProof = true,
): { verdict: RegexVerdict } | undefined {
  const quick = quickRegexVerdict(source, flags);
  if (quick !== undefined) return quick;
  if (staticProof && isProvablyLinear(source, flags)) return { verdict: undefined };
  return undefined;
}

/**
 * {@link staticRegexVerdict} remembered in `cache` beside recheck's verdicts (a cached
 * verdict is answered first): a reload asks again about every regex of the rules it
 * reuses, and a lookup is what that should cost. Undefined when only recheck can tell.
 */
export function knownRegexVerdict(
  source: string,
  flags: string,
  cache: RegexVerdictCache = regexVerdicts,
  staticProof = true,
): { verdict: RegexVerdict } | undefined {
  const key = regexKey(source, flags);
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const found = staticRegexVerdict(source, flags, staticProof);
  if (found !== undefined) cache.set(key, found.verdict);
  return found;
}

/**
 * recheck's answer as a verdict. `definite` is false when the answer says nothing
 * about the pattern (the check timed out or was cancelled): such a verdict is not cached.
 */
export function diagnosticsVerdict(result: Diagnostics): {
  verdict: RegexVerdict;
  definite: boolean;
} {
  switch (result.status) {
    case 'safe':
      return { verdict: undefined, definite: true };
    case 'vulnerable':
      return {
        verdict: `regex may backtrack catastrophically (${result.complexity.summary}; e.g. ${JSON.stringify(result.attack.pattern)}): rewrite it without nested or overlapping quantifiers`,
        definite: true,
      };
    case 'unknown':
      return {
        verdict: `regex could not be proven safe from catastrophic backtracking (${result.error.kind}): simplify it`,
        definite: result.error.kind !== 'timeout' && result.error.kind !== 'cancel',
      };
  }
}

/**
 * Returns why a rule regex must not be used, or undefined when it is safe: bad flags,
 * a syntax error, too long, or catastrophic backtracking as found by recheck when the
 * static proof ({@link staticRegexVerdict}) cannot show it linear (a rule
 * regex runs on every event, and one `(a+)+$` would stall the whole stream). A regex
 * recheck cannot prove safe (timeout, unsupported syntax) is refused too: the author
 * can simplify it.
 *
 * SYNCHRONOUS: the analysis blocks the calling thread (up to 10 s a pattern). For the
 * CLI, scripts and tests only; the service checks off its main thread beforehand
 * (src/regex-check) and compiles with those verdicts.
 */
export function checkRegex(source: string, flags: string): RegexVerdict {
  const known = knownRegexVerdict(source, flags);
  if (known !== undefined) return known.verdict;
  const key = regexKey(source, flags);
  let answer: { verdict: RegexVerdict; definite: boolean };
  try {
    answer = diagnosticsVerdict(recheck().checkSync(source, flags, RECHECK_PARAMETERS));
  } catch (error) {
    return `regex could not be checked: ${errorMessage(error)}`;
  }
  if (answer.definite) regexVerdicts.set(key, answer.verdict);
  return answer.verdict;
}
