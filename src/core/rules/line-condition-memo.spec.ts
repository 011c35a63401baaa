import { describe, expect, it } from 'vitest';
import type { CommandEvent } from '../event';
import { corpus as corpusLines, packFiles } from '../../../bench/corpus';
import { commandEvent, ruleFile } from '../../../bench/support/rule-factory';
import { compileRuleSet } from './compile-rule-set';
import { MAX_LINE_ANSWERS } from './compile-condition';
import { clearLineFactsCache, EventFacts } from './facts';
import { formatRuleProblems, loadRuleSet } from './load-rule-set';
import type { RuleMatch } from './types';

/**
 * Conditions that read the command line alone keep their answer per line
 * (compile-condition.ts, lineMemo; issue 25). Held to the straightforward definition:
 * every event evaluated with nothing kept (the line cache emptied before it, so no
 * answer is kept or reused), against the same events evaluated one after the other,
 * where a line's later events, with other users, hosts and times, reuse what its earlier
 * ones answered. Rules that mix line and event fields are added to the pack so that an
 * event-dependent condition kept per line would show.
 */
describe('line-only conditions kept per line', () => {
  const mixed = [
    ruleFile({
      id: 'SW-TST-0901',
      conditions: {
        all: [
          { fact: 'user', path: '$.name', operator: 'equal', value: 'root' },
          { fact: 'commandLine', operator: 'contains', value: ' ' },
        ],
      },
    }),
    ruleFile({
      id: 'SW-TST-0902',
      conditions: {
        any: [
          { fact: 'isRoot', operator: 'equal', value: true },
          { fact: 'host', path: '$.name', operator: 'equal', value: 'db-1' },
        ],
      },
    }),
    ruleFile({
      id: 'SW-TST-0903',
      conditions: {
        all: [
          { fact: 'commands', operator: 'anyCommand', value: { program: { regex: '^[a-z]' } } },
          {
            not: {
              any: [
                { fact: 'user', path: '$.id', operator: 'equal', value: '1000' },
                { fact: 'programs', operator: 'contains', value: 'zz-none' },
              ],
            },
          },
        ],
      },
    }),
    ruleFile({
      id: 'SW-TST-0904',
      conditions: {
        all: [
          { fact: 'timestamp', operator: 'timeOfDay', value: { from: '00:00', to: '06:00' } },
          { fact: 'programs', operator: 'contains', value: 'ls' },
        ],
      },
    }),
  ];
  const { rules, lists } = packFiles();
  // Regexes unchecked: recheck's verdicts are beside the point here and slow on a busy machine.
  const loaded = loadRuleSet([...rules, ...mixed], lists, { checkRegex: () => undefined });
  if (!loaded.ok) throw new Error(formatRuleProblems(loaded.errors));
  const { malicious, benign } = corpusLines();
  const lines = [...malicious, ...benign.filter((_, i) => i % 4 === 0)];
  const sightings: Partial<CommandEvent>[] = [
    { user: { name: 'alice', id: '1000' } },
    { user: { name: 'root', id: '0' }, host: { name: 'db-1' } },
    { user: { name: 'deploy', id: '1001' }, '@timestamp': '2026-01-15T03:00:00.000Z' },
  ];

  it('answers every event as an evaluation with nothing kept', { timeout: 300_000 }, () => {
    const evaluator = compileRuleSet(loaded.ruleSet);
    const ids = (matches: RuleMatch[]): string[] => matches.map((m) => m.rule.id);
    // The straightforward definition: no line kept, every condition asked afresh.
    const expected = lines.map((line) =>
      sightings.map((sighting) => {
        clearLineFactsCache();
        evaluator.prefilterIndex!.forgetLines();
        return evaluator.evaluate(commandEvent(line, sighting));
      }),
    );
    clearLineFactsCache();
    let reused = 0;
    let mixedMatches = 0;
    lines.forEach((line, i) => {
      // Twice over: the line is kept from its second event on, then answers are reused
      // for other users, hosts and times than the events that found them.
      for (let round = 0; round < 2; round++)
        sightings.forEach((sighting, j) => {
          const matches = evaluator.evaluate(commandEvent(line, sighting));
          expect([line, j, matches]).toEqual([line, j, expected[i]![j]]);
          mixedMatches += ids(matches).filter((id) => id.startsWith('SW-TST-09')).length;
        });
      reused += new EventFacts(commandEvent(line)).lineAnswers?.size ?? 0;
    });
    // The test can fail only if answers were kept, and mixed rules did match.
    expect(reused).toBeGreaterThan(lines.length);
    expect(mixedMatches).toBeGreaterThan(0);
  });

  it('answers the same past the bound of a line table (every rule on every event)', () => {
    // Without the prefilter every condition of the pack asks for each event, more than
    // a line's table holds: it is emptied and refilled as it goes.
    const everyRule = compileRuleSet(loaded.ruleSet, { prefilter: false });
    const some = lines.filter((_, i) => i % 40 === 0);
    const expected = some.map((line) => {
      clearLineFactsCache();
      return everyRule.evaluate(commandEvent(line, sightings[1]));
    });
    clearLineFactsCache();
    let full = 0;
    some.forEach((line, i) => {
      for (let round = 0; round < 3; round++) {
        const matches = everyRule.evaluate(commandEvent(line, sightings[1]));
        expect([line, matches]).toEqual([line, expected[i]]);
      }
      const size = new EventFacts(commandEvent(line)).lineAnswers?.size ?? 0;
      expect(size).toBeLessThanOrEqual(MAX_LINE_ANSWERS);
      if (size > 0) full += 1;
    });
    expect(full).toBeGreaterThan(0);
  });
});
