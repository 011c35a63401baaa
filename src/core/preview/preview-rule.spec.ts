import { describe, expect, it } from 'vitest';
import { buildCommandDocument } from '../alerts/build-alert';
import { commandEventFromDocument } from '../alerts/stored-command';
import { loadRuleSet } from '../rules';
import type { LoadRuleSetResult } from '../rules';
import {
  generatedEvent,
  generatedLists,
  generateRules,
  prng,
} from '../../../bench/support/generate-rules';
import { ruleFile } from '../../../bench/support/rule-factory';
import { previewEvaluator, ruleNotes } from './preview-rule';

function loaded(result: LoadRuleSetResult): Extract<LoadRuleSetResult, { ok: true }> {
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result;
}

describe('previewEvaluator', () => {
  it("matches, on each event's stored document, what the pipeline's evaluator matched on the event", () => {
    const set = loaded(loadRuleSet(generateRules(80), generatedLists()));
    const random = prng(22);
    const events = Array.from({ length: 2000 }, () => generatedEvent(random));
    const previews = set.rules.map((rule) => ({
      id: rule.definition.id,
      evaluate: previewEvaluator(set.ruleSet, rule),
    }));
    let matches = 0;
    for (const [i, event] of events.entries()) {
      const live = set.evaluator.evaluate(event);
      const document = buildCommandDocument(
        event,
        live,
        { topic: 't', partition: 0, offset: String(i) },
        '2026-12-07T10:00:00.000Z',
      );
      const stored = commandEventFromDocument(JSON.parse(JSON.stringify(document)));
      if (!stored.ok) throw new Error(stored.problem);
      const previewed = previews
        .map(({ id, evaluate }) => ({ id, match: evaluate(stored.event) }))
        .filter(({ match }) => match !== undefined);
      expect(previewed.map(({ id }) => id)).toEqual(live.map((m) => m.rule.id));
      expect(previewed.map(({ match }) => match?.matched)).toEqual(live.map((m) => m.matched));
      matches += live.length;
    }
    expect(matches).toBeGreaterThan(500);
  });

  it('runs a disabled rule as if it were enabled', () => {
    const set = loaded(loadRuleSet([ruleFile({ enabled: false })], []));
    const [rule] = set.rules;
    if (rule === undefined) throw new Error('no rule');
    const event = {
      '@timestamp': '2026-12-01T00:00:00.000Z',
      process: { command_line: 'rm -rf /tmp/x' },
      event: { original: 'rm -rf /tmp/x' },
      log: { source: 'lines' },
    };
    expect(set.evaluator.evaluate(event)).toEqual([]);
    expect(previewEvaluator(set.ruleSet, rule)(event)?.rule.id).toBe('SW-TST-0001');
  });
});

describe('ruleNotes', () => {
  const notesOf = (overrides: Record<string, unknown>): string[] => {
    const set = loaded(loadRuleSet([ruleFile(overrides)], []));
    const [rule] = set.rules;
    return rule === undefined ? [] : ruleNotes(rule);
  };

  it('has nothing to say about a plain enabled rule', () => {
    expect(notesOf({})).toEqual([]);
  });

  it('says when a rule is disabled, has suppression, or reads process.args', () => {
    expect(notesOf({ enabled: false })).toEqual([expect.stringContaining('the rule is disabled')]);
    expect(notesOf({ suppression: { groupBy: ['host.name'], period: '1h' } })).toEqual([
      expect.stringContaining('suppression'),
    ]);
    expect(
      notesOf({
        conditions: {
          all: [{ fact: 'process', path: '$.args[1]', operator: 'equal', value: '-rf' }],
        },
      }),
    ).toEqual([expect.stringContaining('process.args')]);
  });
});
