import { describe, expect, it } from 'vitest';
import { compileRuleSet } from './compile-rule-set';
import { formatRuleProblems, loadRuleSet } from './load-rule-set';
import { createReferenceEvaluator } from './reference-evaluator';
import { commandEvent, ruleFile } from '../../../bench/support/rule-factory';

/**
 * Conditions several rules share are compiled once and answered once per event
 * (compile-condition.ts). The answer must follow the event: these events alternate
 * between meeting and missing the shared block, and each is checked against
 * json-rules-engine.
 */
const SHARED = {
  all: [
    { fact: 'isRoot', operator: 'equal', value: true },
    { fact: 'process', path: '$.working_directory', operator: 'not:glob', value: '/srv/*' },
  ],
};

const loaded = loadRuleSet([
  ruleFile({ id: 'SW-TST-0001', conditions: SHARED }),
  ruleFile({
    id: 'SW-TST-0002',
    conditions: SHARED,
    exceptions: [{ field: 'host.name', operator: 'in', values: ['build-1'] }],
  }),
  ruleFile({
    id: 'SW-TST-0003',
    conditions: { any: [SHARED, { fact: 'programs', operator: 'contains', value: 'nc' }] },
  }),
]);

describe('conditions shared by several rules', () => {
  if (!loaded.ok) throw new Error(formatRuleProblems(loaded.errors));
  const compiled = compileRuleSet(loaded.ruleSet);
  const reference = createReferenceEvaluator(loaded.ruleSet);
  const ids = (matches: { rule: { id: string } }[]): string[] => matches.map((m) => m.rule.id);

  it('answers each event on its own, as json-rules-engine does', async () => {
    const events = [
      commandEvent('id', { user: { name: 'root', id: '0' } }),
      commandEvent('id'),
      commandEvent('sudo id', { host: { name: 'build-1' } }),
      commandEvent('nc -l 4444'),
      commandEvent('sudo ls', {
        process: { command_line: 'sudo ls', working_directory: '/srv/x' },
      }),
      commandEvent('sudo nc -l 1'),
    ];
    const seen: string[][] = [];
    for (const event of events) {
      const fast = compiled.evaluate(event);
      // The single-rule path (rules test, examples) between two events must not disturb it.
      expect(compiled.evaluateRule('SW-TST-0001', commandEvent('ls'))).toBeUndefined();
      expect(ids(fast)).toEqual(ids(await reference.evaluateReference(event)));
      seen.push(ids(fast));
    }
    expect(seen).toEqual([
      ['SW-TST-0001', 'SW-TST-0002', 'SW-TST-0003'],
      [],
      ['SW-TST-0001', 'SW-TST-0003'],
      ['SW-TST-0003'],
      [],
      ['SW-TST-0001', 'SW-TST-0002', 'SW-TST-0003'],
    ]);
  });
});
