import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import type { Admin, Consumer, Producer } from 'kafkajs';
import type { KafkaSecurityOptions } from './kafka-security';
import type { TopicRecord } from '../core/rule-log';
import { CHANGE_HEADER } from '../core/rule-log';
import { describeKafkaError } from './kafka-errors';
import { headersToStrings } from './kafka-options';
import { planCompactionLag } from './rule-topic-compaction';

/** One record to produce to the rule topic; `value` null is a tombstone. */
export interface RuleTopicMessage {
  key: string;
  value: string | null;
  /** The change's metadata for a tombstone (the {@link CHANGE_HEADER} header). */
  header?: string;
}

/** How long a record of the rule topic stays out of compaction (min.compaction.lag.ms): one day. */
export const RULE_TOPIC_MIN_COMPACTION_LAG_MS = 86_400_000;

/**
 * Session of the rule topic's consumer: how long the group waits for a member that
 * went away (the broker's group.min.session.timeout.ms is 6 s by default).
 */
export const RULE_CONSUMER_SESSION_TIMEOUT_MS = 10_000;

/** Thrown when the rule topic exists with more than one partition: the log would have no total order. */
export class RuleTopicLayoutError extends Error {}

/** What {@link RuleTopic.ensureCompactionLag} found and did. */
export type CompactionLagOutcome =
  | { result: 'ok' }
  /** The setting was below a day (`was`) and is now set. */
  | { result: 'set'; was: string }
  /** Below a day (or unknown) and not set: `reason` says why (no right, hidden settings, …). */
  | { result: 'not-set'; was: string; reason: string };

/**
 * The rule topic (RULES_TOPIC), seen from one process: created when missing
 * (compacted, ONE partition: the log is the one order of every change), written
 * with an idempotent producer (acks=all, no duplicates on retry), read from its
 * start by a consumer of a group of its own (kafkajs cannot read without a group;
 * nothing is committed, each replica reads everything).
 */
export class RuleTopic {
  private producer: Producer | undefined;
  private admin: Admin | undefined;
  private consumer: Consumer | undefined;
  private readonly groupId = `shellwatch-rules-${hostname()}-${randomUUID().slice(0, 8)}`;

  constructor(
    private readonly kafka: Kafka,
    readonly topic: string,
  ) {}

  /** Creates the topic when missing; refuses one with more than one partition. Idempotent. */
  async ensureTopic(): Promise<void> {
    const admin = await this.connectedAdmin();
    const existing = await admin.listTopics();
    if (!existing.includes(this.topic)) {
      await admin
        .createTopics({
          waitForLeaders: true,
          topics: [
            {
              topic: this.topic,
              numPartitions: 1,
              // The broker's default.replication.factor; docs/operations.md says what to choose.
              replicationFactor: -1,
              configEntries: [
                { name: 'cleanup.policy', value: 'compact' },
                // A rejected record whose writer died before restating it must outlive the
                // replicas' grace (RULES_TOPIC_TIMEOUT_MS) uncompacted, so that one of them
                // restates it (Restater); a day also covers every replica being down a while.
                { name: 'min.compaction.lag.ms', value: String(RULE_TOPIC_MIN_COMPACTION_LAG_MS) },
              ],
            },
          ],
        })
        // Created by another replica in between: fine.
        .catch((error: unknown) => {
          if ((error as { type?: unknown }).type !== 'TOPIC_ALREADY_EXISTS') throw error;
        });
    }
    const metadata = await admin.fetchTopicMetadata({ topics: [this.topic] });
    const partitions = metadata.topics[0]?.partitions.length ?? 0;
    if (partitions !== 1) {
      throw new RuleTopicLayoutError(
        `the rule topic ${this.topic} has ${partitions} partitions; it must have exactly one (the log is the one order of every change): recreate it with one partition`,
      );
    }
  }

