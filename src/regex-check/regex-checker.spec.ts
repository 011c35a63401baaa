import type { Diagnostics } from 'recheck';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { MAX_REGEX_LENGTH, regexKey } from '../core/rules/operators/check-regex';
import type { RegexSpec } from '../core/rules/operators/check-regex';
import { RegexVerdictCache } from '../core/rules/operators/regex-verdict-cache';
import { RegexChecker } from './regex-checker';
import type { RegexAnalysis } from './regex-checker';

const safe = (spec: RegexSpec): Diagnostics => ({
  ...spec,
  status: 'safe',
  checker: 'automaton',
  complexity: { type: 'linear', summary: 'linear', isFuzz: false },
});
const cancelled = (spec: RegexSpec): Diagnostics => ({
  ...spec,
  status: 'unknown',
  error: { kind: 'cancel' },
});

/** An analysis that answers only when told to (or `cancel` when its signal aborts), and counts. */
function controlledAnalysis(): {
  analysis: RegexAnalysis;
  started: string[];
  maxRunning: () => number;
  finishAll: () => void;
} {
  const started: string[] = [];
  const running = new Set<() => void>();
  let maxRunning = 0;
  const analysis: RegexAnalysis = (spec, signal) =>
    new Promise((resolve) => {
      started.push(spec.source);
      const finish = (): void => {
        running.delete(finish);
        resolve(signal.aborted ? cancelled(spec) : safe(spec));
      };
      running.add(finish);
      maxRunning = Math.max(maxRunning, running.size);
      signal.addEventListener('abort', finish, { once: true });
    });
  return {
    analysis,
    started,
    maxRunning: () => maxRunning,
    finishAll: () => {
      for (const finish of [...running]) finish();
    },
  };
}

/** Patterns the static proof cannot decide (overlapping branches in a loop), so they reach the analysis. */
const specs = (n: number): RegexSpec[] =>
  Array.from({ length: n }, (_, i) => ({ source: `^(p${String(i)}|p${String(i)})+$`, flags: '' }));

