import { describe, expect, it } from 'vitest';
import { repoRules } from '../../../test/support/repo-rules';
import { compileRuleSet } from './compile-rule-set';
import { formatRuleProblems, loadRuleSet } from './load-rule-set';

describe('the pack and the prefilter', () => {
  // A rule with no condition the prefilter can index runs for every event: one such
  // rule (SW-IMP-0156, a long regex on redirect targets) was a fifth of the pack's
  // candidate runs. Each pack rule must give the prefilter a necessary condition.
  it('gives the prefilter a necessary condition for every rule (none runs on every event)', async () => {
    const folder = await repoRules();
    const always: string[] = [];
    for (const file of folder.rules) {
      const loaded = loadRuleSet([file], folder.lists, { checkRegex: () => undefined });
      if (!loaded.ok) throw new Error(formatRuleProblems(loaded.errors));
      const stats = compileRuleSet(loaded.ruleSet).prefilterStats;
      if ((stats?.alwaysCandidates ?? 0) > 0) always.push(file.path);
    }
    expect(always).toEqual([]);
  });
});
