import { afterAll, describe, expect, it } from 'vitest';
import { allIds, countDocuments, uniqueIndex } from '../support/elasticsearch';
import { createTopic, groupLag, kafkaAt, uniqueName } from '../support/kafka';
import { expectedAlertIds, plannedRecord, producePlanned } from '../support/records';
import { ServiceProcess } from '../support/service';
import { PrivateKafka } from '../support/stack';
import { waitFor } from '../support/wait-for';

/**
 * Kafka unavailable at start and again in the middle of the run: the service
 * keeps its HTTP API up, says why it is not ready, retries, and once the broker
 * is back it consumes everything, exactly once per document. The test runs a
 * broker of its own so that stopping it disturbs no other test.
 */
const RECORDS = 20_000;

describe('Kafka outage', () => {
  const broker = new PrivateKafka(9192);
  const kafka = kafkaAt(broker.broker);
  const topic = uniqueName('e2e-kafka-outage');
  const groupId = uniqueName('e2e-kafka-outage-group');
  const alertsIndex = uniqueIndex('e2e-kafka-outage-alerts');
  const commandsIndex = uniqueIndex('e2e-kafka-outage-commands');
  let service: ServiceProcess | undefined;

  afterAll(async () => {
    await service?.stop();
    broker.stop();
  });

  it('waits for Kafka at start, survives a broker restart mid-stream, loses nothing', async () => {
    broker.stop();
    service = new ServiceProcess({
      KAFKA_BROKERS: broker.broker,
      KAFKA_TOPIC: topic,
      KAFKA_GROUP_ID: groupId,
      KAFKA_DLQ_TOPIC: `${topic}.dlq`,
      ES_ALERTS_INDEX: alertsIndex,
      ES_COMMANDS_INDEX: commandsIndex,
      RULES_DIR: 'test/fixtures/rules/basic',
      KAFKA_MAX_BYTES_PER_PARTITION: '32768',
    }).start();
    const waiting = await waitFor(
      'the API to answer, not ready, naming Kafka',
      () => service!.readiness(),
      (r) => r.status === 503 && JSON.stringify(r.body).includes('Kafka'),
      { timeoutMs: 60_000 },
    );
    expect(waiting.body).toMatchObject({ components: { kafka: { ok: false } } });
    await waitFor(
      'a retry warning',
      () => Promise.resolve(service!.logs()),
      (l) => l.includes('cannot start consuming'),
    );

    broker.start();
    await createTopic(topic, 3, {}, kafka);
    const placed = await producePlanned(
      topic,
      3,
      Array.from({ length: RECORDS }, (_, seq) => plannedRecord(seq, 100)),
      2000,
      kafka,
    );
    await service.waitReady(120_000);
    await waitFor(
      'a first part of the stream',
      () => countDocuments(commandsIndex),
      (n) => n >= 2000,
      {
        timeoutMs: 120_000,
        intervalMs: 100,
      },
    );

    broker.stop();
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    broker.start();

    await waitFor(
      'the whole topic committed',
      () => groupLag(groupId, topic, kafka),
      (lag) => lag === 0,
      {
        timeoutMs: 300_000,
        intervalMs: 1000,
      },
    );
    expect(await countDocuments(commandsIndex)).toBe(RECORDS);
    expect(await allIds(alertsIndex)).toEqual(expectedAlertIds(topic, placed));
    expect((await service.readiness()).status).toBe(200);
  });
});
