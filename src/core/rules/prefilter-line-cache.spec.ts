import { describe, expect, it } from 'vitest';
import type { CommandEvent } from '../event';
import { compileRuleSet } from './compile-rule-set';
import { commandEvent } from '../../../bench/support/rule-factory';
import {
  loadUnchecked,
  packWithGenerated,
  rootRunsRule,
  runsInSrvRule,
} from '../../../test/support/prefilter-rules';

/**
 * The prefilter keeps, per command line, the target lists its line-only scans marked
 * and replays them for the next event of that line (prefilter-index.ts, markLine;
 * issue 25). A replay must give exactly the candidates a scan from scratch gives, for
 * every sighting of the line, whoever runs it and wherever (the parts of the index
 * that read other fields run every time).
 */
describe('prefilter line cache', () => {
  const { ruleSet, malicious, benign } = packWithGenerated(40);
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
    const mixed = loadUnchecked([
      rootRunsRule('SW-TST-0911', 'shred'),
      runsInSrvRule('SW-TST-0912', 'tar'),
    ]);
    const warm = compileRuleSet(mixed);
    const cold = compileRuleSet(mixed);
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
