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
import {
  DEFAULT_SESSION_TIMEOUT_MS,
  heartbeatIntervalMs,
  whileHeartbeating,
} from './group-session';
import { errorMessage } from '../core/errors';

export interface KafkaBatchServerOptions {
  topic: string;
  groupId: string;
  partitionsConsumedConcurrently: number;
  maxBytesPerPartition: number;
  retryMaxDelayMs: number;
  /**
   * The group session (KAFKA_SESSION_TIMEOUT_MS; default 10 s): how long the group waits
   * for a silent member. Heartbeats go every tenth of it, also while a batch is handled.
   */
  sessionTimeoutMs?: number;
  /** How often an assigned partition with no batch in progress gets an empty batch (default 1000 ms). */
  idleTickMs?: number;
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
 * deterministic document ids make that harmless. The handler may name a lower
 * `commitOffset` (records it still holds, see `BatchAck`).
 *
 * Idle ticks: kafkajs calls `eachBatch` only when records arrive, but the
 * handler may hold records (an auditd event waiting for its other parts) whose
 * time-out passes while the partition is quiet. Every `idleTickMs`, each
 * assigned partition with no batch in progress gets an empty batch, and its
 * `commitOffset` is committed. Batches and ticks of one partition run one at a
 * time; a tick is abandoned (`isActive` false) as soon as a rebalance starts.
 */
export class KafkaBatchServer extends Server implements CustomTransportStrategy {
  private consumer: Consumer | undefined;
  private stopping = false;
  /** Why the consumer is not running, when that reason names no cause; else undefined. */
  private causeless: string | undefined = 'Kafka consumer not connected yet';
  /** Partitions of the current generation (`topic:partition`), empty during a rebalance. */
  private assigned = new Map<string, { topic: string; partition: number }>();
  private generation = 0;
  /** The batch or tick in progress per partition: they run one after the other. */
  private readonly inProgress = new Map<string, Promise<unknown>>();
  private idleTimer: NodeJS.Timeout | undefined;
  /** The offset this process last committed per partition (where a rewind goes back to). */
  private readonly committed = new Map<string, string>();
  /**
   * The consumer's heartbeat, from the last batch's payload (kafkajs gives it nowhere
   * else; it does not depend on the batch). A tick retrying a write keeps the group
   * membership with it, as a batch does, while that partition's next batch waits.
   */
  private groupHeartbeat: (() => Promise<void>) | undefined;
  /** The offsets (first, last) of each partition's batch being handled, until it is committed. */
  private readonly uncommitted = new Map<string, { first: string; last: string }>();
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
      this.logger.error(`consumer stopped: ${errorMessage(error)}`),
    );
    callback();
  }

  async close(): Promise<void> {
    this.stopping = true;
    clearInterval(this.idleTimer);
    await this.consumer?.disconnect();
    await this.connection.deadLetters.disconnect().catch(() => undefined);
    await this.connection.alerts?.disconnect().catch(() => undefined);
  }

  /**
   * The batches handled but not committed yet, as `topic[partition] offsets first-last`:
   * what a shutdown that gives up now leaves to be redelivered (main.ts says so).
   */
  uncommittedBatches(): string[] {
    return [...this.uncommitted].map(([key, { first, last }]) => {
      const at = key.lastIndexOf(':');
      return `${key.slice(0, at)}[${key.slice(at + 1)}] offsets ${first}-${last}`;
    });
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
    this.groupHeartbeat = undefined;
    const { kafka, deadLetters } = this.connection;
    await this.consumer?.disconnect().catch(() => undefined);
    const consumer = kafka.consumer({
      groupId: this.options.groupId,
      maxBytesPerPartition: this.options.maxBytesPerPartition,
      allowAutoTopicCreation: false,
      retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 30_000 },
      // After a broker restart the coordinator reloads the group with the member this
      // process had, while kafkajs rejoins (after its crash) as a new member: the join
      // waits for the old member's session to expire. At kafkajs's 30 s the first alert
      // came 31.9 s after the broker returned (kafka-rejoin.e2e); the cost of a shorter
      // session is a member evicted by a stall longer than it, see docs/operations.md.
      sessionTimeout: this.sessionTimeoutMs,
      heartbeatInterval: this.heartbeatIntervalMs,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const assigned = Object.entries(payload.memberAssignment)
        .map(([topic, partitions]) => `${topic}[${partitions.join(',')}]`)
        .join(' ');
      this.logger.log(`joined group ${payload.groupId}; assigned ${assigned || 'nothing'}`);
      this.connection.forgetLastError();
      this.causeless = undefined;
      this.generation += 1;
      this.committed.clear();
      this.assigned = new Map(
        Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) =>
          partitions.map((partition) => [`${topic}:${partition}`, { topic, partition }] as const),
        ),
      );
      this.state.consumerStateChanged({ running: true });
    });
    for (const event of [consumer.events.REBALANCING, consumer.events.STOP]) {
      consumer.on(event, () => this.forgetAssignment());
    }
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.notRunning(`Kafka consumer crashed: ${errorMessage(payload.error)}`, { hasCause: true });
      this.logger.error(
        `consumer crashed (restart: ${String(payload.restart)}): ${errorMessage(payload.error)}`,
      );
      // kafkajs restarts by itself after a retriable crash; after any other, we do.
      this.forgetAssignment();
      if (!payload.restart && !this.stopping) {
        this.start().catch((error: unknown) =>
          this.logger.error(`consumer stopped: ${errorMessage(error)}`),
        );
      }
    });
    consumer.on(consumer.events.DISCONNECT, () => {
      this.forgetAssignment();
      if (!this.stopping) this.notRunning('Kafka consumer disconnected');
    });
    await deadLetters.connect();
    await this.connection.alerts?.connect();
    await consumer.connect();
    await consumer.subscribe({ topics: [this.options.topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
      eachBatch: (payload) =>
        this.oneAtATime(`${payload.batch.topic}:${payload.batch.partition}`, () =>
          this.handleBatch(consumer, payload),
        ),
    });
    clearInterval(this.idleTimer);
    this.idleTimer = setInterval(
      () => this.tickIdlePartitions(consumer),
      this.options.idleTickMs ?? 1000,
    );
    this.idleTimer.unref();
  }

  private forgetAssignment(): void {
    this.generation += 1;
    this.assigned = new Map();
    this.committed.clear();
  }

  /** Runs `work` after whatever the partition is doing (a batch or a tick). */
  private oneAtATime<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.inProgress.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    this.inProgress.set(key, next);
    const clear = (): void => {
      if (this.inProgress.get(key) === next) this.inProgress.delete(key);
    };
    next.then(clear, clear);
    return next;
  }

  /** An empty batch for each assigned partition with nothing in progress. */
  private tickIdlePartitions(consumer: Consumer): void {
    if (this.stopping) return;
    for (const [key, { topic, partition }] of this.assigned) {
      if (this.inProgress.has(key)) continue;
      this.oneAtATime(key, () => this.tick(consumer, topic, partition)).catch((error: unknown) => {
        this.logger.warn(`idle tick of ${key} failed: ${errorMessage(error)}; reading again`);
        this.rewind(consumer, key);
      });
    }
  }

  /**
   * After a failed tick the handler may have let go of records it held without
   * writing them: read the partition again from its last commit (which never passed
   * them), as a restart would; the handler sees the offsets go back and starts over.
   */
  private rewind(consumer: Consumer, key: string): void {
    const assigned = this.assigned.get(key);
    const offset = this.committed.get(key);
    if (assigned === undefined || offset === undefined || this.stopping) return;
    try {
      consumer.seek({ ...assigned, offset });
    } catch (error) {
      this.logger.error(`cannot read ${key} again from ${offset}: ${errorMessage(error)}`);
    }
  }

  private async tick(consumer: Consumer, topic: string, partition: number): Promise<void> {
    const generation = this.generation;
    const isActive = (): boolean =>
      !this.stopping &&
      this.generation === generation &&
      this.assigned.has(`${topic}:${partition}`);
    if (!isActive()) return;
    const ack = await this.dispatch({
      topic,
      partition,
      records: [],
      heartbeat: () => this.groupHeartbeat?.() ?? Promise.resolve(),
      isActive,
    });
    if (!ack.complete || ack.commitOffset === undefined || !isActive()) return;
    await this.commit(consumer, topic, partition, ack.commitOffset);
  }

  private async commit(
    consumer: Consumer,
    topic: string,
    partition: number,
    offset: string,
  ): Promise<void> {
    await consumer.commitOffsets([{ topic, partition, offset }]);
    this.committed.set(`${topic}:${partition}`, offset);
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
    this.groupHeartbeat = () => payload.heartbeat();
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
    // One step that takes longer than the session (a bulk request waiting up to its 30 s
    // time-out on a slow cluster) would otherwise get this member evicted mid-batch.
    const key = `${batch.topic}:${batch.partition}`;
    this.uncommitted.set(key, { first: batch.firstOffset() ?? '?', last: batch.lastOffset() });
    try {
      const ack = await whileHeartbeating(
        () => payload.heartbeat(),
        this.heartbeatIntervalMs,
        () => this.dispatch(sourceBatch),
      );
      if (!ack.complete || !sourceBatch.isActive()) return;
      const last = batch.lastOffset();
      // Resolved: the next fetch continues after the batch, even when the commit stays
      // lower (records the handler holds); a restart or rebalance reads from the commit.
      payload.resolveOffset(last);
      const offset = ack.commitOffset ?? (BigInt(last) + 1n).toString();
      await this.commit(consumer, batch.topic, batch.partition, offset);
    } finally {
      this.uncommitted.delete(key);
    }
    await payload.heartbeat();
  }

  private get sessionTimeoutMs(): number {
    return this.options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
  }

  private get heartbeatIntervalMs(): number {
    return heartbeatIntervalMs(this.sessionTimeoutMs);
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
  return errorMessage(error);
}
