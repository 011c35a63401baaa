import picomatch from 'picomatch';
import { WELL_KNOWN_PATHS } from './well-known-paths';

/**
 * The well-known paths a glob word could name (`/etc/shado[w]` → `/etc/shadow`,
 * `/???/c?t` → `/bin/cat`), as pathname expansion would on a typical system. Only
 * absolute patterns are matched: a relative one names files of a directory we do not
 * know. The pattern is a brace-expansion result (expand-braces.ts): characters from
 * quotes are backslash-escaped and match literally, as in bash.
 *
 * picomatch options follow bash's defaults: `*` and `?` do not match a leading `.`
 * (`dot: false`), `**` is `*` (no globstar), no extglob, no braces (already expanded).
 * Candidates are first narrowed by the pattern's literal prefix and its number of `/`
 * (a glob never crosses one), so a glob word costs one regex compile and a handful of
 * tests. Never throws; at most {@link MAX_GLOB_MATCHES} results, in sorted order;
 * patterns over {@link MAX_GLOB_PATTERN} characters or {@link MAX_GLOB_STARS} stars
 * match nothing.
 */
export const MAX_GLOB_MATCHES = 16;
/** Longer patterns name no well-known path (the longest is ~50 characters). */
export const MAX_GLOB_PATTERN = 128;
/**
 * Patterns with more `*` than this are not matched: each `*` is a lazy loop in the
 * regex, and several of them against one path segment backtrack combinatorially.
 * Real obfuscation needs one or two (`/e?c/sh*ow`).
 */
export const MAX_GLOB_STARS = 4;
/**
 * Patterns whose matches are remembered: the same glob recurs (a fleet runs the same
 * `ls /var/log/*.gz` over and over) and compiling it is most of its cost. Cleared
 * when full, so memory stays bounded whatever the input.
 */
export const MAX_CACHED_PATTERNS = 512;

const cache = new Map<string, readonly string[]>();
const NO_MATCH: readonly string[] = Object.freeze([]);

const OPTIONS: picomatch.PicomatchOptions = {
  dot: false,
  noglobstar: true,
  noextglob: true,
  nobrace: true,
  posix: true,
};

/** Well-known paths by their number of `/`, each list sorted (bash sorts expansions). */
const BY_SEGMENTS: ReadonlyMap<number, readonly string[]> = (() => {
  const map = new Map<number, string[]>();
  for (const path of [...new Set(WELL_KNOWN_PATHS)].sort()) {
    const segments = countSlashes(path);
    const list = map.get(segments);
    if (list === undefined) map.set(segments, [path]);
    else list.push(path);
  }
  return map;
})();

function countSlashes(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 0x2f) count += 1;
  return count;
}

/** The number of unescaped `*` in a pattern. */
function countStars(pattern: string): number {
  let count = 0;
  for (let i = 0; i < pattern.length; i++) {
    const code = pattern.charCodeAt(i);
    if (code === 0x5c) i += 1;
    else if (code === 0x2a) count += 1;
  }
  return count;
}

/** Whether an (escaped) pattern has an unescaped `*`, `?` or `[`. */
export function hasGlobChars(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const code = pattern.charCodeAt(i);
    if (code === 0x5c) i += 1;
    else if (code === 0x2a || code === 0x3f || code === 0x5b) return true;
  }
  return false;
}

/** The literal text before the first unescaped glob character, unescaped. */
function literalPrefix(pattern: string): string {
  let prefix = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      prefix += pattern[i + 1] ?? '';
      i += 1;
    } else if (ch === '*' || ch === '?' || ch === '[') {
      return prefix;
    } else {
      prefix += ch;
    }
  }
  return prefix;
}

/** Well-known paths matching the absolute glob `pattern`, sorted; empty for none. Do not modify. */
export function matchWellKnownPaths(pattern: string): readonly string[] {
  if (pattern.charCodeAt(0) !== 0x2f || pattern.length > MAX_GLOB_PATTERN) return NO_MATCH;
  if (!hasGlobChars(pattern) || countStars(pattern) > MAX_GLOB_STARS) return NO_MATCH;
  let matches = cache.get(pattern);
  if (matches === undefined) {
    if (cache.size >= MAX_CACHED_PATTERNS) cache.clear();
    matches = match(pattern);
    cache.set(pattern, matches);
  }
  return matches;
}

function match(pattern: string): readonly string[] {
  const candidates = BY_SEGMENTS.get(countSlashes(pattern));
  if (candidates === undefined) return NO_MATCH;
  const prefix = literalPrefix(pattern);
  let test: (path: string) => boolean;
  try {
    const regex = picomatch.makeRe(pattern, OPTIONS);
    test = (path) => regex.test(path);
  } catch {
    return NO_MATCH;
  }
  const matches: string[] = [];
  for (const path of candidates) {
    if (!path.startsWith(prefix) || !test(path)) continue;
    matches.push(path);
    if (matches.length >= MAX_GLOB_MATCHES) break;
  }
  return matches.length === 0 ? NO_MATCH : matches;
}
