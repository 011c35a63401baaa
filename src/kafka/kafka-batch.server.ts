import { Logger } from '@nestjs/common';
import { Server } from '@nestjs/microservices';
import type { CustomTransportStrategy } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import type { Observable } from 'rxjs';
import type { Consumer, EachBatchPayload } from 'kafkajs';
import { backOff } from 'exponential-backoff';
import type { BatchAck, SourceBatch } from './source-batch';
import { COMMAND_BATCH_PATTERN } from './source-batch';
import { headersToStrings } from './kafka-options';
import type { KafkaConnection } from './kafka-connection';

export interface KafkaBatchServerOptions {
  topic: string;
  groupId: string;
  partitionsConsumedConcurrently: number;
  maxBytesPerPartition: number;
  retryMaxDelayMs: number;
}

/** Reports the consumer's state to whoever needs it (readiness, metrics). */
export interface ConsumerStateListener {
  consumerStateChanged(state: { running: boolean; reason?: string }): void;
}

/**
 * A NestJS transport strategy that consumes with kafkajs `eachBatch` rather than
 * the built-in server's one-message-at-a-time `eachMessage`: a whole batch is
 * evaluated at once and written in one bulk request. The group id is used as
 * given (the built-in server appends `-server`).
 *
 * Offsets are committed by hand, and only after the handler acknowledged the
 * batch as complete; the committed offset is the next one to read (last + 1,
 * kafkajs#540). A batch of a partition that was revoked meanwhile is not
 * committed (kafkajs#1046): its records are redelivered to the new owner, and
 * deterministic document ids make that harmless.
 */
export class KafkaBatchServer extends Server implements CustomTransportStrategy {
  private consumer: Consumer | undefined;
  private stopping = false;
  /** Why the consumer is not running, when that reason names no cause; else undefined. */
  private causeless: string | undefined = 'Kafka consumer not connected yet';
  protected override readonly logger = new Logger('KafkaConsumer');

  constructor(
    private readonly connection: KafkaConnection,
    private readonly options: KafkaBatchServerOptions,
    private readonly state: ConsumerStateListener,
  ) {
    super();
    // While the consumer is down, each new client error (a broker still refusing
    // connections) keeps readiness's reason current.
    connection.onError(() => {
      if (this.causeless !== undefined && !this.stopping) this.notRunning(this.causeless);
    });
  }

  listen(callback: (error?: unknown) => void): void {
    // Nest's start-up must not wait for Kafka: the HTTP API and health answer
    // while the consumer keeps trying to reach the brokers.
    this.start().catch((error: unknown) =>
      this.logger.error(`consumer stopped: ${describe(error)}`),
    );
    callback();
  }

  async close(): Promise<void> {
    this.stopping = true;
    await this.consumer?.disconnect();
    await this.connection.deadLetters.disconnect().catch(() => undefined);
  }

  on(): void {
    // No transport-level events to subscribe to from handlers.
  }

  unwrap<T>(): T {
    if (!this.consumer) throw new Error('the Kafka consumer is not started');
    return this.consumer as T;
  }

  private async start(): Promise<void> {
    await backOff(() => this.connectAndRun(), {
      numOfAttempts: Number.MAX_SAFE_INTEGER,
      startingDelay: 1000,
      maxDelay: 30_000,
      jitter: 'full',
      retry: (error: unknown, attempt: number) => {
        if (this.stopping) return false;
        const why = explain(error, this.options.topic);
        this.notRunning(`Kafka: ${why}`, { hasCause: true });
        this.logger.warn(`cannot start consuming (attempt ${attempt}): ${why}; retrying`);
        return true;
      },
    });
  }

  private async connectAndRun(): Promise<void> {
    const { kafka, deadLetters } = this.connection;
    await this.consumer?.disconnect().catch(() => undefined);
    const consumer = kafka.consumer({
      groupId: this.options.groupId,
      maxBytesPerPartition: this.options.maxBytesPerPartition,
      allowAutoTopicCreation: false,
      retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 30_000 },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const assigned = Object.entries(payload.memberAssignment)
        .map(([topic, partitions]) => `${topic}[${partitions.join(',')}]`)
        .join(' ');
      this.logger.log(`joined group ${payload.groupId}; assigned ${assigned || 'nothing'}`);
      this.connection.forgetLastError();
      this.causeless = undefined;
      this.state.consumerStateChanged({ running: true });
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.notRunning(`Kafka consumer crashed: ${describe(payload.error)}`, { hasCause: true });
      this.logger.error(
        `consumer crashed (restart: ${String(payload.restart)}): ${describe(payload.error)}`,
      );
      // kafkajs restarts by itself after a retriable crash; after any other, we do.
      if (!payload.restart && !this.stopping) {
        this.start().catch((error: unknown) =>
          this.logger.error(`consumer stopped: ${describe(error)}`),
        );
      }
    });
    consumer.on(consumer.events.DISCONNECT, () => {
      if (!this.stopping) this.notRunning('Kafka consumer disconnected');
    });
    await deadLetters.connect();
    await consumer.connect();
    await consumer.subscribe({ topics: [this.options.topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
      eachBatch: (payload) => this.handleBatch(consumer, payload),
    });
  }

  /**
   * Tells readiness that the consumer does not run, and why. A reason that names
   * no cause ("Kafka consumer disconnected") gets the last error the Kafka client
   * logged, and is refreshed with each new one while the consumer stays down: that
   * is what says the broker refuses connections.
   */
  private notRunning(reason: string, { hasCause = false } = {}): void {
    this.causeless = hasCause ? undefined : reason;
    const cause = hasCause ? undefined : this.connection.lastError;
    this.state.consumerStateChanged({
      running: false,
      reason: cause === undefined ? reason : `${reason}; last error: ${cause}`,
    });
  }

  private async handleBatch(consumer: Consumer, payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (batch.messages.length === 0) return;
    const sourceBatch: SourceBatch = {
      topic: batch.topic,
      partition: batch.partition,
      records: batch.messages.map((message) => ({
        offset: message.offset,
        value: message.value,
        headers: headersToStrings(message.headers),
        topic: batch.topic,
        timestampMs: Number(message.timestamp),
      })),
      lag: Number(batch.offsetLag()),
      heartbeat: () => payload.heartbeat(),
      isActive: () => !this.stopping && payload.isRunning() && !payload.isStale(),
    };
    const ack = await this.dispatch(sourceBatch);
    if (!ack.complete || !sourceBatch.isActive()) return;
    const last = batch.lastOffset();
    payload.resolveOffset(last);
    await consumer.commitOffsets([
      { topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() },
    ]);
    await payload.heartbeat();
  }

  private async dispatch(batch: SourceBatch): Promise<BatchAck> {
    const handler = this.getHandlerByPattern(COMMAND_BATCH_PATTERN);
    if (!handler) throw new Error(`no handler registered for ${COMMAND_BATCH_PATTERN}`);
    // Nest wraps the handler: it returns the handler's value, a promise or an observable.
    const returned = (await handler(batch)) as Observable<BatchAck> | Promise<BatchAck>;
    return lastValueFrom(this.transformToObservable<BatchAck>(returned));
  }
}

/** The start-up failure in an operator's words, with the fix when it is a known one. */
function explain(error: unknown, topic: string): string {
  const type = (error as { type?: unknown } | null)?.type;
  if (type === 'UNKNOWN_TOPIC_OR_PARTITION') {
    return `topic ${topic} does not exist (yet): create it, or set KAFKA_TOPIC to the shippers' topic`;
  }
  return describe(error);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
