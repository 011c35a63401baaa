import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testElasticsearch, uniqueIndex } from '../support/elasticsearch';
import { createTopic, groupLag, produce, uniqueName } from '../support/kafka';
import { MALICIOUS_COMMANDS, plannedRecord } from '../support/records';
import { ServiceProcess } from '../support/service';
import { waitFor } from '../support/wait-for';

/**
 * What an operator watches: the probes, the Prometheus metrics (counters move
 * by exactly what was produced) and the logs (JSON lines, no command line and
 * no secret at info). Readiness turning false when Elasticsearch stops is
 * test/e2e/outage.e2e-spec.ts.
 */
const GOOD = 60;
const EVERY_NTH = 10;
const API_KEY = 'obs-e2e-secret-key-5a1c';
// Severity of each rule of test/fixtures/rules/basic, as its file says.
const SEVERITY: Record<string, string> = {
  'SW-DST-0001': 'critical',
  'SW-EXE-0001': 'critical',
  'SW-EXE-0002': 'high',
};

/** Prometheus text → value per series, the series written as `name{labels}` exactly as exposed. */
function parseMetrics(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    series.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return series;
}

function sumOf(metrics: Map<string, number>, name: string): number {
  let sum = 0;
  for (const [series, value] of metrics) if (series.startsWith(`${name}{`)) sum += value;
  return sum;
}

