import { describe, expect, it } from 'vitest';
import type { CommandEvent } from '../event';
import { compileRuleSet } from './compile-rule-set';
import { commandEvent, ruleFile } from '../../../bench/support/rule-factory';
import {
  IN_SRV,
  loadUnchecked as load,
  packWithGenerated,
  programRule,
  rootRunsRule,
} from '../../../test/support/prefilter-rules';

/**
 * A rule whose conditions and exceptions read only facts of the command line gets the
 * same verdict for every event with that line: once a kept line's first evaluation has
 * recorded those verdicts, later events of the line replay them instead of running such
 * rules (prefilter-index.ts, decideLine; compile-rule-set.ts). The definition it must
 * keep: the evaluator without prefilter, every rule on every event.
 */
describe('line verdicts', () => {
  it(
    'give every sighting of a line the matches of the evaluator without prefilter',
    { timeout: 300_000 },
    () => {
      const { ruleSet, malicious, benign } = packWithGenerated(100);
      const withVerdicts = compileRuleSet(ruleSet);
      const without = compileRuleSet(ruleSet, { prefilter: false });
      // Every rule on every event is slow: a fifth of the malicious lines, a tenth of the benign.
      const lines = [
        ...malicious.filter((_, i) => i % 5 === 0),
        ...benign.filter((_, i) => i % 10 === 0),
      ];
      // The first sighting is not kept, the second records, the others replay; the users,
      // directories and times differ, so the rules that read them must run every time.
      const sightings: Partial<CommandEvent>[] = [
        { user: { name: 'alice', id: '1000' } },
        { user: { name: 'root', id: '0' }, '@timestamp': '2026-01-17T03:00:00.000Z' },
        { user: { name: 'deploy', id: '1001' }, host: { name: 'web-9.example.internal' } },
        { user: { name: 'root', id: '0' }, '@timestamp': '2026-01-18T23:30:00.000Z' },
        { user: { name: 'bob', id: '1002' }, '@timestamp': '2026-01-14T02:00:00.000Z' },
      ];
      let alerts = 0;
      let replayed = 0;
      for (const sighting of sightings)
        for (const line of lines) {
          const event = commandEvent(line, sighting);
          const fast = withVerdicts.evaluate(event);
          if (withVerdicts.prefilterIndex!.lineVerdicts !== undefined) replayed += 1;
          expect([line, sighting, fast]).toEqual([line, sighting, without.evaluate(event)]);
          alerts += fast.length;
        }
      expect(alerts).toBeGreaterThan(lines.length);
      // Three sightings of each line (a few long lines are never kept) replayed verdicts.
      expect(replayed).toBeGreaterThan(2.5 * lines.length);
    },
  );

  it('runs every time a rule that reads the event beside its line', () => {
    const ruleSet = load([
      // Line only: decided by the line.
      programRule('SW-TST-0921', 'shred'),
      // Line conditions, but an exception on the user: not decided by the line.
      ruleFile({
        id: 'SW-TST-0922',
        conditions: {
          all: [{ fact: 'commands', operator: 'anyCommand', value: { program: 'shred' } }],
        },
        exceptions: [{ field: 'user.name', operator: 'equal', value: 'backup', reason: 'backups' }],
      }),
      // The line and root.
      rootRunsRule('SW-TST-0923', 'shred'),
      // A top-level `any` (gated children), one child reading the working directory.
      ruleFile({
        id: 'SW-TST-0924',
        conditions: {
          any: [
            { fact: 'commandLine', operator: 'containsI', value: 'secret.key' },
            {
              all: [
                IN_SRV,
                { fact: 'commands', operator: 'anyCommand', value: { program: 'shred' } },
              ],
            },
          ],
        },
      }),
    ]);
    const withVerdicts = compileRuleSet(ruleSet);
    const without = compileRuleSet(ruleSet, { prefilter: false });
    const line = 'shred -u notes.txt';
    const sightings: Partial<CommandEvent>[] = [
      { user: { name: 'alice', id: '1000' } },
      { user: { name: 'alice', id: '1000' } },
      { user: { name: 'backup', id: '1003' } },
      { user: { name: 'root', id: '0' } },
      {
        user: { name: 'alice', id: '1000' },
        process: { command_line: line, working_directory: '/srv/a' },
      },
      { user: { name: 'backup', id: '1003' } },
      { user: { name: 'alice', id: '1000' } },
    ];
    const ids: string[][] = [];
    for (const sighting of sightings) {
      const event = commandEvent(line, sighting);
      const fast = withVerdicts.evaluate(event);
      expect([sighting, fast]).toEqual([sighting, without.evaluate(event)]);
      ids.push(fast.map((m) => m.rule.id));
    }
    expect(ids).toEqual([
      ['SW-TST-0921', 'SW-TST-0922'],
      ['SW-TST-0921', 'SW-TST-0922'],
      ['SW-TST-0921'],
      ['SW-TST-0921', 'SW-TST-0922', 'SW-TST-0923'],
      ['SW-TST-0921', 'SW-TST-0922', 'SW-TST-0924'],
      ['SW-TST-0921'],
      ['SW-TST-0921', 'SW-TST-0922'],
    ]);
  });

  it('gives each replayed match leaves of its own', () => {
    const ruleSet = load([
      ruleFile({
        id: 'SW-TST-0931',
        conditions: { all: [{ fact: 'commandLine', operator: 'containsI', value: 'shred' }] },
      }),
    ]);
    const evaluator = compileRuleSet(ruleSet);
    const event = (): CommandEvent => commandEvent('shred -u notes.txt');
    const first = evaluator.evaluate(event());
    evaluator.evaluate(event());
    const replayed = evaluator.evaluate(event());
    expect(evaluator.prefilterIndex!.lineVerdicts).toBeDefined();
    expect(replayed).toEqual(first);
    // An alert that changes what it was given changes no later alert.
    (replayed[0]!.matched[0] as { factValue: unknown }).factValue = 'changed';
    replayed[0]!.matched.push(replayed[0]!.matched[0]!);
    expect(evaluator.evaluate(event())).toEqual(first);
  });

  it("finds an event field's keywords again when its value changes", () => {
    const ruleSet = load([
      ruleFile({
        id: 'SW-TST-0941',
        conditions: {
          all: [IN_SRV, { fact: 'user', path: '$.name', operator: 'equal', value: 'root' }],
        },
      }),
    ]);
    const warm = compileRuleSet(ruleSet);
    const directories = [
      '/srv/a',
      '/srv/a',
      '/home/alice',
      '/home/alice',
      '/SRV/b',
      '/tmp',
      '/srv/c',
    ];
    const seen: string[][] = [];
    for (const directory of directories) {
      const event = commandEvent('ls -la', {
        user: { name: 'root', id: '0' },
        process: { command_line: 'ls -la', working_directory: directory },
      });
      const expected = compileRuleSet(ruleSet).candidateIds(event);
      expect([directory, warm.candidateIds(event)]).toEqual([directory, expected]);
      seen.push(expected);
    }
    expect(seen.map((ids) => ids.length)).toEqual([1, 1, 0, 0, 1, 0, 1]);
  });
});
