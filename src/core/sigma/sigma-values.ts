import { skip } from './skip';
import { errorMessage } from '../errors';

/**
 * A Sigma value test as Shellwatch matchers: the string operators that need no
 * regex (containsI, startsWithI, endsWithI) where they can, else a regex built so
 * that recheck can prove it linear.
 */

/** How a value is compared (Sigma: no modifier = the whole value, with wildcards). */
export type MatchKind = 'contains' | 'startswith' | 'endswith' | 'exact';

/** One value test. `cased: false` is Sigma's default: case-insensitive. */
export type ValueTest =
  | { kind: MatchKind; text: string; cased: boolean }
  | { kind: 're'; pattern: string; flags: string };

/** A Shellwatch string matcher: an operator and its value, usable as a leaf or inside anyCommand. */
export interface Matcher {
  operator: 'containsI' | 'startsWithI' | 'endsWithI' | 'regex';
  value: string | { pattern: string; flags: string };
}

/** A value split into literal runs and wildcards (`*` any run, `?` one character). */
type Piece = { literal: string } | { wildcard: '*' | '?' };

/** Reads Sigma's escapes: `\*`, `\?` and `\\` are literal; any other backslash is itself. */
export function parsePieces(text: string): Piece[] {
  const pieces: Piece[] = [];
  let literal = '';
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i] ?? '';
    const next = text[i + 1];
    if (c === '\\' && (next === '*' || next === '?' || next === '\\')) {
      literal += next;
      i += 1;
    } else if (c === '*' || c === '?') {
      if (literal !== '') pieces.push({ literal });
      literal = '';
      pieces.push({ wildcard: c });
    } else literal += c;
  }
  if (literal !== '') pieces.push({ literal });
  return pieces;
}

export function hasWildcard(text: string): boolean {
  return parsePieces(text).some((piece) => 'wildcard' in piece);
}

/** The literal text of a value without wildcards (escapes resolved). */
export function literalOf(text: string): string {
  return parsePieces(text)
    .map((piece) => ('literal' in piece ? piece.literal : piece.wildcard))
    .join('');
}

export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

const isStar = (piece: Piece | undefined): boolean =>
  piece !== undefined && 'wildcard' in piece && piece.wildcard === '*';

/**
 * Leading / trailing `*` folded into the kind: `*x*` is contains x, `*.sh` is
 * endswith .sh, `x*` startswith x. What remains has wildcards only inside.
 */
function normalize(kind: MatchKind, pieces: Piece[]): { kind: MatchKind; pieces: Piece[] } {
  let start = 0;
  let end = pieces.length;
  while (start < end && isStar(pieces[start])) start += 1;
  while (end > start && isStar(pieces[end - 1])) end -= 1;
  const leading = start > 0;
  const trailing = end < pieces.length;
  const inner = pieces.slice(start, end);
  const anchoredStart = (kind === 'startswith' || kind === 'exact') && !leading;
  const anchoredEnd = (kind === 'endswith' || kind === 'exact') && !trailing;
  const folded: MatchKind =
    anchoredStart && anchoredEnd
      ? 'exact'
      : anchoredStart
        ? 'startswith'
        : anchoredEnd
          ? 'endswith'
          : 'contains';
  return { kind: folded, pieces: inner };
}

/** Regex text of a run of pieces with no `*` (a `?` is one character). */
function runSource(pieces: Piece[]): string {
  return pieces
    .map((piece) => ('literal' in piece ? escapeRegex(piece.literal) : '[\\s\\S]'))
    .join('');
}

/**
 * The regex of a value with inner `*`: each run is found at its FIRST occurrence
 * after the previous one (`(?:(?!run)[\s\S])*run`), which is exact for "these runs
 * in this order" and linear, where `a.*b.*c` would be polynomial and refused.
 */
