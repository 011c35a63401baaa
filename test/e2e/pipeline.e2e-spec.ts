import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ecsProblems } from '../support/ecs-fields';
import {
  allDocuments,
  countDocuments,
  testElasticsearch,
  uniqueIndex,
} from '../support/elasticsearch';
import { createTopic, groupLag, produce, uniqueName } from '../support/kafka';
import { ServiceProcess } from '../support/service';
import { BENIGN_COMMANDS, MALICIOUS_COMMANDS } from '../support/records';
import { waitFor } from '../support/wait-for';

/**
 * The real path, as a user runs it: records produced into Kafka by a real
 * producer, the built service as a child process configured by environment
 * only, alerts read back from the real Elasticsearch.
 */
const RECORDS = 1000;

// Which rule each malicious command must trigger is known by construction (test/support/records.ts).
const BENIGN = BENIGN_COMMANDS;
const MALICIOUS = MALICIOUS_COMMANDS;

function record(i: number): { command: string; expected: string | undefined } {
  if (i % 50 === 7) {
    const m = MALICIOUS[((i / 50) % MALICIOUS.length) | 0] ?? MALICIOUS[0]!;
    return { command: m.command, expected: m.rule };
  }
  return { command: BENIGN[i % BENIGN.length]!, expected: undefined };
}

describe('the whole path: Kafka → rules → Elasticsearch', () => {
  const topic = uniqueName('e2e-path');
  const groupId = uniqueName('e2e-group');
  const alertsIndex = uniqueIndex('e2e-alerts');
  const commandsIndex = uniqueIndex('e2e-commands');
  let service: ServiceProcess;
  const expected = new Map<string, number>();

  beforeAll(async () => {
    await createTopic(topic, 3);
    const messages = Array.from({ length: RECORDS }, (_, i) => {
      const { command, expected: rule } = record(i);
      if (rule) expected.set(rule, (expected.get(rule) ?? 0) + 1);
      return {
        key: `host-${i % 5}`,
        value: JSON.stringify({
          timestamp: new Date(Date.UTC(2026, 10, 25, 12, 0, 0, i)).toISOString(),
          user: i % 3 === 0 ? 'alice' : 'deploy',
          host: `web-${i % 5}.example.internal`,
          client_ip: '198.51.100.23',
          session_id: `s-${i % 17}`,
          cwd: '/home/alice',
          command,
          seq: i,
        }),
      };
    });
    await produce(topic, messages);
    service = new ServiceProcess({
      KAFKA_TOPIC: topic,
      KAFKA_GROUP_ID: groupId,
      KAFKA_DLQ_TOPIC: `${topic}.dlq`,
      ES_ALERTS_INDEX: alertsIndex,
      ES_COMMANDS_INDEX: commandsIndex,
      // A fixed rule folder: the default pack grows, this test's expectations must not move with it.
      RULES_DIR: 'test/fixtures/rules/basic',
    }).start();
    await service.waitReady();
  });

  afterAll(async () => {
    await service?.stop();
  });

  it('writes exactly one alert per expected match and commits to the end of the topic', async () => {
    const expectedAlerts = [...expected.values()].reduce((a, b) => a + b, 0);
    expect(expectedAlerts).toBeGreaterThan(0);
    await waitFor(
      'committed offsets at the end of the topic',
      () => groupLag(groupId, topic),
      (lag) => lag === 0,
      {
        timeoutMs: 120_000,
      },
    );
    // Offsets are committed only after the bulk write: everything is in Elasticsearch now.
    expect(await countDocuments(commandsIndex)).toBe(RECORDS);
    const alerts = await allDocuments<{
      rule: { id: string; version: string };
      process: { command_line: string };
      user: { name: string };
      host: { name: string };
      event: { kind: string; original: string };
      shellwatch: {
        rule: { severity: string };
        kafka: { topic: string; partition: number; offset: number };
      };
    }>(alertsIndex);
    expect(alerts).toHaveLength(expectedAlerts);
    const perRule = new Map<string, number>();
    for (const { source } of alerts)
      perRule.set(source.rule.id, (perRule.get(source.rule.id) ?? 0) + 1);
    expect(Object.fromEntries(perRule)).toEqual(Object.fromEntries(expected));
    for (const { id, source } of alerts) {
      const rule = MALICIOUS.find((m) => m.command === source.process.command_line)?.rule;
      expect(rule, `alert on an unexpected command: ${source.process.command_line}`).toBe(
        source.rule.id,
      );
      expect(source.event.kind).toBe('alert');
      expect(source.shellwatch.kafka.topic).toBe(topic);
      const { partition, offset } = source.shellwatch.kafka;
      expect(id).toBe(`${topic}:${partition}:${offset}:${source.rule.id}`);
      expect(['alice', 'deploy']).toContain(source.user.name);
      expect(source.host.name).toMatch(/^web-\d\.example\.internal$/);
      expect(JSON.parse(source.event.original)).toMatchObject({
        command: source.process.command_line,
      });
    }
    // What lands in Elasticsearch is ECS: alerts and every command document.
    const commands = await allDocuments<Record<string, unknown>>(commandsIndex);
    for (const { id, source } of [...alerts, ...commands]) {
      expect({ id, problems: ecsProblems(source as Record<string, unknown>) }).toEqual({
        id,
        problems: [],
      });
    }
  });

  it('says at start where documents go: plain indices on the minimal distribution', async () => {
    // The local cluster (integ-test-zip, no data-streams module) offers no data streams
    // that could be aged out or deleted: the service keeps plain indices and says why.
    expect(service.logs()).toContain(
      `storage: plain indices ${alertsIndex}, ${commandsIndex}, no lifecycle: data streams not used because the cluster has no data-streams module (minimal distribution)`,
    );
    const resolved = await testElasticsearch.indices.resolveIndex({
      name: `${alertsIndex},${commandsIndex}`,
    });
    expect(resolved.data_streams).toEqual([]);
    expect(resolved.indices.map((i) => i.name).sort()).toEqual([alertsIndex, commandsIndex].sort());
  });

  it('reports ready with all components healthy', async () => {
    const { status, body } = await service.readiness();
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: 'ready',
      components: { kafka: { ok: true }, elasticsearch: { ok: true }, rules: { ok: true } },
    });
  });
});
