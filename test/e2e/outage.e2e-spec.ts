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

  it('on SIGTERM during an outage, exits within SHUTDOWN_TIMEOUT_MS and commits nothing unwritten', async () => {
    const shutdownTopic = uniqueName('e2e-shutdown');
    const shutdownGroup = uniqueName('e2e-shutdown-group');
    const shutdownAlerts = uniqueIndex('e2e-shutdown-alerts');
    const shutdownCommands = uniqueIndex('e2e-shutdown-commands');
    elasticsearch.start();
    await createTopic(shutdownTopic, 2);
    const placed = await producePlanned(
      shutdownTopic,
      2,
      Array.from({ length: 10_000 }, (_, seq) => plannedRecord(seq, 100)),
    );
    const env = {
      KAFKA_TOPIC: shutdownTopic,
      KAFKA_GROUP_ID: shutdownGroup,
      KAFKA_DLQ_TOPIC: `${shutdownTopic}.dlq`,
      ES_ALERTS_INDEX: shutdownAlerts,
      ES_COMMANDS_INDEX: shutdownCommands,
      RULES_DIR: 'test/fixtures/rules/basic',
      KAFKA_MAX_BYTES_PER_PARTITION: '32768',
      ES_NODE: elasticsearch.url,
      SHUTDOWN_TIMEOUT_MS: '5000',
    };
    service = new ServiceProcess(env).start();
    await service.waitReady();
    await waitFor(
      'a first part',
      () => countDocuments(shutdownCommands, client),
      (n) => n >= 1000,
      {
        timeoutMs: 120_000,
        intervalMs: 100,
      },
    );
    elasticsearch.stop();
    await waitFor(
      'readiness to turn false',
      () => service!.readiness(),
      (r) => r.status === 503,
      {
        timeoutMs: 30_000,
      },
    );
    const lagBefore = await groupLag(shutdownGroup, shutdownTopic);
    const signalledAt = Date.now();
    await service.stop();
    const exitMs = Date.now() - signalledAt;
    console.log(`shutdown during an Elasticsearch outage took ${exitMs} ms (timeout 5000 ms)`);
    expect(exitMs).toBeLessThan(5000 + 3000);
    // The batch stuck on the dead cluster was not committed: the lag did not shrink.
    expect(await groupLag(shutdownGroup, shutdownTopic)).toBeGreaterThanOrEqual(lagBefore);
    expect(lagBefore).toBeGreaterThan(0);

    elasticsearch.start();
    service = new ServiceProcess(env).start();
    await service.waitReady(120_000);
    await waitFor(
      'the whole topic committed',
      () => groupLag(shutdownGroup, shutdownTopic),
      (lag) => lag === 0,
      {
        timeoutMs: 300_000,
        intervalMs: 1000,
      },
    );
    expect(await countDocuments(shutdownCommands, client)).toBe(10_000);
    expect(await allIds(shutdownAlerts, client)).toEqual(expectedAlertIds(shutdownTopic, placed));
  });
});
