import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_RUNS, maxRuns, RUN_LIMITS } from './bounded-runs';
import type { RunAutomaton, RunLimits } from './bounded-runs';
import type { CharSet } from './char-set';
import { isProvablyLinear } from './linear-regex';

const ch = (text: string): CharSet => [...text].map((c) => [c.codePointAt(0)!, c.codePointAt(0)!]);
const ANY: CharSet = [[0, 0xffff]];

/** Partial runs reading `input` from the start, counted by walking every path (the oracle). */
function runsAfter(automaton: RunAutomaton, input: string): number {
  const retry = automaton.retries === undefined ? undefined : automaton.chars.length;
  const chars = retry === undefined ? automaton.chars : [...automaton.chars, ANY];
  const follow =
    retry === undefined
      ? automaton.follow
      : [...automaton.follow, [retry, ...(automaton.retries ?? [])]];
  const initial = retry === undefined ? automaton.initial : [retry, ...automaton.initial];
  let alive: number[] = [...initial];
  let first = true;
  for (const c of input) {
    const code = c.codePointAt(0)!;
    const from: readonly number[] = first ? [-1] : alive;
    const next: number[] = [];
    for (const p of from)
      for (const q of p === -1 ? initial : follow[p]!)
        if (chars[q]!.some(([lo, hi]) => lo <= code && code <= hi)) next.push(q);
    alive = next;
    first = false;
  }
  return alive.length;
}

describe('maxRuns', () => {
  it('bounds what every input of a small alphabet can reach (path-walking oracle)', () => {
    // `^([^@ ]+@)?[0-9]+x`: the two loops overlap on digits, but only one reads `@`.
    const automaton: RunAutomaton = {
      chars: [
        [
          [0x21, 0x3f],
          [0x41, 0xffff],
        ],
        ch('@'),
        ch('0123456789'),
        ch('x'),
      ],
      follow: [[0, 1], [2], [2, 3], []],
      initial: [0, 2],
      retries: undefined,
      alphabetEnd: 0xffff,
    };
    const bound = maxRuns(automaton);
    expect(bound).toBeDefined();
    let most = 0;
    const alphabet = ['1', '@', 'x', 'a'];
    const inputs = (length: number): string[] =>
      length === 0 ? [''] : inputs(length - 1).flatMap((s) => alphabet.map((c) => s + c));
    for (let length = 1; length <= 6; length++)
      for (const input of inputs(length)) most = Math.max(most, runsAfter(automaton, input));
    expect(bound).toBe(most);
  });

  it('finds no bound for nested or overlapping loops, nor for a loop retried at every start', () => {
    // (a+)+: two edges from a to a.
    const nested: RunAutomaton = {
      chars: [ch('a')],
      follow: [[0, 0]],
      initial: [0],
      retries: undefined,
      alphabetEnd: 0xffff,
    };
    expect(maxRuns(nested)).toBeUndefined();
    expect(runsAfter(nested, 'a'.repeat(8))).toBe(128);
    // a+b unanchored: each start index leaves one more run in the loop.
    const retried: RunAutomaton = {
      chars: [ch('a'), ch('b')],
      follow: [[0, 1], []],
      initial: [0],
      retries: [0],
      alphabetEnd: 0xffff,
    };
    expect(maxRuns(retried)).toBeUndefined();
    expect(runsAfter(retried, 'a'.repeat(MAX_RUNS + 1))).toBeGreaterThan(MAX_RUNS);
    // ^a+b is linear.
    expect(maxRuns({ ...retried, retries: undefined })).toBe(1);
  });
});

describe('isProvablyLinear with the run count (rule 4)', () => {
  it('proves shapes the overlap rules refuse', () => {
    for (const [source, flags] of [
      ['^(https?|ftp)://([^@/ ]+@)?[0-9]+[.][0-9]+[.][0-9]+[.][0-9]+[:/]', ''],
      ['(^| )([^ ]*/)?(ba|da|z|k|a|mk|tc|c)?sh( -[a-z]+)*$', ''],
      ['(^|\\n)[a-zA-Z_][a-zA-Z0-9_.-]*:[^:]*:0+:', ''],
      ['-[a-z]*o\\s+\\S*pastebin', ''],
      ['^(sudo |nohup |exec )?(/[a-z?*]+)*/[a-z]*[?][a-z?]*( |$)', ''],
    ] as const)
      expect([source, isProvablyLinear(source, flags)]).toEqual([source, true]);
  });

  it('still refuses what is quadratic only through the retries or `^` with `m`', () => {
    for (const [source, flags] of [
      ['\\S*pastebin', ''],
      ['-\\S*\\s*\\S*x', ''],
      ['(^| )[^ ]*x', 'm'],
      ['(^|a)[a-z]*x', ''],
    ] as const)
      expect([source, isProvablyLinear(source, flags)]).toEqual([source, false]);
  });
});

