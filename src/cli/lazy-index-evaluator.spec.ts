import { describe, expect, it } from 'vitest';
import { corpus, eventMix, packFiles } from '../../bench/corpus';
import { commandEvent } from '../../bench/support/rule-factory';
import { compileRuleSet } from '../core/rules/compile-rule-set';
import { formatRuleProblems, isSingleEventRule, loadRuleSet } from '../core/rules/load-rule-set';
import { LazyIndexEvaluator } from './lazy-index-evaluator';

describe('LazyIndexEvaluator (the CLI builds the prefilter index once an input is long)', () => {
  const pack = packFiles();
  // Regexes unchecked: their verdicts are beside the point, and slow on a busy machine.
  const loaded = loadRuleSet(pack.rules, pack.lists, {
    checkRegex: () => undefined,
    prefilter: false,
  });
  if (!loaded.ok) throw new Error(formatRuleProblems(loaded.errors));

  it('loads without an index when asked, and the same rules', () => {
    expect(loaded.evaluator.prefilterIndex).toBeUndefined();
    expect(loaded.evaluator.ruleCount).toBe(
      loaded.rules.filter((r) => isSingleEventRule(r) && r.definition.enabled).length,
    );
  });

  it(
    'gives the matches of the service evaluator (index from the start), before and after building its index',
    { timeout: 300_000 },
    () => {
      // The definition: the evaluator the service runs, indexed from its first event.
      const service = compileRuleSet(loaded.evaluator.ruleSet);
      const { malicious } = corpus();
      // Every malicious corpus line, alternately as a user and as root, before the switch
      // (unindexed); then the bench's week of mixed events, ~5% malicious, after it (indexed).
      const root = { user: { name: 'root', id: '0' }, host: { name: 'db-1' } };
      const before = malicious.map((line, i) =>
        i % 2 === 0 ? commandEvent(line) : commandEvent(line, root),
      );
      const after = eventMix(4000, 0.05);
      const lazy = new LazyIndexEvaluator(loaded.evaluator, before.length);
      // Compared as JSON text per event (a deep equality per event is the slow part here).
      const differences = (events: typeof before): { alerts: number; differing: string[] } => {
        let alerts = 0;
        const differing: string[] = [];
        for (const event of events) {
          const matches = lazy.evaluate(event);
          alerts += matches.length;
          if (JSON.stringify(matches) !== JSON.stringify(service.evaluate(event)))
            differing.push(event.process?.command_line ?? '');
        }
        return { alerts, differing };
      };
      const first = differences(before);
      expect(first.differing).toEqual([]);
      expect(lazy.isIndexed).toBe(false);
      const second = differences(after);
      expect(second.differing).toEqual([]);
      expect(lazy.isIndexed).toBe(true);
      const [alertsBefore, alertsAfter] = [first.alerts, second.alerts];
      // Both halves compared something.
      expect(alertsBefore).toBeGreaterThan(malicious.length / 2);
      expect(alertsAfter).toBeGreaterThan(100);
    },
  );
});
