/**
 * Sets of characters as sorted intervals of code points, for the static regex
 * analyses (linear-regex.ts, bounded-runs.ts).
 */

/** The largest code point: sets are subsets of [0, MAX_CODE_POINT]. */
export const MAX_CODE_POINT = 0x10ffff;

/** Sorted, disjoint, non-adjacent closed intervals of code points (or code units). */
export type CharSet = readonly (readonly [number, number])[];

/** The union of `ranges` (in any order, overlapping or not) as a set. */
export function normalize(ranges: (readonly [number, number])[]): CharSet {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

/** Every character of any of `sets`. */
export function union(...sets: CharSet[]): CharSet {
  return normalize(sets.flat());
}

/** Every character (up to {@link MAX_CODE_POINT}) not in `set`. */
export function complement(set: CharSet): CharSet {
  const out: [number, number][] = [];
  let next = 0;
  for (const [lo, hi] of set) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CODE_POINT) out.push([next, MAX_CODE_POINT]);
  return out;
}

/** Whether `a` and `b` have a character in common. */
export function intersects(a: CharSet, b: CharSet): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const [alo, ahi] = a[i]!;
    const [blo, bhi] = b[j]!;
    if (alo <= bhi && blo <= ahi) return true;
    if (ahi < bhi) i++;
    else j++;
  }
  return false;
}

/** The largest UTF-16 code unit: without `u`, a regex reads code units, not code points. */
export const MAX_CODE_UNIT = 0xffff;

let bmpSpaces: CharSet | undefined;

/**
 * Exactly the characters up to U+FFFF that `\s` reads in this engine, found once (a
 * few milliseconds) by asking the engine rather than from a copied table: `\s` and
 * `\S` then part exactly there, which the run count needs to see that `\s+\S*` is
 * not ambiguous. (No character above U+FFFF is a space in any Unicode version, but
 * asking would take a 4 MB string; callers over-approximate those instead.)
 */
export function engineSpacesUpToFFFF(): CharSet {
  if (bmpSpaces !== undefined) return bmpSpaces;
  const space = /\s/;
  const ranges: [number, number][] = [];
  for (let code = 0; code <= MAX_CODE_UNIT; code++)
    if (space.test(String.fromCharCode(code))) ranges.push([code, code]);
  bmpSpaces = normalize(ranges);
  return bmpSpaces;
}

/** The characters of `set` up to `end`. */
export function upTo(set: CharSet, end: number): CharSet {
  return set.filter(([lo]) => lo <= end).map(([lo, hi]) => [lo, Math.min(hi, end)] as const);
}
