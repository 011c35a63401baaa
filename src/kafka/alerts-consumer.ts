import { Logger } from '@nestjs/common';
import type { Consumer, Kafka } from 'kafkajs';
import { headersToStrings } from './kafka-options';
import { heartbeatIntervalMs, whileHeartbeating } from './group-session';

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
  /**
   * The group session (KAFKA_SESSION_TIMEOUT_MS, as the main consumer's): how long the
   * group waits for a silent member. Heartbeats go every tenth of it, also while a
   * batch is handled.
   */
  sessionTimeoutMs: number;
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
    // The main consumer's session (kafka-batch.server.ts): after a broker restart the
    // restarted consumer joins as a new member that waits for the old one's session
    // to expire, so kafkajs's 30 s held notifications up ~30 s (notifier-rejoin.e2e).
    // A shorter session needs heartbeats while a batch is handled (below).
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      sessionTimeout: this.options.sessionTimeoutMs,
      heartbeatInterval: this.heartbeatIntervalMs,
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
        // A webhook answering slowly (an output's timeoutMs goes up to 300 s), retries
        // and their back-off waits: none may silence the member for a whole session.
        await whileHeartbeating(
          () => payload.heartbeat(),
          this.heartbeatIntervalMs,
          () =>
            this.options.handle({
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
            }),
        );
        const last = batch.messages[batch.messages.length - 1];
        if (last !== undefined && !this.stopping) payload.resolveOffset(last.offset);
      },
    });
  }

  private get heartbeatIntervalMs(): number {
    return heartbeatIntervalMs(this.options.sessionTimeoutMs);
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
