import { describe, expect, it } from 'vitest';
import type { CommandEvent } from '../event';
import { corpus as corpusLines, packFiles } from '../../../bench/corpus';
import { compileRuleSet } from './compile-rule-set';
import { formatRuleProblems, loadRuleSet } from './load-rule-set';
import { generatedLists, generateRules } from '../../../bench/support/generate-rules';
import { commandEvent, ruleFile } from '../../../bench/support/rule-factory';

/**
 * The prefilter keeps, per command line, the target lists its line-only scans marked
 * and replays them for the next event of that line (prefilter-index.ts, markLine;
 * issue 25). A replay must give exactly the candidates a scan from scratch gives, for
 * every sighting of the line, whoever runs it and wherever (the parts of the index
 * that read other fields run every time).
 */
describe('prefilter line cache', () => {
  const { rules, lists } = packFiles();
  const names = new Set(lists.map((f) => (JSON.parse(f.text) as { name: string }).name));
  const extraLists = generatedLists().filter(
    (f) => !names.has((JSON.parse(f.text) as { name: string }).name),
  );
  // Regexes unchecked: recheck's verdicts are beside the point here and slow on a busy machine.
  const loaded = loadRuleSet([...rules, ...generateRules(40)], [...lists, ...extraLists], {
    checkRegex: () => undefined,
  });
  if (!loaded.ok) throw new Error(formatRuleProblems(loaded.errors));
  const ruleSet = loaded.ruleSet;
  const { malicious, benign } = corpusLines();
  const lines = [...malicious, ...benign];
  const sightings: Partial<CommandEvent>[] = [
    { user: { name: 'alice', id: '1000' } },
    { user: { name: 'root', id: '0' }, host: { name: 'db-1' } },
    { user: { name: 'deploy', id: '1001' }, host: { name: 'web-9.example.internal' } },
  ];

  it('gives a repeated line the candidates a scan from scratch gives', { timeout: 120_000 }, () => {
    const warm = compileRuleSet(ruleSet);
    const cold = compileRuleSet(ruleSet);
    let candidates = 0;
    for (const sighting of sightings)
      for (const line of lines) {
        const event = commandEvent(line, sighting);
        cold.prefilterIndex!.forgetLines();
        const expected = cold.candidateIds(event);
        expect([line, warm.candidateIds(event)]).toEqual([line, expected]);
        candidates += expected.length;
      }
    expect(candidates).toBeGreaterThan(0);
  });

  it(
    'gives a repeated line the matches of the evaluator without prefilter',
    { timeout: 300_000 },
    () => {
      const withPrefilter = compileRuleSet(ruleSet);
      const without = compileRuleSet(ruleSet, { prefilter: false });
      // Every rule on every event is slow: a third of the lines, each seen three times.
      const some = lines.filter((_, i) => i % 3 === 0);
      let alerts = 0;
      for (const sighting of sightings)
        for (const line of some) {
          const event = commandEvent(line, sighting);
          const fast = withPrefilter.evaluate(event);
          expect([line, fast]).toEqual([line, without.evaluate(event)]);
          alerts += fast.length;
        }
      expect(alerts).toBeGreaterThan(0);
    },
  );

  it('keeps the parts of a conjunction that root or an event field may complete', () => {
    // Each rule is a conjunction of a line part and an event part (root, the working
    // directory): a line's replay must keep its half, whoever saw the line first.
    const mixed = loadRuleSet(
      [
        ruleFile({
          id: 'SW-TST-0911',
          conditions: {
            all: [
              { fact: 'isRoot', operator: 'equal', value: true },
              { fact: 'commands', operator: 'anyCommand', value: { program: 'shred' } },
            ],
          },
        }),
        ruleFile({
          id: 'SW-TST-0912',
          conditions: {
            all: [
              {
                fact: 'process',
                path: '$.working_directory',
                operator: 'startsWithI',
                value: '/srv/',
              },
              { fact: 'commands', operator: 'anyCommand', value: { program: 'tar' } },
            ],
          },
        }),
      ],
      [],
      { checkRegex: () => undefined },
    );
    if (!mixed.ok) throw new Error(formatRuleProblems(mixed.errors));
    const warm = compileRuleSet(mixed.ruleSet);
    const cold = compileRuleSet(mixed.ruleSet);
    const plain: Partial<CommandEvent> = { user: { name: 'alice', id: '1000' } };
    const root: Partial<CommandEvent> = { user: { name: 'root', id: '0' } };
    const inSrv = (line: string): Partial<CommandEvent> => ({
      process: { command_line: line, working_directory: '/srv/app/data' },
    });
    const seen: string[] = [];
    for (const line of ['shred -u notes.txt', 'tar czf backup.tgz .'])
      // A plain event first, so that the line is kept before the ones that complete it.
      for (const sighting of [plain, plain, plain, root, inSrv(line), root, inSrv(line)]) {
        const event = commandEvent(line, sighting);
        cold.prefilterIndex!.forgetLines();
        const expected = cold.candidateIds(event);
        expect([line, sighting, warm.candidateIds(event)]).toEqual([line, sighting, expected]);
        seen.push(...expected);
      }
    expect(new Set(seen)).toEqual(new Set(['SW-TST-0911', 'SW-TST-0912']));
  });
});
