import { describe, expect, it } from 'vitest';
import { loadRuleSet } from './load-rule-set';
import type { LoadRuleSetResult } from './load-rule-set';
import { RuleCompileCache } from './rule-compile-cache';
import { commandEvent, listFile, ruleFile } from '../../../bench/support/rule-factory';
import type { SourceFile } from './types';

/** Rule n matches `toolN -x`, through a regex of its own, and programs in the `tools` list. */
function rule(n: number, regex = `^tool${n} -x`): SourceFile {
  const id = `SW-TST-${String(n).padStart(4, '0')}`;
  return ruleFile({
    id,
    conditions: {
      any: [
        { fact: 'commandLine', operator: 'regex', value: regex },
        { fact: 'programs', operator: 'inList', value: 'tools' },
      ],
    },
  });
}

const lists = [listFile('tools', ['zz-tool'])];
const rules = Array.from({ length: 20 }, (_, i) => rule(i + 1));

function ok(result: LoadRuleSetResult): Extract<LoadRuleSetResult, { ok: true }> {
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result;
}

describe('RuleCompileCache', () => {
  it('reuses every compiled rule but the one whose file changed', () => {
    const cache = new RuleCompileCache();
    const first = ok(loadRuleSet(rules, lists, { cache }));
    expect(cache.lastLoad).toEqual({ reused: 0, compiled: 20 });
    const changed = rules.map((file, i) => (i === 4 ? rule(5, '^tool5 -y') : file));
    const second = ok(loadRuleSet(changed, lists, { cache }));
    expect(cache.lastLoad).toEqual({ reused: 19, compiled: 1 });
    // The same compiled objects, not copies; the changed rule is new and evaluates its new regex.
    second.rules.forEach((loaded, i) => {
      if (i === 4) expect(loaded).not.toBe(first.rules[i]);
      else expect(loaded).toBe(first.rules[i]);
    });
    const ids = (line: string): string[] =>
      second.evaluator.evaluate(commandEvent(line)).map((m) => m.rule.id);
    expect(ids('tool5 -y')).toEqual(['SW-TST-0005']);
    expect(ids('tool5 -x')).toEqual([]);
    expect(ids('tool6 -x')).toEqual(['SW-TST-0006']);
    expect(ids('zz-tool')).toHaveLength(20);
  });

  it('holds only the last load, and compiles everything again when a list changes', () => {
    const cache = new RuleCompileCache();
    loadRuleSet(rules, lists, { cache });
    expect(cache.size).toBe(20);
    ok(loadRuleSet(rules.slice(0, 3), lists, { cache }));
    expect(cache.size).toBe(3);
    expect(cache.lastLoad).toEqual({ reused: 3, compiled: 0 });
    const otherList = [listFile('tools', ['zz-tool', 'yy-tool'])];
    const relisted = ok(loadRuleSet(rules.slice(0, 3), otherList, { cache }));
    expect(cache.lastLoad).toEqual({ reused: 0, compiled: 3 });
    expect(relisted.evaluator.evaluate(commandEvent('yy-tool'))).toHaveLength(3);
  });

  // Also when the refused regex sits in a condition shared from the previous load: the
  // shared-condition table outlives a load, and a reuse from it asks the check again.
  it('asks again about the regexes of a reused rule, and refuses the rule when one is refused now', () => {
    const cache = new RuleCompileCache();
    ok(loadRuleSet(rules, lists, { cache, checkRegex: () => undefined }));
    const asked: string[] = [];
    const refused = loadRuleSet(rules, lists, {
      cache,
      checkRegex: (source) => {
        asked.push(source);
        return source === '^tool7 -x' ? 'regex may backtrack catastrophically' : undefined;
      },
    });
    expect(asked).toEqual(expect.arrayContaining(['^tool1 -x', '^tool7 -x', '^tool20 -x']));
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.errors).toEqual([
      {
        file: 'rules/test/SW-TST-0007.json',
        pointer: '/conditions/any/0/value',
        message: 'regex: regex may backtrack catastrophically',
      },
    ]);
    // The refused rule was compiled again (and failed); the others were reused.
    expect(cache.lastLoad).toEqual({ reused: 19, compiled: 0 });
  });
});