/**
 * The search as first written (before issue 25's one walk per vector): vectors as maps,
 * each class's successor found by walking every edge of the vector, a step per edge
 * and class. maxRuns must give the same answer, limits included.
 */
function classByClass(automaton: RunAutomaton, limits: RunLimits): number | undefined {
  const retry = automaton.chars.length;
  const chars =
    automaton.retries === undefined
      ? automaton.chars
      : [...automaton.chars, [[0, automaton.alphabetEnd]] as CharSet];
  const follow =
    automaton.retries === undefined
      ? automaton.follow
      : [...automaton.follow, [retry, ...automaton.retries]];
  const initial =
    automaton.retries === undefined ? automaton.initial : [retry, ...automaton.initial];
  // Every character up to alphabetEnd, as the positions that read it; one class per distinct set.
  const byReaders = new Map<string, boolean[]>();
  for (let code = 0; code <= Math.min(automaton.alphabetEnd, 0x7f); code++) {
    const readable = chars.map((set) => set.some(([lo, hi]) => lo <= code && code <= hi));
    if (readable.includes(true)) byReaders.set(readable.join(), readable);
  }
  const classes = [...byReaders.values()];
  const start = chars.length;
  const edges = [...follow, initial];
  const keyOf = (vector: Map<number, number>): string =>
    [...vector]
      .sort((a, b) => a[0] - b[0])
      .map(([p, r]) => `${p}:${r}`)
      .join(',');
  const seen = new Set<string>();
  const queue: Map<number, number>[] = [new Map([[start, 1]])];
  seen.add(keyOf(queue[0]!));
  let most = 1;
  let steps = 0;
  for (let head = 0; head < queue.length; head++) {
    for (const readable of classes) {
      const next = new Map<number, number>();
      let total = 0;
      for (const [from, runs] of queue[head]!) {
        for (const to of edges[from]!) {
          steps += 1;
          if (!readable[to]) continue;
          next.set(to, (next.get(to) ?? 0) + runs);
          total += runs;
        }
      }
      if (steps > limits.steps || total > limits.runs) return undefined;
      if (total === 0) continue;
      most = Math.max(most, total);
      const key = keyOf(next);
      if (seen.has(key)) continue;
      if (seen.size >= limits.vectors) return undefined;
      seen.add(key);
      queue.push(next);
    }
  }
  return most;
}

describe('maxRuns against the class-by-class search', () => {
  // Small automata over the letters a-d (and everything else), every edge shape allowed:
  // repeated edges, loops, retries or none.
  const LETTERS = 'abcd';
  const automaton: fc.Arbitrary<RunAutomaton> = fc.integer({ min: 1, max: 7 }).chain((size) =>
    fc.record({
      chars: fc.array(
        fc.oneof(
          fc.subarray([...LETTERS], { minLength: 1 }).map((letters) => ch(letters.join(''))),
          fc.constant<CharSet>([[0, 0x7f]]),
        ),
        { minLength: size, maxLength: size },
      ),
      follow: fc.array(fc.array(fc.nat(size - 1), { maxLength: 3 }), {
        minLength: size,
        maxLength: size,
      }),
      initial: fc.array(fc.nat(size - 1), { minLength: 1, maxLength: 3 }),
      retries: fc.option(fc.array(fc.nat(size - 1), { minLength: 1, maxLength: 2 }), {
        nil: undefined,
      }),
      alphabetEnd: fc.constant(0x7f),
    }),
  );
  // Characters are sorted into classes the same way by both (up to 0x7f here).
  const limits = fc.oneof(
    fc.constant(RUN_LIMITS),
    fc.record({
      runs: fc.integer({ min: 1, max: 8 }),
      vectors: fc.integer({ min: 1, max: 12 }),
      steps: fc.integer({ min: 1, max: 400 }),
    }),
  );

  it('gives the same answer, limits included', () => {
    let bounded = 0;
    let limited = 0;
    fc.assert(
      fc.property(automaton, limits, (a, l) => {
        const expected = classByClass(a, l);
        expect(maxRuns(a, l)).toBe(expected);
        if (expected !== undefined) bounded += 1;
        else if (l !== RUN_LIMITS && classByClass(a, RUN_LIMITS) !== undefined) limited += 1;
      }),
      { numRuns: 4000, seed: 25 },
    );
    // Not vacuous: both answers occur, and the small limits decide some cases.
    expect(bounded).toBeGreaterThan(400);
    expect(limited).toBeGreaterThan(100);
  });
});
