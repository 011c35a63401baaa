import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import type { Admin, KafkaMessage, Message } from 'kafkajs';
import { KAFKA_BROKER } from './stack';

export const testKafka = new Kafka({
  brokers: [KAFKA_BROKER],
  clientId: 'shellwatch-tests',
  logLevel: logLevel.NOTHING,
});

/** A client for another broker (a test's private Kafka). */
export function kafkaAt(broker: string): Kafka {
  return new Kafka({ brokers: [broker], clientId: 'shellwatch-tests', logLevel: logLevel.NOTHING });
}

/** A topic (and group) name no other test uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Runs `work` with a connected admin client of `kafka`, disconnected afterwards. */
export async function withAdmin<T>(
  work: (admin: Admin) => Promise<T>,
  kafka: Kafka = testKafka,
): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

export async function createTopic(
  topic: string,
  numPartitions: number,
  config: Record<string, string> = {},
  kafka: Kafka = testKafka,
): Promise<void> {
  const configEntries = Object.entries(config).map(([name, value]) => ({ name, value }));
  await withAdmin(
    (admin) =>
      admin.createTopics({
        topics: [{ topic, numPartitions, configEntries }],
        waitForLeaders: true,
      }),
    kafka,
  );
}

/** Produces with a real kafkajs producer, acks=all, in chunks. */
export async function produce(topic: string, messages: Message[], chunk = 500): Promise<void> {
  const producer = testKafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += chunk) {
      await producer.send({ topic, acks: -1, messages: messages.slice(i, i + chunk) });
    }
  } finally {
    await producer.disconnect();
  }
}

/** Sum over partitions of (end offset − committed offset) for a group: 0 when all is committed. */
export async function groupLag(
  groupId: string,
  topic: string,
  kafka: Kafka = testKafka,
): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    const committedByPartition = new Map(
      (committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]),
    );
    return ends.reduce((lag, end) => {
      const done = committedByPartition.get(end.partition) ?? -1;
      return lag + Number(end.high) - Math.max(done, 0);
    }, 0);
  } finally {
    await admin.disconnect();
  }
}

/** Reads every message of a topic from the beginning until `count` arrived. */
export async function consumeAll(
  topic: string,
  count: number,
  timeoutMs = 60_000,
): Promise<{ value: Buffer | null; headers: Record<string, string> }[]> {
  const consumer = testKafka.consumer({ groupId: uniqueName('reader') });
  const received: { value: Buffer | null; headers: Record<string, string> }[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `only ${received.length}/${count} messages on ${topic} after ${timeoutMs} ms`,
            ),
          ),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: ({ message }) => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(message.headers ?? {})) {
            if (v !== undefined) headers[k] = (Array.isArray(v) ? v[0] : v)?.toString() ?? '';
          }
          received.push({ value: message.value, headers });
          if (received.length >= count) {
            clearTimeout(timer);
            resolve();
          }
          return Promise.resolve();
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return received;
}

/**
 * Every message of a one-partition topic, from its start to its end offset at the call
 * (a rule topic, say), by a reader group of its own. Empty for an empty topic.
 */
export async function readTopicToEnd(
  topic: string,
  kafka: Kafka = testKafka,
  timeoutMs = 60_000,
): Promise<KafkaMessage[]> {
  const end = await withAdmin(
    async (admin) => Number((await admin.fetchTopicOffsets(topic))[0]?.high ?? '0'),
    kafka,
  );
  const messages: KafkaMessage[] = [];
  if (end === 0) return messages;
  const consumer = kafka.consumer({ groupId: uniqueName('topic-reader') });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${topic} not read to ${end}`)), timeoutMs);
      void consumer.run({
        eachMessage: ({ message }) => {
          messages.push(message);
          if (Number(message.offset) >= end - 1) {
            clearTimeout(timer);
            resolve();
          }
          return Promise.resolve();
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}
