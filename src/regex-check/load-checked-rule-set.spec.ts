import type { Diagnostics } from 'recheck';
import { describe, expect, it } from 'vitest';
import type { RegexSpec } from '../core/rules/operators/check-regex';
import { RegexVerdictCache } from '../core/rules/operators/regex-verdict-cache';
import { RuleCompileCache } from '../core/rules/rule-compile-cache';
import { ruleFile } from '../../bench/support/rule-factory';
import { loadCheckedRuleSet } from './load-checked-rule-set';
import { RegexChecker } from './regex-checker';
import type { RegexAnalysis } from './regex-checker';

/** A fake recheck that calls every pattern with `vulnerable` in `bad` vulnerable, the rest safe, and counts. */
function analysis(bad: ReadonlySet<string>): { analysis: RegexAnalysis; asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    analysis: (spec: RegexSpec) => {
      asked.push(spec.source);
      return Promise.resolve(
        (bad.has(spec.source)
          ? {
              ...spec,
              status: 'vulnerable',
              checker: 'automaton',
              complexity: { type: 'exponential', summary: 'exponential', isFuzz: false },
              attack: { pattern: 'aaaa!', string: 'aaaa!', base: 4, suffix: '!', pumps: [] },
              hotspot: [],
            }
          : {
              ...spec,
              status: 'safe',
              checker: 'automaton',
              complexity: { type: 'linear', summary: 'linear', isFuzz: false },
            }) as Diagnostics,
      );
    },
  };
}

const regexRule = (n: number, regex: string): ReturnType<typeof ruleFile> =>
  ruleFile({
    id: `SW-TST-000${n}`,
    conditions: { all: [{ fact: 'commandLine', operator: 'regex', value: regex }] },
  });

// Beyond the static proof (an overlapping loop), so only the analysis decides them.
const UNSAFE = '^(ab|ab)+x$';
const UNDECIDED_SAFE = '^(cd|cd)+x$';

describe('loadCheckedRuleSet', () => {
  it('refuses a rule whose regex the analysis finds vulnerable, though its first compile let it through', async () => {
    const fake = analysis(new Set([UNSAFE]));
    const checker = new RegexChecker({
      concurrency: 1,
      analysis: fake.analysis,
      cache: new RegexVerdictCache(1 << 20),
    });
    const cache = new RuleCompileCache();
    const files = [regexRule(1, '^ls -la$'), regexRule(2, UNSAFE)];
    const result = await loadCheckedRuleSet(checker, files, [], new Map(), cache);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => [e.file, e.pointer])).toEqual([
      ['rules/test/SW-TST-0002.json', '/conditions/all/0/value'],
    ]);
    expect(result.errors[0]?.message).toMatch(/^regex: regex may backtrack catastrophically/);
    expect(fake.asked).toEqual([UNSAFE]);
    // The same set again: the verdict is cached by pattern, no analysis; still refused.
    const again = await loadCheckedRuleSet(checker, files, [], new Map(), cache);
    expect(again.ok).toBe(false);
    expect(fake.asked).toEqual([UNSAFE]);
    // The rule fixed: the reload compiles it alone, and asks the analysis only about the new pattern.
    const fixed = [files[0]!, regexRule(2, UNDECIDED_SAFE)];
    const loaded = await loadCheckedRuleSet(checker, fixed, [], new Map(), cache);
    expect(loaded.ok).toBe(true);
    expect(fake.asked).toEqual([UNSAFE, UNDECIDED_SAFE]);
    expect(cache.lastLoad).toEqual({ reused: 2, compiled: 0 });
  });

  it('asks the analysis nothing when the static proof decides every regex', async () => {
    const fake = analysis(new Set());
    const checker = new RegexChecker({
      concurrency: 1,
      analysis: fake.analysis,
      cache: new RegexVerdictCache(1 << 20),
    });
    const result = await loadCheckedRuleSet(checker, [regexRule(1, '(^| )-e ?0( |$)')], []);
    expect(result.ok).toBe(true);
    expect(fake.asked).toEqual([]);
  });
});
