import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRecordDecoder } from './decode';
import { processBatch } from './process-batch';
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
