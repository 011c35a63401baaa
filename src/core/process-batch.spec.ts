import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRecordDecoder } from './decode';
import { processBatch, processBatchAsync } from './process-batch';
import type { BatchRecord, ProcessBatchOptions } from './process-batch';
import { formatRuleProblems, loadRuleSet } from './rules';
import { generatedLists, generateRules } from '../../bench/support/generate-rules';

/** The pipeline processes a large batch in chunks, with one decoder for the partition. */
describe('processBatch in chunks', () => {
  const loaded = loadRuleSet(generateRules(20), generatedLists());
  if (!loaded.ok) throw new Error(formatRuleProblems(loaded.errors));
  // auditd: an event's records arrive in several lines, so a chunk boundary can split one.
  const lines = readFileSync(
    join(__dirname, '../../test/fixtures/formats/auditd.input'),
    'utf8',
  ).split('\n');
  const encoder = new TextEncoder();
  const records: BatchRecord[] = lines
    .filter((line) => line.trim() !== '')
    .map((line, i) => ({ offset: String(100 + i), value: encoder.encode(line) }));
  const options = (): ProcessBatchOptions => ({
    topic: 't',
    partition: 0,
    // One clock for the decoder and the batch: no held event reaches its time-out here.
    decoder: createRecordDecoder({
      format: 'auditd',
      clock: () => Date.parse('2026-01-15T12:00:00.000Z'),
    }),
    evaluator: loaded.evaluator,
    writeCommands: true,
    now: () => new Date('2026-01-15T12:00:00.000Z'),
  });

  it('gives the same documents and dead letters as one call, for every split point', () => {
    const whole = processBatch(records, options());
    expect(whole.eventCount).toBeGreaterThan(1);
    for (let split = 1; split < records.length; split += 1) {
      const shared = options();
      const first = processBatch(records.slice(0, split), shared);
      const rest = processBatch(records.slice(split), shared);
      expect([...first.documents, ...rest.documents]).toEqual(whole.documents);
      expect([...first.deadLetters, ...rest.deadLetters]).toEqual(whole.deadLetters);
    }
  });
});

/**
 * Stuck-partition audit: an exception while evaluating one event (a rule, correlation
 * or alert-building bug) used to escape processBatch, fail the whole batch, and fail
 * it again on every redelivery: the partition stopped for good. It now dead-letters
 * that record and the batch goes on.
 */
describe('processBatch when evaluating one event throws', () => {
  const encoder = new TextEncoder();
  const records: BatchRecord[] = ['uptime', 'crash-the-evaluator now', 'id'].map((line, i) => ({
    offset: String(10 + i),
    value: encoder.encode(line),
  }));
  const throwing = {
    ruleCount: 0,
    evaluate: (event: { process: { command_line: string } }) => {
      if (event.process.command_line.startsWith('crash-the-evaluator'))
        throw new TypeError('cannot read properties of undefined');
      return [];
    },
  };
  const options = (): ProcessBatchOptions => ({
    topic: 't',
    partition: 0,
    decoder: createRecordDecoder({ format: 'lines' }),
    evaluator: throwing,
    writeCommands: true,
    now: () => new Date('2026-01-15T12:00:00.000Z'),
  });

  it('dead-letters that record with EVALUATION_FAILED and writes the others', () => {
    const processed = processBatch(records, options());
    expect(processed.documents.map((d) => d.offset)).toEqual(['10', '12']);
    expect(processed.eventCount).toBe(2);
    expect(processed.deadLetters).toEqual([
      expect.objectContaining({
        offset: '11',
        reason: 'EVALUATION_FAILED',
        record: records[1],
        message: expect.stringContaining('cannot read properties of undefined') as unknown,
      }),
    ]);
  });

  it('does the same with an asynchronous evaluator (RULES_ENGINE=reference)', async () => {
    const processed = await processBatchAsync(records, options(), (event) =>
      Promise.resolve(throwing.evaluate(event)),
    );
    expect(processed.documents.map((d) => d.offset)).toEqual(['10', '12']);
    expect(processed.deadLetters.map((d) => [d.offset, d.reason])).toEqual([
      ['11', 'EVALUATION_FAILED'],
    ]);
  });
});
