import { afterAll, describe, expect, it } from 'vitest';
import { allIds, countDocuments, uniqueIndex } from '../support/elasticsearch';
import { createTopic, groupLag, uniqueName } from '../support/kafka';
import { expectedAlertIds, plannedRecord, producePlanned } from '../support/records';
import { ServiceProcess } from '../support/service';
import { Client } from '@elastic/elasticsearch';
import { PrivateElasticsearch } from '../support/stack';
import { waitFor } from '../support/wait-for';

/**
 * Elasticsearch stops for 30 s in the middle of a stream and comes back: the
 * service neither crashes nor drops anything, readiness goes false and back to
 * true, and the final counts are exact. The test runs its own Elasticsearch so
 * that stopping it disturbs no other test.
 */
const RECORDS = 30_000;
const OUTAGE_MS = 30_000;

describe('Elasticsearch outage', () => {
  const topic = uniqueName('e2e-outage');
  const groupId = uniqueName('e2e-outage-group');
  const alertsIndex = uniqueIndex('e2e-outage-alerts');
  const commandsIndex = uniqueIndex('e2e-outage-commands');
  const elasticsearch = new PrivateElasticsearch(9250);
  const client = new Client({ node: elasticsearch.url });
  let service: ServiceProcess | undefined;

  afterAll(async () => {
    await service?.stop();
    await client.close();
    elasticsearch.stop();
  });

  it('backs off, reports not ready, resumes, and loses nothing', async () => {
    elasticsearch.start();
    await createTopic(topic, 3);
    const placed = await producePlanned(
      topic,
      3,
      Array.from({ length: RECORDS }, (_, seq) => plannedRecord(seq, 100)),
    );
    service = new ServiceProcess({
      KAFKA_TOPIC: topic,
      KAFKA_GROUP_ID: groupId,
      KAFKA_DLQ_TOPIC: `${topic}.dlq`,
      ES_ALERTS_INDEX: alertsIndex,
      ES_COMMANDS_INDEX: commandsIndex,
      RULES_DIR: 'test/fixtures/rules/basic',
      KAFKA_MAX_BYTES_PER_PARTITION: '32768',
      RETRY_MAX_DELAY_MS: '2000',
      ES_NODE: elasticsearch.url,
    }).start();
    await service.waitReady();
    await waitFor(
      'a first part of the stream',
      () => countDocuments(commandsIndex, client),
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
      () => service!.readiness(),
      (r) => r.status === 503,
      { timeoutMs: 30_000 },
    );
    expect(JSON.stringify(notReady.body)).toContain('Elasticsearch');
    const remaining = OUTAGE_MS - (Date.now() - stoppedAt);
    if (remaining > 0) await new Promise((resolve) => setTimeout(resolve, remaining));
    expect((await service.readiness()).status).toBe(503);
    elasticsearch.start();

    await service.waitReady(120_000);
    await waitFor(
      'the whole topic committed',
      () => groupLag(groupId, topic),
      (lag) => lag === 0,
      {
        timeoutMs: 300_000,
        intervalMs: 1000,
      },
    );
    expect(service.logs()).toContain('writing to Elasticsearch failed');
    expect(await countDocuments(commandsIndex, client)).toBe(RECORDS);
    expect(await allIds(alertsIndex, client)).toEqual(expectedAlertIds(topic, placed));
  });
});
