import { afterAll, describe, it } from 'vitest';
import { countDocuments } from '../support/elasticsearch';
import { createTopic } from '../support/kafka';
import { plannedRecord, producePlanned } from '../support/records';
import { ServiceProcess } from '../support/service';
import { waitFor } from '../support/wait-for';
import { expectExactDelivery, testWorld } from '../support/world';

/**
 * Scaling the Kafka way: two instances in one consumer group share the
 * partitions; one stops mid-stream, the other takes its partitions over, and
 * the rebalance loses nothing and duplicates nothing.
 */
const RECORDS = 40_000;

describe('two instances in one consumer group', () => {
  const world = testWorld('scale');
  const services: ServiceProcess[] = [];

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
  });

  it('shares partitions and survives one instance leaving', async () => {
    await createTopic(world.topic, 6);
    const placed = await producePlanned(
      world.topic,
      6,
      Array.from({ length: RECORDS }, (_, seq) => plannedRecord(seq, 100)),
    );
    const env = world.env({ KAFKA_MAX_BYTES_PER_PARTITION: '32768' });
    const first = new ServiceProcess(env).start();
    const second = new ServiceProcess(env).start();
    services.push(first, second);
    await Promise.all([first.waitReady(), second.waitReady()]);
    await waitFor(
      'both instances to own partitions',
      () => Promise.resolve([first.logs(), second.logs()]),
      (logs) => logs.every((l) => /assigned [^"]*\[\d/.test(l)),
      { timeoutMs: 60_000 },
    );
    await waitFor(
      'a part of the stream',
      () => countDocuments(world.commandsIndex),
      (n) => n >= RECORDS / 4,
      {
        timeoutMs: 180_000,
        intervalMs: 100,
      },
    );
    await second.stop();
    await expectExactDelivery(world, placed);
  });
});
