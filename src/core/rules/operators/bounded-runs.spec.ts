import { describe, expect, it } from 'vitest';
import { MAX_RUNS, maxRuns } from './bounded-runs';
import type { RunAutomaton } from './bounded-runs';
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
