import { afterAll, describe, expect, it } from 'vitest';
import { Partitioners } from 'kafkajs';
import type { Message } from 'kafkajs';
import { allIds } from '../support/elasticsearch';
import { createTopic, kafkaAt } from '../support/kafka';
import { expectedAlertIds, plannedRecord, producePlanned } from '../support/records';
import type { Placed, PlannedRecord } from '../support/records';
import { ServiceProcess } from '../support/service';
import { PrivateKafka } from '../support/stack';
import { waitFor } from '../support/wait-for';
import { expectExactDelivery, testWorld } from '../support/world';

/**
 * The main consumer after a broker restart: records a shipper handed to Kafka while
 * the broker was down (its producer retrying) are alerted once each after the broker
 * returns, nothing lost, nothing twice. It also measures (logs, never asserts) how
 * long after the broker's return the first of them is alerted: the restarted broker
 * reloads the group with the member the service had, and the service's consumer,
 * restarted after its crash, joins as a new member that waits for the old one's
 * session (KAFKA_SESSION_TIMEOUT_MS) to expire. Its own broker on port 9392 (9192 is
 * kafka-outage's, 9292 rules-kafka-outage's), so that stopping it disturbs no other test.
 */
const PARTITIONS = 2;
const BEFORE = 200;
const DURING = 200;

/** Every record is malicious, so each one must give exactly one alert. */
function records(from: number, count: number): PlannedRecord[] {
  return Array.from({ length: count }, (_, i) => plannedRecord(from + i, 1));
}

describe('Kafka broker restart: the main consumer rejoins its group', () => {
  const broker = new PrivateKafka(9392);
  const kafka = kafkaAt(broker.broker);
  const world = testWorld('kafka-rejoin');
  let service: ServiceProcess | undefined;

  afterAll(async () => {
    await service?.stop();
    broker.stop();
  });

  it('alerts the records produced during the outage once each after the broker returns', async () => {
    broker.start();
    // Right after its start the broker may still be loading: poll until the topic has a leader.
    await waitFor(
      `the topic ${world.topic} with a leader on the private broker`,
      async () => {
        await createTopic(world.topic, PARTITIONS, {}, kafka);
        return true;
      },
      (created) => created,
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
    service = new ServiceProcess(world.env({ KAFKA_BROKERS: broker.broker })).start();
    await service.waitReady(120_000);
    const before = await producePlanned(world.topic, PARTITIONS, records(0, BEFORE), 100, kafka);
    await waitFor(
      'the alerts of the records produced before the outage',
      () => allIds(world.alertsIndex).catch(() => []),
      (ids) => ids.length === BEFORE,
      { timeoutMs: 120_000 },
    );

    // A shipper's producer, connected before the outage and retrying through it.
    const producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: 1_000, initialRetryTime: 300, maxRetryTime: 2_000 },
    });
    await producer.connect();
    broker.stop();
    const during = records(BEFORE, DURING);
    const messages: Message[] = during.map((record, i) => ({
      partition: i % PARTITIONS,
      value: record.value,
    }));
    const sending = producer.send({ topic: world.topic, acks: -1, messages });
    // The outage as the service sees it: its consumer lost the broker (readiness says so).
    await waitFor(
      'readiness to report the Kafka consumer down',
      () => service!.readiness(),
      (r) =>
        r.status === 503 &&
        (r.body['components'] as { kafka?: { ok: boolean } }).kafka?.ok === false,
      { timeoutMs: 120_000, intervalMs: 500 },
    );

    broker.start();
    const backAt = Date.now();
    const metadata = await sending;
    await producer.disconnect();
    const placedDuring: Placed[] = [];
    for (const meta of metadata) {
      const mine = during.filter((_, i) => i % PARTITIONS === meta.partition);
      mine.forEach((record, i) => {
        placedDuring.push({
          ...record,
          partition: meta.partition,
          offset: (BigInt(meta.baseOffset ?? '0') + BigInt(i)).toString(),
        });
      });
    }
    expect(placedDuring).toHaveLength(DURING);
    const duringIds = new Set(expectedAlertIds(world.topic, placedDuring));
    const alertedAfterReturn = (ids: string[]): number =>
      ids.filter((id) => duringIds.has(id)).length;
    await waitFor(
      'a first alert of a record produced during the outage',
      () => allIds(world.alertsIndex).catch(() => []),
      (ids) => alertedAfterReturn(ids) > 0,
      { timeoutMs: 180_000, intervalMs: 200 },
    );
    const firstAlertS = (Date.now() - backAt) / 1000;
    await waitFor(
      'every alert of the records produced during the outage',
      () => allIds(world.alertsIndex).catch(() => []),
      (ids) => alertedAfterReturn(ids) === DURING,
      { timeoutMs: 180_000, intervalMs: 200 },
    );
    console.log(
      `main consumer after a broker restart: first alert of a record produced during the outage ${firstAlertS.toFixed(1)} s after the broker returned, all ${DURING} after ${((Date.now() - backAt) / 1000).toFixed(1)} s`,
    );

    // Once each: every record one command document, exactly the expected alert ids,
    // the whole topic committed.
    await expectExactDelivery(world, [...before, ...placedDuring], { kafka });
    await service.waitReady(120_000);
  });
});
