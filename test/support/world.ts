import type { Client } from '@elastic/elasticsearch';
import type { Kafka } from 'kafkajs';
import { expect } from 'vitest';
import { allIds, countDocuments, testElasticsearch, uniqueIndex } from './elasticsearch';
import { groupLag, testKafka, uniqueName } from './kafka';
import { expectedAlertIds } from './records';
import type { Placed } from './records';
import { waitFor } from './wait-for';

/** One test's own topic, consumer group and indices, and the service environment that uses them. */
export interface TestWorld {
  topic: string;
  groupId: string;
  alertsIndex: string;
  commandsIndex: string;
  /** Environment for ServiceProcess: this world plus the fixed e2e rules, plus `extra`. */
  env(extra?: Record<string, string>): Record<string, string>;
}

export function testWorld(prefix: string): TestWorld {
  const topic = uniqueName(`e2e-${prefix}`);
  const groupId = uniqueName(`e2e-${prefix}-group`);
  const alertsIndex = uniqueIndex(`e2e-${prefix}-alerts`);
  const commandsIndex = uniqueIndex(`e2e-${prefix}-commands`);
  return {
    topic,
    groupId,
    alertsIndex,
    commandsIndex,
    env: (extra = {}) => ({
      KAFKA_TOPIC: topic,
      KAFKA_GROUP_ID: groupId,
      KAFKA_DLQ_TOPIC: `${topic}.dlq`,
      KAFKA_ALERTS_TOPIC: `${topic}.alerts`,
      ES_ALERTS_INDEX: alertsIndex,
      ES_COMMANDS_INDEX: commandsIndex,
      RULES_DIR: 'test/fixtures/rules/basic',
      ...extra,
    }),
  };
}

/**
 * The delivery promise, checked as a user would: the group has committed the
 * whole topic, the commands index holds exactly one document per record, and
 * the alerts index exactly the alert ids the records must produce.
 */
export async function expectExactDelivery(
  world: TestWorld,
  placed: Placed[],
  {
    kafka = testKafka,
    elasticsearch = testElasticsearch,
  }: { kafka?: Kafka; elasticsearch?: Client } = {},
): Promise<void> {
  await waitFor(
    'the whole topic committed',
    () => groupLag(world.groupId, world.topic, kafka),
    (lag) => lag === 0,
    {
      timeoutMs: 600_000,
      intervalMs: 1000,
    },
  );
  expect(await countDocuments(world.commandsIndex, elasticsearch)).toBe(placed.length);
  expect(await allIds(world.alertsIndex, elasticsearch)).toEqual(
    expectedAlertIds(world.topic, placed),
  );
}

/**
 * Environment of a replica with RULES_STORE=kafka on the input topic `input` (created
 * by the test) and the rule topic `rulesTopic`: a group and an alerts index of its own
 * (each call a new group), no commands index and no alerts topic, plus `extra` (e.g.
 * API_KEY, RULES_TOPIC_TIMEOUT_MS, KAFKA_BROKERS).
 */
export function ruleTopicReplicaEnv(
  prefix: string,
  input: string,
  rulesTopic: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    KAFKA_TOPIC: input,
    KAFKA_GROUP_ID: uniqueName(`${prefix}-group`),
    KAFKA_DLQ_TOPIC: `${input}.dlq`,
    KAFKA_ALERTS_TOPIC: '',
    ES_ALERTS_INDEX: uniqueIndex(`${prefix}-alerts`),
    ES_COMMANDS_INDEX: '',
    RULES_STORE: 'kafka',
    RULES_TOPIC: rulesTopic,
    ...extra,
  };
}
