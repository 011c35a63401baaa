import { afterAll, describe, expect, it } from 'vitest';
import { allIds, countDocuments, uniqueIndex } from '../support/elasticsearch';
import { createTopic, groupLag, uniqueName } from '../support/kafka';
import { expectedAlertIds, plannedRecord, producePlanned } from '../support/records';
import { ServiceProcess } from '../support/service';
import { waitFor } from '../support/wait-for';

/**
 * Scaling the Kafka way: two instances in one consumer group share the
 * partitions; one stops mid-stream, the other takes its partitions over, and
 * the rebalance loses nothing and duplicates nothing.
 */
const RECORDS = 40_000;

describe('two instances in one consumer group', () => {
  const topic = uniqueName('e2e-scale');
  const groupId = uniqueName('e2e-scale-group');
  const alertsIndex = uniqueIndex('e2e-scale-alerts');
  const commandsIndex = uniqueIndex('e2e-scale-commands');
  const services: ServiceProcess[] = [];

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
  });

  it('shares partitions and survives one instance leaving', async () => {
    await createTopic(topic, 6);
    const placed = await producePlanned(
      topic,
      6,
      Array.from({ length: RECORDS }, (_, seq) => plannedRecord(seq, 100)),
    );
    const env = {
      KAFKA_TOPIC: topic,
      KAFKA_GROUP_ID: groupId,
      KAFKA_DLQ_TOPIC: `${topic}.dlq`,
      ES_ALERTS_INDEX: alertsIndex,
      ES_COMMANDS_INDEX: commandsIndex,
      RULES_DIR: 'test/fixtures/rules/basic',
      KAFKA_MAX_BYTES_PER_PARTITION: '32768',
    };
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
      () => countDocuments(commandsIndex),
      (n) => n >= RECORDS / 4,
      {
        timeoutMs: 180_000,
        intervalMs: 100,
      },
    );
    await second.stop();

    await waitFor(
      'the whole topic committed',
      () => groupLag(groupId, topic),
      (lag) => lag === 0,
      {
        timeoutMs: 300_000,
        intervalMs: 1000,
      },
    );
    expect(await countDocuments(commandsIndex)).toBe(RECORDS);
    expect(await allIds(alertsIndex)).toEqual(expectedAlertIds(topic, placed));
  });
});
