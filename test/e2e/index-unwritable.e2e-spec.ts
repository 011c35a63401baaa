import { afterAll, describe, expect, it } from 'vitest';
import { testElasticsearch } from '../support/elasticsearch';
import { createTopic, uniqueName, withAdmin } from '../support/kafka';
import { plannedRecord, producePlanned } from '../support/records';
import type { Placed } from '../support/records';
import { ServiceProcess } from '../support/service';
import { waitFor } from '../support/wait-for';
import { expectExactDelivery, testWorld } from '../support/world';

/**
 * An index that cannot take documents is the cluster's configuration, not the
 * records' fault: the batch is held (retried, its partition reported stuck at once
 * with the cause), nothing is dead-lettered, and everything is written once a person
 * fixed the cluster. Round 7: a 404 item (the commands index deleted while automatic
 * creation is off) used to dead-letter every record of the stream, and so did a
 * closed index (400 `index_closed_exception`). Both are produced on the shared
 * Elasticsearch without touching its cluster settings: a template of this test's own
 * index name with `allow_auto_create: false`, and closing this test's own index.
 */
const PER_PHASE = 40;

/** Readiness's reason for the partitions, once it names `cause`. */
async function stuckWith(service: ServiceProcess, cause: string): Promise<string> {
  const { body } = await waitFor(
    `readiness to report the partition stuck with ${cause}`,
    () => service.readiness(),
    (r) =>
      r.status === 503 &&
      String(
        (r.body['components'] as { partitions?: { reason?: string } }).partitions?.reason,
      ).includes(cause),
    { timeoutMs: 120_000, intervalMs: 500 },
  );
  return String((body['components'] as { partitions: { reason: string } }).partitions.reason);
}

async function deadLettersIn(topic: string): Promise<number> {
  const offsets = await withAdmin((admin) => admin.fetchTopicOffsets(topic));
  return offsets.reduce((sum, partition) => sum + Number(partition.high), 0);
}

describe('Elasticsearch index that cannot take documents', () => {
  const world = testWorld('unwritable');
  const dlqTopic = `${world.topic}.dlq`;
  /** Forbids creating the commands index automatically (priority over the service's 200). */
  const noAutoCreate = uniqueName('e2e-unwritable-noauto').toLowerCase();
  let service: ServiceProcess | undefined;

  afterAll(async () => {
    await service?.stop();
    await testElasticsearch.indices
      .deleteIndexTemplate({ name: noAutoCreate })
      .catch(() => undefined);
  });

  it('holds the batch on a missing (404) and a closed index, dead-letters nothing, writes all once fixed', async () => {
    await createTopic(world.topic, 1);
    await createTopic(dlqTopic, 1);
    service = new ServiceProcess(
      world.env({
        ES_DATA_STREAMS: 'off',
        // Quick retries: the test waits for the write that follows the fix.
        RETRY_MAX_DELAY_MS: '1000',
      }),
    ).start();
    await service.waitReady(120_000);
    const placed: Placed[] = [];
    const produce = async (from: number): Promise<void> => {
      const records = Array.from({ length: PER_PHASE }, (_, i) => plannedRecord(from + i, 4));
      placed.push(...(await producePlanned(world.topic, 1, records)));
    };

    // 1. The commands index deleted, and automatic creation forbidden for its name.
    await testElasticsearch.indices.putIndexTemplate({
      name: noAutoCreate,
      index_patterns: [world.commandsIndex],
      priority: 500,
      allow_auto_create: false,
    });
    await testElasticsearch.indices.delete({ index: world.commandsIndex });
    await produce(0);
    const missing = await stuckWith(service, 'index_not_found_exception');
    expect(missing).toMatch(
      /^partition .*\[0\] stuck for \d+ s: writing \d+ documents to Elasticsearch: Elasticsearch cannot write \d+ documents to their index \(index_not_found_exception: .*\); create the index/,
    );
    expect(await deadLettersIn(dlqTopic)).toBe(0);
    // Fixed: automatic creation allowed again (the service's template applies).
    await testElasticsearch.indices.deleteIndexTemplate({ name: noAutoCreate });
    await expectExactDelivery(world, placed);
    await service.waitReady(60_000);

    // 2. The alerts index closed.
    await testElasticsearch.indices.close({ index: world.alertsIndex });
    await produce(PER_PHASE);
    const closed = await stuckWith(service, 'index_closed_exception');
    expect(closed).toContain('Elasticsearch cannot write');
    expect(await deadLettersIn(dlqTopic)).toBe(0);
    await testElasticsearch.indices.open({ index: world.alertsIndex, wait_for_active_shards: 1 });
    await expectExactDelivery(world, placed);
    await service.waitReady(60_000);

    expect(await deadLettersIn(dlqTopic)).toBe(0);
    // Said in the log too, once per retry: the warning names the cause.
    expect(service.logs()).toContain('Elasticsearch cannot write');
  });
});
