import type { CharSet } from './char-set';

/**
 * A pattern's Glushkov automaton as the backtracking engine walks it: one state per
 * character position, and from each position (and from the start) one edge per way
 * the engine can step to the next position, so that two routes to the same position
 * are two edges (`(a+)+` has two edges from `a` to `a`).
 */
export interface RunAutomaton {
  /** What each position reads: a superset of what the engine lets it read. */
  readonly chars: readonly CharSet[];
  /** Edges out of each position, by target position, one entry per route. */
  readonly follow: readonly (readonly number[])[];
  /** Edges out of the start, at the input's start. */
  readonly initial: readonly number[];
  /**
   * Edges into the pattern at a later start index, when `test` retries the pattern
   * there (undefined when it does not: the pattern begins with `^` and `m` is off).
   * Modelled as a lazy `[^]*?` in front of the pattern.
   */
  readonly retries: readonly number[] | undefined;
  /** The largest character the input can hold: 0xFFFF (code units) without `u`. */
  readonly alphabetEnd: number;
}

/** Most partial runs alive after one character that still count as "bounded". */
export const MAX_RUNS = 64;
/** Distinct run-count vectors explored before giving up (a subset-construction blow-up). */
const MAX_VECTORS = 4096;
/** Edge steps explored before giving up: keeps one pattern's analysis within milliseconds. */
const MAX_STEPS = 2_000_000;

/**
 * The most partial runs the engine can have alive after reading any one input (the
 * pattern's ambiguity, counting runs that fail later too), or undefined when that is
 * unbounded or not found within the limits.
 *
 * Why this proves linear time: a backtracking matcher's `test` tries, for each prefix
 * of the input, every partial run of the automaton that reads it (with the retry at
 * every start index folded in as a lazy prefix), and no more. When at most k runs read
 * any one prefix, an input of n characters costs at most k·(n + 1) steps, each a
 * bounded amount of work. Nested or overlapping loops (the degree of ambiguity that
 * grows with the input: `(a+)+`, `a*a*`, `\s+$` retried at every start) make the count
 * grow without bound, which the search below sees as a count over {@link MAX_RUNS}.
 *
 * The search is a subset construction that keeps, per position, how many runs are in
 * it: from the start vector, every class of characters that the positions tell apart
 * gives the next vector. When every reachable vector is found and none holds more
 * than MAX_RUNS runs, k is the largest; vectors are exact, so nothing is guessed.
 * Over-approximated character sets only add runs.
 */
export function maxRuns(automaton: RunAutomaton): number | undefined {
  const { chars, follow, initial } = withRetries(automaton);
  const classes = characterClasses(chars, automaton.alphabetEnd);
  const start = chars.length;
  const edges: (readonly number[])[] = [...follow, initial];
  const seen = new Set<string>();
  const queue: Map<number, number>[] = [new Map([[start, 1]])];
  seen.add(vectorKey(queue[0]!));
  let most = 1;
  let steps = 0;
  for (let head = 0; head < queue.length; head++) {
    const vector = queue[head]!;
    for (const readable of classes) {
      const next = new Map<number, number>();
      let total = 0;
      for (const [from, runs] of vector) {
        for (const to of edges[from]!) {
          steps += 1;
          if (!readable[to]) continue;
          next.set(to, (next.get(to) ?? 0) + runs);
          total += runs;
        }
      }
      if (steps > MAX_STEPS || total > MAX_RUNS) return undefined;
      if (total === 0) continue;
      most = Math.max(most, total);
      const key = vectorKey(next);
      if (seen.has(key)) continue;
      if (seen.size >= MAX_VECTORS) return undefined;
      seen.add(key);
      queue.push(next);
    }
  }
  return most;
}

/** An unanchored pattern with the retry at every start index as one more position: `[^]*?` in front. */
function withRetries(automaton: RunAutomaton): RunAutomaton {
  if (automaton.retries === undefined) return automaton;
  const retry = automaton.chars.length;
  return {
    ...automaton,
    chars: [...automaton.chars, [[0, automaton.alphabetEnd]]],
    follow: [...automaton.follow, [retry, ...automaton.retries]],
    initial: [retry, ...automaton.initial],
    retries: undefined,
  };
}

/**
 * The classes of characters no position tells apart, each as the positions that read
 * it (`readable[position]`): the alphabet of the subset construction.
 */
function characterClasses(chars: readonly CharSet[], alphabetEnd: number): Uint8Array[] {
  const cuts = new Set<number>([0]);
  for (const set of chars)
    for (const [lo, hi] of set) {
      if (lo <= alphabetEnd) cuts.add(lo);
      if (hi < alphabetEnd) cuts.add(hi + 1);
    }
  const starts = [...cuts].sort((a, b) => a - b);
  // readers[i]: the positions reading the interval that begins at starts[i].
  const readers = starts.map(() => new Uint8Array(chars.length));
  chars.forEach((set, position) => {
    for (const [lo, hi] of set) {
      for (let i = lowerBound(starts, lo); i < starts.length && starts[i]! <= hi; i++)
        readers[i]![position] = 1;
    }
  });
  const classes = new Map<string, Uint8Array>();
  for (const readable of readers) {
    if (!readable.includes(1)) continue;
    classes.set(readable.join(''), readable);
  }
  return [...classes.values()];
}

function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function vectorKey(vector: ReadonlyMap<number, number>): string {
  return [...vector]
    .sort((a, b) => a[0] - b[0])
    .map(([position, runs]) => `${position}:${runs}`)
    .join(',');
}