  /**
   * Makes sure the topic keeps records out of compaction for a day (a topic created
   * before the service set min.compaction.lag.ms lacks it): describes the topic's
   * configuration and, when the lag is lower, sets it. Needs DescribeConfigs and
   * AlterConfigs on the topic; without them (or when the topic holds a setting the
   * broker hides) it changes nothing and says why. Never throws.
   */
  async ensureCompactionLag(): Promise<CompactionLagOutcome> {
    let plan;
    try {
      const admin = await this.connectedAdmin();
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: this.topic }],
      });
      plan = planCompactionLag(
        described.resources[0]?.configEntries ?? [],
        RULE_TOPIC_MIN_COMPACTION_LAG_MS,
      );
    } catch (error) {
      return {
        result: 'not-set',
        was: 'unknown',
        reason: `describing its configuration failed: ${describeKafkaError(error)}`,
      };
    }
    if (plan.action === 'none') return { result: 'ok' };
    if (plan.action === 'warn')
      return { result: 'not-set', was: plan.current, reason: plan.reason };
    try {
      const admin = await this.connectedAdmin();
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          { type: ConfigResourceTypes.TOPIC, name: this.topic, configEntries: plan.entries },
        ],
      });
      return { result: 'set', was: plan.current };
    } catch (error) {
      return {
        result: 'not-set',
        was: plan.current,
        reason: `setting it failed: ${describeKafkaError(error)}`,
      };
    }
  }

  /** The offset the next record will get (the partition's high watermark). */
  async endOffset(): Promise<bigint> {
    const admin = await this.connectedAdmin();
    const offsets = await admin.fetchTopicOffsets(this.topic);
    return BigInt(offsets.find((o) => o.partition === 0)?.high ?? '0');
  }

  /** Appends the records, in order, acknowledged by every in-sync replica. */
  async produce(messages: RuleTopicMessage[]): Promise<void> {
    if (this.producer === undefined) {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
      });
      await producer.connect();
      this.producer = producer;
    }
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: messages.map((m) => ({
        key: m.key,
        value: m.value,
        partition: 0,
        ...(m.header === undefined ? {} : { headers: { [CHANGE_HEADER]: m.header } }),
      })),
    });
  }

  /**
   * Reads the topic from its start and keeps following it: `onBatch` gets the
   * records of each fetch in order, one call at a time. Resolves once the consumer
   * runs; a failing `onBatch` is retried by kafkajs from the same records (the
   * owner skips what it already applied). `onTrouble` hears of a crash of the
   * consumer, and `undefined` once it has joined its group again.
   */
  async follow(
    onBatch: (records: TopicRecord[]) => Promise<void>,
    onTrouble: (problem: string | undefined) => void = () => undefined,
  ): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: this.groupId,
      allowAutoTopicCreation: false,
      // Changes are small and rare: wait at most this long for one before the next fetch.
      maxWaitTimeInMs: 1000,
      retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 10_000 },
      // After a broker restart the coordinator reloads this group with the member it
      // had, while kafkajs rejoins (after its crash) as a new member: the join waits
      // for the old member's session to expire. At kafkajs's 30 s, rule changes were
      // refused for ~30 s after Kafka returned (rules-kafka-outage.e2e); the group has
      // this one member and commits nothing, so a short session costs nothing.
      sessionTimeout: RULE_CONSUMER_SESSION_TIMEOUT_MS,
      heartbeatInterval: 1_000,
    });
    this.consumer = consumer;
    // A crash stops the following (kafkajs restarts it when the error is retriable): say so until it rejoins.
    consumer.on(consumer.events.CRASH, ({ payload }) =>
      onTrouble(
        `the rule topic's consumer crashed${payload.restart ? ' and restarts' : ' and stopped'}: ${payload.error.message}`,
      ),
    );
    consumer.on(consumer.events.GROUP_JOIN, () => onTrouble(undefined));
    await consumer.connect();
    await consumer.subscribe({ topics: [this.topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        await onBatch(
          batch.messages.map((message) => ({
            offset: message.offset,
            key: message.key?.toString('utf8') ?? null,
            value: message.value === null ? null : message.value.toString('utf8'),
            header: headersToStrings(message.headers)[CHANGE_HEADER],
          })),
        );
      },
    });
  }

  async close(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
    await this.producer?.disconnect().catch(() => undefined);
    if (this.consumer !== undefined)
      await this.admin?.deleteGroups([this.groupId]).catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
    this.consumer = undefined;
    this.producer = undefined;
    this.admin = undefined;
  }

  private async connectedAdmin(): Promise<Admin> {
    if (this.admin === undefined) {
      const admin = this.kafka.admin();
      await admin.connect();
      this.admin = admin;
    }
    return this.admin;
  }
}

/**
 * A Kafka client for a short command (`shellwatch rules push|pull`): quiet (the
 * command reports errors itself) and quick to give up on unreachable brokers.
 */
export function commandKafkaClient(brokers: string[], security: KafkaSecurityOptions): Kafka {
  return new Kafka({
    brokers,
    clientId: 'shellwatch-cli',
    ...security,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    retry: { retries: 3, initialRetryTime: 300, maxRetryTime: 3000 },
  });
}