describe('RegexChecker', () => {
  it('answers patterns the static proof shows linear without the analysis, unless told not to', async () => {
    const linear = [
      { source: '^/etc/(passwd|shadow)$', flags: '' },
      { source: '(^| )-e ?0( |$)', flags: 'i' },
    ];
    const undecided = { source: '^(a|a)*c$', flags: '' };
    const control = controlledAnalysis();
    const checker = new RegexChecker({ concurrency: 2, analysis: control.analysis });
    const pending = checker.verdicts([...linear, undecided]);
    await new Promise((resolve) => setImmediate(resolve));
    control.finishAll();
    const verdicts = await pending;
    expect(control.started).toEqual([undecided.source]);
    for (const spec of linear)
      expect(verdicts.get(regexKey(spec.source, spec.flags))).toBeUndefined();

    const baseline = controlledAnalysis();
    const recheckOnly = new RegexChecker({
      concurrency: 4,
      analysis: baseline.analysis,
      staticProof: false,
      cache: new RegexVerdictCache(1024),
    });
    const all = recheckOnly.verdicts(linear);
    await new Promise((resolve) => setImmediate(resolve));
    baseline.finishAll();
    await all;
    expect(baseline.started).toEqual(linear.map((s) => s.source));
  });

  it('runs at most `concurrency` analyses at once, all callers together', async () => {
    const control = controlledAnalysis();
    const checker = new RegexChecker({
      concurrency: 2,
      analysis: control.analysis,
      cache: new RegexVerdictCache(1 << 20),
    });
    const first = checker.verdicts(specs(5));
    const second = checker.verdicts([{ source: '^(other|other)+$', flags: '' }]);
    while (control.started.length < 6) {
      await new Promise((resolve) => setImmediate(resolve));
      control.finishAll();
    }
    const [a, b] = await Promise.all([first, second]);
    expect(control.maxRunning()).toBe(2);
    expect([...a.values()]).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(b.get(regexKey('^(other|other)+$', ''))).toBeUndefined();
    expect(b.has(regexKey('^(other|other)+$', ''))).toBe(true);
  });

  it('cuts a call short at its budget: waiting and running analyses alike, nothing cached', async () => {
    const control = controlledAnalysis();
    const cache = new RegexVerdictCache(1 << 20);
    const checker = new RegexChecker({ concurrency: 1, analysis: control.analysis, cache });
    const verdicts = await checker.verdicts(specs(3), { budgetMs: 20 });
    expect(control.started).toEqual(['^(p0|p0)+$']);
    for (const verdict of verdicts.values()) {
      expect(verdict).toMatch(/not checked .*analysis budget of 20 ms ran out/);
    }
    expect(cache.size).toBe(0);
    // The slot was given back: a later call is analysed.
    const later = checker.verdicts([{ source: '^(later|later)+$', flags: '' }]);
    await new Promise((resolve) => setImmediate(resolve));
    control.finishAll();
    expect((await later).get(regexKey('^(later|later)+$', ''))).toBeUndefined();
  });

  it('keeps its budget through garbage collections while the analyses run', async () => {
    // nodejs/node#57736: an AbortSignal.timeout inside AbortSignal.any could be collected
    // before it fired, and the budget then never ran out. Collect while the call waits.
    setFlagsFromString('--expose-gc');
    const collect = runInNewContext('gc') as () => void;
    const control = controlledAnalysis();
    const checker = new RegexChecker({ concurrency: 1, analysis: control.analysis });
    let answered = false;
    const call = checker.verdicts(specs(2), { budgetMs: 200 }).finally(() => {
      answered = true;
    });
    for (let round = 0; round < 100 && !answered; round += 1) {
      collect();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    if (!answered) control.finishAll();
    expect(answered).toBe(true);
    for (const verdict of (await call).values()) {
      expect(verdict).toMatch(/analysis budget of 200 ms ran out/);
    }
  });

  it('answers from the cache and the cheap checks without analysing', async () => {
    const control = controlledAnalysis();
    const cache = new RegexVerdictCache(1 << 20);
    cache.set(regexKey('(a+)+$', ''), 'regex may backtrack catastrophically');
    const checker = new RegexChecker({ concurrency: 1, analysis: control.analysis, cache });
    const verdicts = await checker.verdicts([
      { source: '(a+)+$', flags: '' },
      { source: 'x'.repeat(MAX_REGEX_LENGTH + 1), flags: '' },
      { source: 'a', flags: 'g' },
      { source: '([a-z', flags: '' },
    ]);
    expect(control.started).toEqual([]);
    expect([...verdicts.values()]).toEqual([
      'regex may backtrack catastrophically',
      `regex is ${MAX_REGEX_LENGTH + 1} characters long; at most ${MAX_REGEX_LENGTH} are allowed`,
      'regex flags "g" not allowed (use only i, m, s, u)',
      expect.stringMatching(/^invalid regex: /),
    ]);
    // The cheap verdicts are kept too: a reload asks again about every regex it reuses.
    expect(cache.size).toBe(4);
  });

  it('on close, cancels what runs and waits, and refuses to check later', async () => {
    const control = controlledAnalysis();
    const checker = new RegexChecker({
      concurrency: 1,
      analysis: control.analysis,
      cache: new RegexVerdictCache(1 << 20),
    });
    const pending = checker.verdicts(specs(2));
    await new Promise((resolve) => setImmediate(resolve));
    checker.close();
    for (const verdict of (await pending).values()) expect(verdict).toMatch(/service is stopping/);
    const after = await checker.verdicts([{ source: '^(after|after)+$', flags: '' }]);
    expect(after.get(regexKey('^(after|after)+$', ''))).toMatch(/service is stopping/);
    expect(control.started).toEqual(['^(p0|p0)+$']);
  });

  it('with recheck itself: finds catastrophic backtracking, and the event loop keeps turning while it works', async () => {
    const checker = new RegexChecker({ concurrency: 1, cache: new RegexVerdictCache(1 << 20) });
    let turns = 0;
    const ticker = setInterval(() => (turns += 1), 10);
    // checkSync blocked the thread for about 1.5 s on this pattern (issue 20).
    const verdicts = await checker.verdicts(
      [
        { source: '(a+)+$', flags: '' },
        { source: '[a-z]{1,500}[0-9]{1,799}y', flags: '' },
      ],
      { budgetMs: 1_000 },
    );
    clearInterval(ticker);
    checker.close();
    expect(verdicts.get(regexKey('(a+)+$', ''))).toMatch(/catastrophically/);
    expect(verdicts.get(regexKey('[a-z]{1,500}[0-9]{1,799}y', ''))).toMatch(
      /catastrophically|budget of 1000 ms ran out/,
    );
    expect(turns).toBeGreaterThan(5);
  });
});
