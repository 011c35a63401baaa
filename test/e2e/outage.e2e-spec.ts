import { describe, expect, it } from 'vitest';
import { countDocuments } from '../support/elasticsearch';
import { createTopic, groupLag } from '../support/kafka';
import { plannedRecord, producePlanned } from '../support/records';
import { usePrivateElasticsearch } from '../support/private-elasticsearch';
import { waitFor } from '../support/wait-for';
import { expectExactDelivery, testWorld } from '../support/world';

/**
 * Elasticsearch stops in the middle of a stream and comes back: the service
 * neither crashes nor drops anything, readiness goes false and back to true,
 * and the final counts are exact. The tests run their own Elasticsearch so that
 * stopping it disturbs no other test.
 */
const OUTAGE_MS = 30_000;

describe('Elasticsearch outage', () => {
  const { elasticsearch, client, startService } = usePrivateElasticsearch(9250);

  it('backs off, reports not ready, resumes, and loses nothing', async () => {
    const world = testWorld('outage');
    elasticsearch.start();
    await createTopic(world.topic, 3);
    const placed = await producePlanned(
      world.topic,
      3,
      Array.from({ length: 30_000 }, (_, seq) => plannedRecord(seq, 100)),
    );
    const service = startService(
      world.env({ KAFKA_MAX_BYTES_PER_PARTITION: '32768', RETRY_MAX_DELAY_MS: '2000' }),
    );
    await service.waitReady();
    await waitFor(
      'a first part of the stream',
      () => countDocuments(world.commandsIndex, client),
      (n) => n >= 3000,
      {
        timeoutMs: 120_000,
        intervalMs: 100,
      },
    );

    const stoppedAt = Date.now();
    elasticsearch.stop();
    const notReady = await waitFor(
      'readiness to turn false',
      () => service.readiness(),
      (r) => r.status === 503,
      {
        timeoutMs: 30_000,
      },
    );
    expect(JSON.stringify(notReady.body)).toContain('Elasticsearch');
    const remaining = OUTAGE_MS - (Date.now() - stoppedAt);
    if (remaining > 0) await new Promise((resolve) => setTimeout(resolve, remaining));
    expect((await service.readiness()).status).toBe(503);
    elasticsearch.start();

    await service.waitReady(120_000);
    await expectExactDelivery(world, placed, { elasticsearch: client });
    expect(service.logs()).toContain('writing to Elasticsearch failed');
    // The next test starts its own service; this one must not outlive the file.
    await service.stop();
  });

  it('on SIGTERM during an outage, exits within SHUTDOWN_TIMEOUT_MS and commits nothing unwritten', async () => {
    const world = testWorld('shutdown');
    elasticsearch.start();
    await createTopic(world.topic, 2);
    const placed = await producePlanned(
      world.topic,
      2,
      Array.from({ length: 10_000 }, (_, seq) => plannedRecord(seq, 100)),
    );
    const env = world.env({ KAFKA_MAX_BYTES_PER_PARTITION: '32768', SHUTDOWN_TIMEOUT_MS: '5000' });
    const service = startService(env);
    await service.waitReady();
    await waitFor(
      'a first part',
      () => countDocuments(world.commandsIndex, client),
      (n) => n >= 1000,
      {
        timeoutMs: 120_000,
        intervalMs: 100,
      },
    );
    elasticsearch.stop();
    await waitFor(
      'readiness to turn false',
      () => service.readiness(),
      (r) => r.status === 503,
      {
        timeoutMs: 30_000,
      },
    );
    const lagBefore = await groupLag(world.groupId, world.topic);
    const signalledAt = Date.now();
    await service.stop();
    const exitMs = Date.now() - signalledAt;
    console.log(`shutdown during an Elasticsearch outage took ${exitMs} ms (timeout 5000 ms)`);
    expect(exitMs).toBeLessThan(5000 + 3000);
    // The batch stuck on the dead cluster was not committed: the lag did not shrink.
    expect(lagBefore).toBeGreaterThan(0);
    expect(await groupLag(world.groupId, world.topic)).toBeGreaterThanOrEqual(lagBefore);

    elasticsearch.start();
    const restarted = startService(env);
    await restarted.waitReady(120_000);
    await expectExactDelivery(world, placed, { elasticsearch: client });
  });
});
