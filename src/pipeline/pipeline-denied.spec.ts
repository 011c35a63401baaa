import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bulkAttempt, pipelineWithFakes } from '../../test/support/pipeline';
import { loadRulesOrExplain } from '../cli/load-rules';
import type { CliRuleSet } from '../cli/load-rules';
import { loadConfig } from '../config/config';
import type { BatchRecord } from '../core/process-batch';

const RULES_DIR = resolve(__dirname, '../../test/fixtures/rules/basic');
const config = loadConfig({ RULES_DIR, API_KEY: 'k'.repeat(32) });
let loaded: CliRuleSet;

beforeAll(async () => {
  const result = await loadRulesOrExplain(RULES_DIR);
  if ('problems' in result) throw new Error(result.problems);
  loaded = result;
});

/**
 * A bulk whose items are refused 401/403 (the service's Elasticsearch user lacks a
 * privilege, or the index has a write block) used to dead-letter each record, so a
 * permission mistake diverted the whole stream to the dead-letter topic; so did a 404
 * (the index deleted with automatic creation off) and a closed index or an alias
 * without a write index (400). Now the batch is held: retried with back-off, its
 * partition reported stuck at once with the cause, nothing dead-lettered, and it
 * completes once a person fixed the cluster.
 */
const REFUSALS = [
  {
    what: 'denies the writes (401/403)',
    outcome: 'denied',
    reason: 'security_exception: action [indices:data/write/bulk[s]] is unauthorized',
    readiness:
      /^partition t\[0\] stuck for \d+ s: writing \d+ documents to Elasticsearch: Elasticsearch refused \d+ documents for lack of a right \(security_exception: /,
  },
  {
    what: 'cannot write to the index (missing with automatic creation off, closed)',
    outcome: 'unwritable',
    reason:
      'index_not_found_exception: no such index [composable template [sw-commands] forbids index auto creation]',
    readiness:
      /^partition t\[0\] stuck for \d+ s: writing \d+ documents to Elasticsearch: Elasticsearch cannot write \d+ documents to their index \(index_not_found_exception: .*create the index/,
  },
] as const;

describe.each(REFUSALS)(
  'PipelineService when Elasticsearch $what',
  ({ outcome, reason, readiness }) => {
    it('holds the batch, reports the partition stuck at once, and dead-letters nothing', async () => {
      const readinessAtRetry: string[] = [];
      let calls = 0;
      const { pipeline, health, deadLetters } = pipelineWithFakes(config, loaded, {
        write: (documents) => {
          calls += 1;
          if (calls === 1) {
            return Promise.resolve(
              bulkAttempt({
                held: documents.map((document) => ({ document, reason, cause: outcome })),
              }),
            );
          }
          const { components } = health.readiness();
          readinessAtRetry.push(components['partitions']?.reason ?? 'ok');
          return Promise.resolve(bulkAttempt({ written: documents }));
        },
      });
      const encoder = new TextEncoder();
      const records: BatchRecord[] = ['ls -la', 'rm -rf /'].map((command, i) => ({
        offset: String(i),
        value: encoder.encode(
          JSON.stringify({
            '@timestamp': '2026-12-07T12:00:00.000Z',
            user: { name: 'alice' },
            process: { command_line: command },
          }),
        ),
      }));
      const ack = await pipeline.handleBatch({
        topic: 't',
        partition: 0,
        records,
        heartbeat: () => Promise.resolve(),
        isActive: () => true,
      });
      expect(ack.complete).toBe(true);
      expect(calls).toBe(2);
      expect(deadLetters).toEqual([]);
      expect(readinessAtRetry).toEqual([expect.stringMatching(readiness) as unknown]);
      expect(health.readiness().components['partitions']?.ok).toBe(true);
    });
  },
);
