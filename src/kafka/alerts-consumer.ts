import { Logger } from '@nestjs/common';
import type { Consumer, Kafka } from 'kafkajs';
import { headersToStrings } from './kafka-options';

/** One record of the alerts topic. */
export interface AlertRecord {
  offset: string;
  key: string | undefined;
  value: Buffer | null;
  headers: Record<string, string>;
}

/** A fetched batch of one partition, handed to the notifier. */
export interface AlertBatch {
  topic: string;
  partition: number;
  records: AlertRecord[];
  /** Keeps the group membership alive during a long delivery. */
  heartbeat(): Promise<void>;
  /** False once the consumer stops or the partition may have been revoked. */
  isActive(): boolean;
}

export interface AlertsConsumerOptions {
  topic: string;
  groupId: string;
  /** Called with each batch; its records count as fetched (not committed) once it resolves. */
  handle: (batch: AlertBatch) => Promise<void>;
  /** Called when partitions may have moved: held progress must be forgotten. */
  onRebalance: () => void;
}

/**
 * The notifier's consumer of the alerts topic: kafkajs eachBatch, no automatic
 * commit. The fetch position moves on as each batch is handled (so the next
 * records are fetched), but offsets are committed only through `commit()`,
 * which the notifier calls once every notification up to that offset is
 * delivered, dead-lettered or counted in a delivered digest. kafkajs stays
 * behind this class (nothing outside src/kafka imports it).
 */
export class AlertsConsumer {
  private consumer: Consumer | undefined;
  private stopping = false;
  private readonly logger = new Logger('AlertsConsumer');

  constructor(
    private readonly kafka: Kafka,
    private readonly options: AlertsConsumerOptions,
  ) {}

  async start(): Promise<void> {
    // kafkajs's 30 s session: a back-off wait between delivery attempts (at most 20 s,
    // notify-config.ts) sends no heartbeat, and a longer session would delay the
    // restart after a crash (a new member waits for the dead one's session to end).
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
    });
    this.consumer = consumer;
    for (const event of [consumer.events.REBALANCING, consumer.events.GROUP_JOIN]) {
      consumer.on(event, () => this.options.onRebalance());
    }
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.logger.error(
        `alerts consumer crashed (restart: ${String(payload.restart)}): ${payload.error.message}`,
      );
      this.options.onRebalance();
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [this.options.topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async (payload) => {
        const { batch } = payload;
        await this.options.handle({
          topic: batch.topic,
          partition: batch.partition,
          records: batch.messages.map((m) => ({
            offset: m.offset,
            key: m.key?.toString(),
            value: m.value,
            headers: headersToStrings(m.headers),
          })),
          heartbeat: () => payload.heartbeat(),
          isActive: () => !this.stopping && payload.isRunning() && !payload.isStale(),
        });
        const last = batch.messages[batch.messages.length - 1];
        if (last !== undefined && !this.stopping) payload.resolveOffset(last.offset);
      },
    });
  }

  /** Commits `offset` (the next offset to read) of a partition. */
  async commit(topic: string, partition: number, offset: string): Promise<void> {
    await this.consumer?.commitOffsets([{ topic, partition, offset }]);
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.consumer?.disconnect();
  }
}