function wildcardRegex(kind: MatchKind, pieces: Piece[]): string {
  const runs: Piece[][] = [[]];
  for (const piece of pieces) {
    if (isStar(piece)) runs.push([]);
    else runs[runs.length - 1]?.push(piece);
  }
  const sources = runs.map(runSource).filter((source) => source !== '');
  const anchoredStart = kind === 'startswith' || kind === 'exact';
  const anchoredEnd = kind === 'endswith' || kind === 'exact';
  if (sources.length === 0) return '^';
  let regex = '^';
  sources.forEach((source, index) => {
    const first = index === 0;
    const last = index === sources.length - 1;
    if (first && anchoredStart) regex += source;
    else if (last && anchoredEnd) regex += `[\\s\\S]*${source}`;
    else regex += `(?:(?!${source})[\\s\\S])*${source}`;
  });
  return anchoredEnd ? `${regex}$` : regex;
}

/** The matcher for one value test. */
export function toMatcher(test: ValueTest): Matcher {
  if (test.kind === 're')
    return { operator: 'regex', value: { pattern: test.pattern, flags: test.flags } };
  const { kind, pieces } = normalize(test.kind, parsePieces(test.text));
  const flags = test.cased ? '' : 'i';
  const wild = pieces.some((piece) => 'wildcard' in piece);
  if (wild) return { operator: 'regex', value: { pattern: wildcardRegex(kind, pieces), flags } };
  const literal = pieces.map((piece) => ('literal' in piece ? piece.literal : '')).join('');
  if (!test.cased && kind !== 'exact' && literal !== '') {
    const operator =
      kind === 'contains' ? 'containsI' : kind === 'startswith' ? 'startsWithI' : 'endsWithI';
    return { operator, value: literal };
  }
  const escaped = escapeRegex(literal);
  const pattern =
    kind === 'exact'
      ? `^${escaped}$`
      : kind === 'startswith'
        ? `^${escaped}`
        : kind === 'endswith'
          ? `${escaped}$`
          : escaped;
  return { operator: 'regex', value: { pattern, flags } };
}

/** The matcher as an anyCommand string matcher: `{"containsI": "x"}`, `{"regex": {...}}`. */
export function specMatcher(test: ValueTest): Record<string, unknown> {
  const { operator, value } = toMatcher(test);
  return { [operator]: value };
}

/**
 * Sigma `re`: the pattern as written, case-sensitive unless `|i` (or a leading
 * `(?i)`, which JavaScript does not know and is turned into the `i` flag).
 */
export function regexTest(
  pattern: string,
  flags: { i: boolean; m: boolean; s: boolean },
): ValueTest {
  let source = pattern;
  let i = flags.i;
  if (source.startsWith('(?i)')) {
    source = source.slice(4);
    i = true;
  }
  try {
    new RegExp(source);
  } catch (error) {
    skip(
      'value',
      `regex ${JSON.stringify(pattern)} is not valid in JavaScript: ${errorMessage(error)}`,
    );
  }
  return {
    kind: 're',
    pattern: source,
    flags: `${i ? 'i' : ''}${flags.m ? 'm' : ''}${flags.s ? 's' : ''}`,
  };
}

const DASHES = ['-', '/', '\u2013', '\u2014', '\u2015'];

/**
 * Sigma `windash`: a `-` or `/` that starts the value or follows whitespace (a
 * flag) in each of its five forms: `-`, `/`, en dash, em dash, horizontal bar. The
 * same form is used at every flag of one value (5 variants, not 5^n).
 */
export function windash(text: string): string[] {
  const flag = /(^|\s)[-/]/g;
  if (!flag.test(text)) return [text];
  return DASHES.map((dash) =>
    text.replace(/(^|\s)[-/]/g, (_m, space: string) => `${space}${dash}`),
  );
}

/** Sigma `base64`: the value's base64 text, padding included (as the Sigma specification). */
export function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/**
 * Sigma `base64offset`: the three encodings of the value at byte offsets 0, 1 and 2
 * of a longer encoded text, with the characters that depend on the unknown
 * neighbours cut off (the Sigma specification's construction).
 */
export function base64offset(text: string): string[] {
  const bytes = Buffer.from(text, 'utf8');
  const starts = [0, 2, 3];
  const ends = [0, -3, -2];
  return [0, 1, 2].map((offset) => {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const cut = ends[(bytes.length + offset) % 3] ?? 0;
    return encoded.slice(starts[offset] ?? 0, cut === 0 ? undefined : encoded.length + cut);
  });
}
