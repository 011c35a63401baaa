import { randomUUID } from 'node:crypto';
import { Partitioners } from 'kafkajs';
import type { Kafka, Producer } from 'kafkajs';
import { chunkByBytes } from './chunk-by-bytes';

/** One changelog record: a key and its latest value (null: a tombstone, the key is gone). */
export interface ChangelogRecord {
  key: string;
  value: string | null;
}

/** What the correlation provider needs from the changelog (a fake in unit tests). */
export interface StateChangelogPort {
  /** Creates the compacted topic when missing. Idempotent. */
  ensureTopic(): Promise<void>;
  /** Writes the records in one send (acks=all) to the changelog partition of `partition`. */
  write(partition: number, records: ChangelogRecord[]): Promise<void>;
  /** Reads the changelog partition of `partition` to its end: latest value per key starting with `prefix`. */
  read(partition: number, prefix: string): Promise<Map<string, string>>;
}

export interface StateChangelogOptions {
  topic: string;
  /** Partitions of the input topic: the changelog gets as many (state of p lives in changelog partition p). */
  sourceTopic: string;
  readTimeoutMs?: number;
}

/**
 * The correlation state changelog: a compacted topic `<KAFKA_TOPIC>.shellwatch-state`,
 * one record per state key (latest value wins, tombstones remove), written with
 * acks=all in one send per batch. Reading one partition uses a short-lived consumer
 * with a unique group id (kafkajs cannot read a chosen partition without a group);
 * the group is deleted afterwards.
 */
export class StateChangelog implements StateChangelogPort {
  private readonly producer: Producer;
  private ready: Promise<void> | undefined;
  private partitions = 1;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: StateChangelogOptions,
  ) {
    this.producer = kafka.producer({
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  ensureTopic(): Promise<void> {
    this.ready ??= this.prepare().catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  async write(partition: number, records: ChangelogRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.ensureTopic();
    // The broker limits the size of a produce request's record batch
    // (message.max.bytes, 1 MiB by default), not just of one record: a batch that
    // changed many keys is sent in several requests, in order, the marker last.
    for (const chunk of chunkBySize(records, MAX_SEND_BYTES)) {
      await this.producer.send({
        topic: this.options.topic,
        acks: -1,
        messages: chunk.map((r) => ({
          key: r.key,
          value: r.value,
          partition: partition % this.partitions,
        })),
      });
    }
  }

  async read(partition: number, prefix: string): Promise<Map<string, string>> {
    await this.ensureTopic();
    const target = partition % this.partitions;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(this.options.topic);
      const bounds = offsets.find((o) => o.partition === target);
      const high = BigInt(bounds?.high ?? '0');
      const low = BigInt(bounds?.low ?? '0');
      const latest = new Map<string, string>();
      if (high <= low) return latest;
      const groupId = `shellwatch-state-restore-${randomUUID()}`;
      const consumer = this.kafka.consumer({ groupId, allowAutoTopicCreation: false });
      try {
        await consumer.connect();
        await consumer.subscribe({ topics: [this.options.topic], fromBeginning: true });
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () =>
              reject(
                new Error(
                  `reading ${this.options.topic}[${target}] did not reach offset ${high} in time`,
                ),
              ),
            this.options.readTimeoutMs ?? 60_000,
          );
          consumer
            .run({
              autoCommit: false,
              eachBatch: async ({ batch }) => {
                if (batch.partition !== target) return;
                for (const message of batch.messages) {
                  const key = message.key?.toString('utf8');
                  if (key === undefined || !key.startsWith(prefix)) continue;
                  if (message.value === null) latest.delete(key);
                  else latest.set(key, message.value.toString('utf8'));
                }
                if (BigInt(batch.lastOffset()) >= high - 1n) {
                  clearTimeout(timer);
                  resolve();
                }
                await Promise.resolve();
              },
            })
            .catch((error: unknown) => {
              clearTimeout(timer);
              reject(error instanceof Error ? error : new Error(String(error)));
            });
        });
      } finally {
        await consumer.disconnect().catch(() => undefined);
        await admin.deleteGroups([groupId]).catch(() => undefined);
      }
      return latest;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect().catch(() => undefined);
  }

  private async prepare(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [this.options.sourceTopic] });
      const sourcePartitions = metadata.topics[0]?.partitions.length ?? 1;
      const existing = await admin.listTopics();
      if (!existing.includes(this.options.topic)) {
        await admin.createTopics({
          waitForLeaders: true,
          topics: [
            {
              topic: this.options.topic,
              numPartitions: Math.max(1, sourcePartitions),
              configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
            },
          ],
        });
      }
      const own = await admin.fetchTopicMetadata({ topics: [this.options.topic] });
      this.partitions = Math.max(1, own.topics[0]?.partitions.length ?? 1);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    await this.producer.connect();
  }
}

/** Well under the broker's default message.max.bytes (1 MiB), headers and overhead included. */
const MAX_SEND_BYTES = 512 * 1024;

/** Consecutive chunks of at most `limit` bytes of keys and values (a larger single record goes alone). */
export function chunkBySize(records: ChangelogRecord[], limit: number): ChangelogRecord[][] {
  return chunkByBytes(
    records,
    limit,
    (record) =>
      Buffer.byteLength(record.key) + (record.value === null ? 0 : Buffer.byteLength(record.value)),
  );
}
