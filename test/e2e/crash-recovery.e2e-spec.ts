import { afterAll, describe, expect, it } from 'vitest';
import { allIds, countDocuments, uniqueIndex } from '../support/elasticsearch';
import { createTopic, groupLag, uniqueName } from '../support/kafka';
import { expectedAlertIds, plannedRecord, producePlanned } from '../support/records';
import { ServiceProcess } from '../support/service';
import { waitFor } from '../support/wait-for';

/**
 * At-least-once delivery plus deterministic ids = exactly one document: the
 * service is killed with SIGKILL twice while it consumes, restarted each time,
 * and at the end every expected alert is there exactly once.
 */
const RECORDS = 100_000;
const PARTITIONS = 6;

describe('crash recovery', () => {
  const topic = uniqueName('e2e-crash');
  const groupId = uniqueName('e2e-crash-group');
  const alertsIndex = uniqueIndex('e2e-crash-alerts');
  const commandsIndex = uniqueIndex('e2e-crash-commands');
  const env = {
    KAFKA_TOPIC: topic,
    KAFKA_GROUP_ID: groupId,
    KAFKA_DLQ_TOPIC: `${topic}.dlq`,
    ES_ALERTS_INDEX: alertsIndex,
    ES_COMMANDS_INDEX: commandsIndex,
    RULES_DIR: 'test/fixtures/rules/basic',
    // Small fetches make many batches, so the kills land between commits.
    KAFKA_MAX_BYTES_PER_PARTITION: '65536',
  };
  let service: ServiceProcess | undefined;

  afterAll(async () => {
    await service?.stop();
  });

  it('loses nothing and duplicates nothing across two SIGKILLs', async () => {
    await createTopic(topic, PARTITIONS);
    const planned = Array.from({ length: RECORDS }, (_, seq) => plannedRecord(seq, 100));
    const placed = await producePlanned(topic, PARTITIONS, planned);
    const expectedIds = expectedAlertIds(topic, placed);
    expect(expectedIds.length).toBe(RECORDS / 100);

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
        () => countDocuments(commandsIndex),
        (n) => n >= threshold,
        {
          timeoutMs: 300_000,
          intervalMs: 100,
        },
      );
      await service.kill();
    }
    service = new ServiceProcess(env).start();
    await service.waitReady();
    await waitFor(
      'the group to commit the whole topic',
      () => groupLag(groupId, topic),
      (lag) => lag === 0,
      {
        timeoutMs: 600_000,
        intervalMs: 1000,
      },
    );

    expect(await countDocuments(commandsIndex)).toBe(RECORDS);
    const alertIds = await allIds(alertsIndex);
    expect(alertIds.length).toBe(expectedIds.length);
    expect(alertIds).toEqual(expectedIds);
  });
});
