import { afterAll, describe, expect, it } from 'vitest';
import { countDocuments } from '../support/elasticsearch';
import { createTopic } from '../support/kafka';
import { plannedRecord, producePlanned } from '../support/records';
import { ServiceProcess } from '../support/service';
import { waitFor } from '../support/wait-for';
import { expectExactDelivery, testWorld } from '../support/world';

/**
 * At-least-once delivery plus deterministic ids = exactly one document: the
 * service is killed with SIGKILL twice while it consumes, restarted each time,
 * and at the end every expected alert is there exactly once.
 */
const RECORDS = 100_000;
const PARTITIONS = 6;

describe('crash recovery', () => {
  const world = testWorld('crash');
  // Small fetches make many batches, so the kills land between commits.
  const env = world.env({ KAFKA_MAX_BYTES_PER_PARTITION: '65536' });
  let service: ServiceProcess | undefined;

  afterAll(async () => {
    await service?.stop();
  });

  it('loses nothing and duplicates nothing across two SIGKILLs', async () => {
    await createTopic(world.topic, PARTITIONS);
    const planned = Array.from({ length: RECORDS }, (_, seq) => plannedRecord(seq, 100));
    const placed = await producePlanned(world.topic, PARTITIONS, planned);
    expect(placed.filter((r) => r.rule !== undefined)).toHaveLength(RECORDS / 100);

    // Kill points drawn at random in the stream, logged so a failure can be replayed.
    const killAt = [0.1 + Math.random() * 0.25, 0.45 + Math.random() * 0.3].map((f) =>
      Math.floor(f * RECORDS),
    );
    console.log(
      `crash test: SIGKILL when the commands index reaches ${killAt.join(' and ')} documents`,
    );
    for (const threshold of killAt) {
      service = new ServiceProcess(env).start();
      await service.waitReady();
      await waitFor(
        `${threshold} command documents`,
        () => countDocuments(world.commandsIndex),
        (n) => n >= threshold,
        { timeoutMs: 300_000, intervalMs: 100 },
      );
      await service.kill();
    }
    service = new ServiceProcess(env).start();
    await service.waitReady();
    await expectExactDelivery(world, placed);
  });
});