describe('health, metrics and logs', () => {
  const topic = uniqueName('e2e-obs');
  const groupId = uniqueName('e2e-obs-group');
  const alertsIndex = uniqueIndex('e2e-obs-alerts');
  const commandsIndex = uniqueIndex('e2e-obs-commands');
  let service: ServiceProcess;

  const scrape = async (): Promise<Map<string, number>> => {
    const response = await fetch(`${service.baseUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain;.*version=0\.0\.4/);
    return parseMetrics(await response.text());
  };

  beforeAll(async () => {
    await createTopic(topic, 1);
    service = new ServiceProcess({
      KAFKA_TOPIC: topic,
      KAFKA_GROUP_ID: groupId,
      KAFKA_DLQ_TOPIC: `${topic}.dlq`,
      ES_ALERTS_INDEX: alertsIndex,
      ES_COMMANDS_INDEX: commandsIndex,
      RULES_DIR: 'test/fixtures/rules/basic',
      API_KEY,
    }).start();
    await service.waitReady();
  });

  afterAll(async () => {
    await service?.stop();
    await testElasticsearch.indices
      .delete({ index: [alertsIndex, commandsIndex], ignore_unavailable: true })
      .catch(() => undefined);
  });

  it('answers the liveness probe', async () => {
    const response = await fetch(`${service.baseUrl}/health/live`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('answers the readiness probe with every component and since when', async () => {
    const { status, body } = await service.readiness();
    expect(status).toBe(200);
    const since = expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown;
    expect(body).toEqual({
      status: 'ready',
      components: {
        kafka: { ok: true, since },
        elasticsearch: { ok: true, since },
        rules: { ok: true, since },
        partitions: { ok: true, since },
      },
    });
  });

  it('counts records, formats, alerts per rule and dead letters per reason exactly', async () => {
    const before = await scrape();
    expect(before.get('shellwatch_rules_active')).toBe(3);
    expect(before.get('shellwatch_rule_reloads_total{result="success"}')).toBeGreaterThanOrEqual(1);
    expect(before.get('shellwatch_rule_reloads_total{result="failure"}')).toBe(0);
    const info = [...before].filter(([series]) => series.startsWith('shellwatch_rules_info{'));
    expect(info).toHaveLength(1);
    expect(info[0]).toEqual([
      expect.stringMatching(/^shellwatch_rules_info\{hash="[0-9a-f]{64}"\}$/),
      1,
    ]);

    const planned = Array.from({ length: GOOD }, (_, seq) => plannedRecord(seq, EVERY_NTH));
    const poison = ['{"user": "alice", "command": "ls', '{"broken', ''];
    const messages = [
      ...planned.slice(0, 30).map((r) => ({ value: r.value })),
      ...poison.map((value) => ({ value })),
      ...planned.slice(30).map((r) => ({ value: r.value })),
    ];
    await produce(topic, messages);
    await waitFor(
      'the topic committed',
      () => groupLag(groupId, topic),
      (lag) => lag === 0,
      {
        timeoutMs: 120_000,
      },
    );
    const after = await scrape();
    const delta = (series: string): number => (after.get(series) ?? 0) - (before.get(series) ?? 0);

    expect(delta('shellwatch_records_consumed_total')).toBe(GOOD + poison.length);
    expect(
      sumOf(after, 'shellwatch_records_decoded_total') -
        sumOf(before, 'shellwatch_records_decoded_total'),
    ).toBe(GOOD);
    expect(delta('shellwatch_dlq_records_total{reason="INVALID_JSON"}')).toBe(2);
    expect(delta('shellwatch_dlq_records_total{reason="EMPTY_RECORD"}')).toBe(1);
    expect(
      sumOf(after, 'shellwatch_dlq_records_total') - sumOf(before, 'shellwatch_dlq_records_total'),
    ).toBe(3);

    const expectedAlerts = new Map<string, number>();
    for (const { rule } of planned) {
      if (rule === undefined) continue;
      const series = `shellwatch_alerts_total{rule_id="${rule}",severity="${SEVERITY[rule]}"}`;
      expectedAlerts.set(series, (expectedAlerts.get(series) ?? 0) + 1);
    }
    expect(expectedAlerts.size).toBeGreaterThan(1);
    for (const [series, count] of expectedAlerts) expect(delta(series), series).toBe(count);
    expect(sumOf(after, 'shellwatch_alerts_total') - sumOf(before, 'shellwatch_alerts_total')).toBe(
      GOOD / EVERY_NTH,
    );

    expect(delta('shellwatch_evaluation_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(delta('shellwatch_evaluation_seconds_sum')).toBeGreaterThan(0);
    expect(delta('shellwatch_bulk_request_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(delta('shellwatch_bulk_failures_total{kind="request"}')).toBe(0);
    expect(delta('shellwatch_bulk_failures_total{kind="item_rejected"}')).toBe(0);
    expect(after.get('shellwatch_consumer_lag{partition="0"}')).toBe(0);
    expect(after.get('process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(after.has('nodejs_eventloop_lag_seconds')).toBe(true);

    // Labels from small fixed sets: nothing of a record's content.
    const exposed = [...after.keys()].join('\n');
    for (const { command } of MALICIOUS_COMMANDS) expect(exposed).not.toContain(command);
    expect(exposed).not.toMatch(/alice|deploy|example\.internal/);
  });

  it('logs JSON lines only, with no command line and no secret at info', async () => {
    // A rule change with a wrong key, and a probe carrying the real one: neither key may be logged.
    const refused = await fetch(`${service.baseUrl}/rules/SW-NOPE-0001`, {
      method: 'DELETE',
      headers: { authorization: 'Bearer wrong-key-9f3e' },
    });
    expect(refused.status).toBe(401);
    await fetch(`${service.baseUrl}/health/ready`, {
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    const lines = service
      .logs()
      .split('\n')
      .filter((line) => line.trim() !== '');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const entry = JSON.parse(line) as { level: string; msg?: string };
      expect(['info', 'warn', 'error', 'fatal']).toContain(entry.level);
    }
    const text = lines.join('\n');
    expect(text).toMatch(/"msg":"rule set loaded/);
    expect(text).toMatch(/records dead-lettered/);
    for (const { command } of MALICIOUS_COMMANDS) expect(text).not.toContain(command);
    expect(text).not.toContain('/dev/tcp');
    expect(text).not.toContain(API_KEY);
    expect(text).not.toContain('wrong-key-9f3e');
    // Quiet: no request lines and no per-route start-up lines at info.
    expect(text).not.toMatch(/"req":|Mapped \{/);
  });
});
