import { afterAll, describe, expect, it } from 'vitest';
import { allIds } from '../support/elasticsearch';
import { consumeAll, createTopic, uniqueName } from '../support/kafka';
import { expectedAlertIds, plannedRecord, producePlanned } from '../support/records';
import { ServiceProcess } from '../support/service';
import { expectExactDelivery, testWorld } from '../support/world';

/**
 * The alerts topic, produced by the real service from command records: every
 * alert Elasticsearch holds is on the topic, keyed by its document id; a batch
 * processed again (here: a second consumer group over the same records, as a
 * crash before the commit would cause) produces the same keys again.
 */
describe('the alerts topic (KAFKA_ALERTS_TOPIC)', () => {
  const world = testWorld('alerts-topic');
  const alertsTopic = `${world.topic}.alerts`;
  const services: ServiceProcess[] = [];

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
  });

  it('carries each written alert keyed by its id, and the same key again on redelivery', async () => {
    await createTopic(world.topic, 2);
    await createTopic(alertsTopic, 3);
    const records = Array.from({ length: 1000 }, (_, seq) => plannedRecord(seq, 10));
    const placed = await producePlanned(world.topic, 2, records);
    const expected = expectedAlertIds(world.topic, placed);
    expect(expected).toHaveLength(100);

    const first = new ServiceProcess(world.env({ KAFKA_ALERTS_TOPIC: alertsTopic })).start();
    services.push(first);
    await first.waitReady();
    await expectExactDelivery(world, placed);
    const once = await consumeAll(alertsTopic, expected.length);
    const idsOnce = once.map((m) => m.headers['shellwatch.alert.id'] ?? '');
    expect([...idsOnce].sort()).toEqual(expected);
    for (const { value, headers } of once) {
      const body = JSON.parse(value?.toString() ?? '{}') as { rule?: { id?: string } };
      expect(headers['shellwatch.alert.id']?.endsWith(`:${body.rule?.id ?? '?'}`)).toBe(true);
    }
    await first.stop();

    // The same records consumed again (a new group stands for a crash before the commit):
    // Elasticsearch answers "already written", and the topic gets the same keys again.
    const again = new ServiceProcess(
      world.env({ KAFKA_ALERTS_TOPIC: alertsTopic, KAFKA_GROUP_ID: uniqueName('e2e-again') }),
    ).start();
    services.push(again);
    await again.waitReady();
    const twice = await consumeAll(alertsTopic, 2 * expected.length);
    const idsTwice = twice.map((m) => m.headers['shellwatch.alert.id'] ?? '');
    expect(idsTwice).toHaveLength(2 * expected.length);
    expect([...new Set(idsTwice)].sort()).toEqual(expected);
    expect(await allIds(world.alertsIndex)).toEqual(expected);
  });
});
