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

/** Where the search gives up (the result is then undefined: recheck decides). */
export interface RunLimits {
  /** Most partial runs alive after one character that still count as "bounded". */
  readonly runs: number;
  /** Distinct run-count vectors explored before giving up (a subset-construction blow-up). */
  readonly vectors: number;
  /**
   * Edge steps before giving up: keeps one pattern's analysis within milliseconds. A
   * vector costs one step per edge out of its positions and per character class, as
   * a class-by-class walk of its edges would take.
   */
  readonly steps: number;
}

export const RUN_LIMITS: RunLimits = { runs: MAX_RUNS, vectors: 4096, steps: 2_000_000 };

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
 *
 * The answer does not depend on the order the vectors are explored in (every limit
 * gives up with undefined, and the steps are a sum over the vectors explored), so all
 * classes' successors of a vector are found in one walk of its edges: each edge adds
 * its runs to the classes that its target reads, and a class no edge reaches (no run
 * survives it) costs nothing (issue 25: the class-by-class walk was most of a pack
 * load's regex proof). bounded-runs.spec.ts holds it to the class-by-class search.
 */
export function maxRuns(
  automaton: RunAutomaton,
  limits: RunLimits = RUN_LIMITS,
): number | undefined {
  const { chars, follow, initial } = withRetries(automaton);
  const classes = characterClasses(chars, automaton.alphabetEnd);
  const classCount = classes.length;
  const start = chars.length;
  const edges: (readonly number[])[] = [...follow, initial];
  // classesOf[position]: the classes whose characters the position reads.
  const classesOf: number[][] = chars.map(() => []);
  classes.forEach((readable, k) => {
    for (let position = 0; position < readable.length; position++)
      if (readable[position] === 1) classesOf[position]!.push(k);
  });
  const walk = new SuccessorWalk(classCount);
  const seen = new Set<string>();
  const queue: RunVector[] = [{ positions: [start], runs: [1] }];
  seen.add(vectorKey(queue[0]!.positions, queue[0]!.runs));
  let most = 1;
  let steps = 0;
  for (let head = 0; head < queue.length; head++) {
    const vector = queue[head]!;
    walk.clear();
    let edgeCount = 0;
    for (let i = 0; i < vector.positions.length; i++) {
      const out = edges[vector.positions[i]!]!;
      const runs = vector.runs[i]!;
      for (const to of out) {
        for (const k of classesOf[to]!) walk.add(k, to, runs, edgeCount);
        edgeCount += 1;
      }
    }
    steps += edgeCount * classCount;
    if (steps > limits.steps) return undefined;
    for (let t = 0; t < walk.touchedCount; t++) {
      const k = walk.touched[t]!;
      // A class reached by the same edges as an earlier one has the same successor,
      // already looked at: skipping it changes nothing but the time.
      if (walk.repeatsEarlierClass(k)) continue;
      const next = walk.vectorOf(k, limits.runs);
      if (next === undefined) return undefined;
      most = Math.max(most, next.total);
      const key = vectorKey(next.positions, next.runs);
      if (seen.has(key)) continue;
      if (seen.size >= limits.vectors) return undefined;
      seen.add(key);
      queue.push(next);
    }
  }
  return most;
}

/** Runs per position, positions ascending and each with at least one run. */
interface RunVector {
  readonly positions: readonly number[];
  readonly runs: readonly number[];
}

/**
 * One vector's successors, for every character class at once: per class, a list of
 * (position, runs) entries in flat arrays, linked from the class's head, merged into a
 * vector on demand. Reused from vector to vector (no allocation per edge; the arrays
 * only grow). Each class also keeps a hash of the edges that reached it, so that the
 * classes reached by exactly the same edges — most of them: with the pack's regexes,
 * 391,009 classes touched for 69,827 distinct successors — are merged only once.
 */
class SuccessorWalk {
  private readonly head: Int32Array;
  private readonly total: Int32Array;
  /** A hash of the edge numbers of each class's entries, in the order added. */
  private readonly signature: Int32Array;
  private readonly entryPosition: number[] = [];
  private readonly entryRuns: number[] = [];
  private readonly entryEdge: number[] = [];
  private readonly entryNext: number[] = [];
  private entries = 0;
  /** The classes some edge reached, in the order first reached (the first `touchedCount`). */
  readonly touched: number[] = [];
  touchedCount = 0;
  /** The first class looked at with each signature, for {@link repeatsEarlierClass}. */
  private readonly firstWithSignature = new Map<number, number>();

  constructor(classCount: number) {
    this.head = new Int32Array(classCount).fill(-1);
    this.total = new Int32Array(classCount);
    this.signature = new Int32Array(classCount);
  }

  clear(): void {
    for (let t = 0; t < this.touchedCount; t++) {
      const k = this.touched[t]!;
      this.head[k] = -1;
      this.total[k] = 0;
      this.signature[k] = 0;
    }
    this.touchedCount = 0;
    this.entries = 0;
    this.firstWithSignature.clear();
  }

  /** Edge number `edge` (unique within the vector) brings `runs` runs to `position`, which reads class `k`. */
  add(k: number, position: number, runs: number, edge: number): void {
    const previous = this.head[k]!;
    if (previous === -1) this.touched[this.touchedCount++] = k;
    const entry = this.entries++;
    this.head[k] = entry;
    this.entryPosition[entry] = position;
    this.entryRuns[entry] = runs;
    this.entryEdge[entry] = edge;
    this.entryNext[entry] = previous;
    this.total[k] = this.total[k]! + runs;
    this.signature[k] = (Math.imul(this.signature[k]!, 0x01000193) ^ (edge + 1)) | 0;
  }

  /**
   * Whether class `k` was reached by exactly the edges (so the entries) of a class asked
   * about before it since the last clear: then its successor is that class's. Compares
   * the entry lists, so a hash collision only costs a merge.
   */
  repeatsEarlierClass(k: number): boolean {
    const signature = this.signature[k]!;
    const earlier = this.firstWithSignature.get(signature);
    if (earlier === undefined) {
      this.firstWithSignature.set(signature, k);
      return false;
    }
    let a = this.head[k]!;
    let b = this.head[earlier]!;
    while (a !== -1 && b !== -1) {
      if (this.entryEdge[a] !== this.entryEdge[b]) return false;
      a = this.entryNext[a]!;
      b = this.entryNext[b]!;
    }
    return a === b;
  }

  /** Class `k`'s successor, or undefined when it holds more than `maxRuns` runs. */
  vectorOf(k: number, maxRuns: number): (RunVector & { total: number }) | undefined {
    const total = this.total[k]!;
    if (total > maxRuns) return undefined;
    // At most `total` entries (each holds a run or more): an insertion sort is enough.
    const positions: number[] = [];
    const runs: number[] = [];
    for (let entry = this.head[k]!; entry !== -1; entry = this.entryNext[entry]!) {
      const position = this.entryPosition[entry]!;
      let at = positions.length;
      while (at > 0 && positions[at - 1]! > position) at--;
      if (at > 0 && positions[at - 1] === position) {
        runs[at - 1] = runs[at - 1]! + this.entryRuns[entry]!;
        continue;
      }
      positions.splice(at, 0, position);
      runs.splice(at, 0, this.entryRuns[entry]!);
    }
    return { positions, runs, total };
  }
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

function vectorKey(positions: readonly number[], runs: readonly number[]): string {
  let key = '';
  for (let i = 0; i < positions.length; i++) key += `${positions[i]!}:${runs[i]!},`;
  return key;
}
