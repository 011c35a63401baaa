import { describe, expect, it } from 'vitest';
import type { OutputDocument, ProcessedBatch } from '../core/process-batch';
import { countAlerts, MetricsService } from './metrics.service';

function alert(ruleId: string, severity: string): OutputDocument {
  return {
    target: 'alerts',
    id: `t:0:1:${ruleId}`,
    offset: '1',
    body: {
      rule: { id: ruleId },
      shellwatch: { rule: { severity } },
      process: { command_line: 'rm -rf /' },
    },
  };
}

/** The value of one sample line of the exposition text, by name and labels as written. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('MetricsService', () => {
  it('counts a processed batch: records, formats, alerts per rule, dead letters, lag', async () => {
    const metrics = new MetricsService();
    const processed: ProcessedBatch = {
      documents: [
        alert('SW-A', 'high'),
        alert('SW-A', 'high'),
        alert('SW-B', 'critical'),
        { target: 'commands', id: 'c', offset: '1', body: {} },
      ],
      deadLetters: [],
      eventCount: 5,
      alertCount: 3,
      decodedBy: { vssh: 4, snoopy: 1 },
      ignored: { not_a_command: 2 },
    };
    metrics.batchProcessed(7, processed, 0.002);
    metrics.deadLettered(['INVALID_JSON', 'INVALID_JSON', 'EMPTY_RECORD']);
    metrics.consumerLagObserved(2, 42);
    metrics.bulkRequestFinished(0.01, false);
    metrics.bulkRequestFinished(0.5, true);
    metrics.bulkItemsFailed('item_rejected', 2);
    metrics.ruleReloadFinished('success', { enabledCount: 3, hash: 'abc' });
    metrics.ruleReloadFinished('success', { enabledCount: 4, hash: 'def' });
    metrics.ruleReloadFinished('failure');
    const { contentType, body } = await metrics.render();
    expect(contentType).toMatch(/^text\/plain/);
    expect(sample(body, 'shellwatch_records_consumed_total')).toBe(7);
    expect(sample(body, 'shellwatch_records_decoded_total{format="vssh"}')).toBe(4);
    expect(sample(body, 'shellwatch_records_decoded_total{format="snoopy"}')).toBe(1);
    expect(sample(body, 'shellwatch_alerts_total{rule_id="SW-A",severity="high"}')).toBe(2);
    expect(sample(body, 'shellwatch_alerts_total{rule_id="SW-B",severity="critical"}')).toBe(1);
    expect(sample(body, 'shellwatch_dlq_records_total{reason="INVALID_JSON"}')).toBe(2);
    expect(sample(body, 'shellwatch_dlq_records_total{reason="EMPTY_RECORD"}')).toBe(1);
    expect(sample(body, 'shellwatch_records_ignored_total{reason="not_a_command"}')).toBe(2);
    expect(sample(body, 'shellwatch_records_ignored_total{reason="auditd_late_eoe"}')).toBe(0);
    expect(sample(body, 'shellwatch_consumer_lag{partition="2"}')).toBe(42);
    expect(sample(body, 'shellwatch_evaluation_seconds_count')).toBe(1);
    expect(sample(body, 'shellwatch_bulk_request_seconds_count')).toBe(2);
    expect(sample(body, 'shellwatch_bulk_failures_total{kind="request"}')).toBe(1);
    expect(sample(body, 'shellwatch_bulk_failures_total{kind="item_rejected"}')).toBe(2);
    expect(sample(body, 'shellwatch_bulk_failures_total{kind="item_retry"}')).toBe(0);
    expect(sample(body, 'shellwatch_rule_reloads_total{result="success"}')).toBe(2);
    expect(sample(body, 'shellwatch_rule_reloads_total{result="failure"}')).toBe(1);
    expect(sample(body, 'shellwatch_rules_active')).toBe(4);
    expect(sample(body, 'shellwatch_rules_info{hash="def"}')).toBe(1);
    expect(body).not.toContain('hash="abc"');
    expect(body).toContain('process_cpu_user_seconds_total');
    // Never a command line in a label.
    expect(body).not.toContain('rm -rf');
  });

  it('reads rule id and severity from alert documents only', () => {
    expect(
      countAlerts([
        alert('SW-A', 'low'),
        { target: 'alerts', id: 'x', offset: '2', body: {} },
        { target: 'commands', id: 'y', offset: '3', body: { rule: { id: 'SW-C' } } },
      ]),
    ).toEqual([
      [{ rule_id: 'SW-A', severity: 'low' }, 1],
      [{ rule_id: 'unknown', severity: 'unknown' }, 1],
    ]);
  });
});
