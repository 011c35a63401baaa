import { afterAll, describe, expect, it } from 'vitest';
import { countDocuments } from '../support/elasticsearch';
import { createTopic, kafkaAt } from '../support/kafka';
import { plannedRecord, producePlanned } from '../support/records';
import { ServiceProcess } from '../support/service';
import { PrivateKafka } from '../support/stack';
import { waitFor } from '../support/wait-for';
import { expectExactDelivery, testWorld } from '../support/world';

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
  const world = testWorld('kafka-outage');
  let service: ServiceProcess | undefined;

  afterAll(async () => {
    await service?.stop();
    broker.stop();
  });

  it('waits for Kafka at start, survives a broker restart mid-stream, loses nothing', async () => {
    broker.stop();
    service = new ServiceProcess(
      world.env({ KAFKA_BROKERS: broker.broker, KAFKA_MAX_BYTES_PER_PARTITION: '32768' }),
    ).start();
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
    await createTopic(world.topic, 3, {}, kafka);
    const placed = await producePlanned(
      world.topic,
      3,
      Array.from({ length: RECORDS }, (_, seq) => plannedRecord(seq, 100)),
      2000,
      kafka,
    );
    await service.waitReady(120_000);
    await waitFor(
      'a first part of the stream',
      () => countDocuments(world.commandsIndex),
      (n) => n >= 2000,
      {
        timeoutMs: 120_000,
        intervalMs: 100,
      },
    );

    broker.stop();
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    broker.start();

    await expectExactDelivery(world, placed, { kafka });
    expect((await service.readiness()).status).toBe(200);
  });
});
