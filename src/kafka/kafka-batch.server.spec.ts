import { describe, expect, it, vi } from 'vitest';
import type { KafkaConnection } from './kafka-connection';
import { KafkaBatchServer } from './kafka-batch.server';
import { COMMAND_BATCH_PATTERN } from './source-batch';
import type { SourceBatch } from './source-batch';

/** The consumer events KafkaBatchServer listens to, fired by the test. */
function fakeConsumer() {
  const listeners = new Map<string, (event: { payload: unknown }) => void>();
  return {
    listeners,
    events: { GROUP_JOIN: 'group_join', CRASH: 'crash', DISCONNECT: 'disconnect' },
    on: (name: string, listener: (event: { payload: unknown }) => void) => {
      listeners.set(name, listener);
    },
    connect: () => Promise.resolve(),
    subscribe: () => Promise.resolve(),
    run: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
    fire: (name: string, payload: unknown = {}) => listeners.get(name)?.({ payload }),
  };
}

/** KafkaConnection's surface the server uses: the client, the DLQ producer, the client's errors. */
function fakeConnection(consumer: ReturnType<typeof fakeConsumer>) {
  const errorListeners: ((line: string) => void)[] = [];
  const connection = {
    lastError: undefined as string | undefined,
    kafka: { consumer: () => consumer },
    deadLetters: { connect: () => Promise.resolve(), disconnect: () => Promise.resolve() },
    onError: (listener: (line: string) => void) => errorListeners.push(listener),
    forgetLastError: () => {
      connection.lastError = undefined;
    },
    /** What kafkajs's log hook does on an ERROR line. */
    logError: (line: string) => {
      connection.lastError = line;
      for (const listener of errorListeners) listener(line);
    },
  };
  return connection;
}

describe('KafkaBatchServer readiness reasons', () => {
  it('names the cause of a lost broker, and keeps it current while the broker stays away', async () => {
    const consumer = fakeConsumer();
    const connection = fakeConnection(consumer);
    const states: { running: boolean; reason?: string }[] = [];
    const server = new KafkaBatchServer(
      connection as unknown as KafkaConnection,
      {
        topic: 'shell.commands',
        groupId: 'shellwatch',
        partitionsConsumedConcurrently: 1,
        maxBytesPerPartition: 1024,
        retryMaxDelayMs: 1000,
      },
      { consumerStateChanged: (state) => states.push(state) },
    );
    server.listen(() => undefined);
    await new Promise((resolve) => setImmediate(resolve));

    consumer.fire('group_join', { groupId: 'shellwatch', memberAssignment: {} });
    expect(states.at(-1)).toEqual({ running: true });

    connection.logError('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    consumer.fire('disconnect');
    expect(states.at(-1)).toEqual({
      running: false,
      reason:
        'Kafka consumer disconnected; last error: Connection error: connect ECONNREFUSED 127.0.0.1:9092',
    });

    connection.logError('Connection timeout (broker 127.0.0.1:9092)');
    expect(states.at(-1)?.reason).toBe(
      'Kafka consumer disconnected; last error: Connection timeout (broker 127.0.0.1:9092)',
    );

    consumer.fire('group_join', { groupId: 'shellwatch', memberAssignment: {} });
    expect(states.at(-1)).toEqual({ running: true });

    // A crash names its own cause: nothing is appended, and later lines do not replace it.
    connection.logError('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    consumer.fire('crash', {
      error: new Error('Connection error: connect ECONNREFUSED'),
      restart: true,
    });
    connection.logError('Failed to connect to seed broker');
    expect(states.at(-1)).toEqual({
      running: false,
      reason: 'Kafka consumer crashed: Connection error: connect ECONNREFUSED',
    });
    await server.close();
  });
});

/**
 * Stuck-partition audit, "a commit that fails": the error goes back to kafkajs (which
 * fetches on from the offset the batch resolved, so the partition moves on and the
 * next commit covers the batch), and nothing takes the failed commit for a done one:
 * a rewind after a failed idle tick goes back to the last commit that succeeded, so
 * records written but not committed are read again rather than skipped.
 */
describe('KafkaBatchServer when a commit fails', () => {
  it('rethrows it to kafkajs and rewinds only to the last commit that succeeded', async () => {
    vi.useFakeTimers();
    try {
      const consumer = fakeConsumer();
      let eachBatch: ((payload: unknown) => Promise<void>) | undefined;
      const commits: string[] = [];
      const seeks: string[] = [];
      let refuseCommits = false;
      Object.assign(consumer, {
        run: (options: { eachBatch: (payload: unknown) => Promise<void> }) => {
          eachBatch = options.eachBatch;
          return Promise.resolve();
        },
        commitOffsets: (offsets: { offset: string }[]) => {
          if (refuseCommits) return Promise.reject(new Error('REBALANCE_IN_PROGRESS'));
          commits.push(...offsets.map((o) => o.offset));
          return Promise.resolve();
        },
        seek: ({ offset }: { offset: string }) => seeks.push(offset),
      });
      const server = new KafkaBatchServer(
        fakeConnection(consumer) as unknown as KafkaConnection,
        {
          topic: 't',
          groupId: 'g',
          partitionsConsumedConcurrently: 1,
          maxBytesPerPartition: 1024,
          retryMaxDelayMs: 1000,
          idleTickMs: 1000,
        },
        { consumerStateChanged: () => undefined },
      );
      let failTicks = false;
      server.addHandler(COMMAND_BATCH_PATTERN, (batch: SourceBatch) => {
        if (batch.records.length === 0 && failTicks)
          return Promise.reject(new Error('tick failed'));
        return Promise.resolve({ complete: true });
      });
      server.listen(() => undefined);
      await vi.advanceTimersByTimeAsync(0);
      consumer.fire('group_join', { groupId: 'g', memberAssignment: { t: [0] } });
      const payload = (first: number) => ({
        batch: {
          topic: 't',
          partition: 0,
          messages: [first, first + 1].map((offset) => ({
            offset: String(offset),
            value: Buffer.from('ls'),
            headers: {},
            timestamp: '0',
          })),
          offsetLag: () => '0',
          firstOffset: () => String(first),
          lastOffset: () => String(first + 1),
        },
        heartbeat: () => Promise.resolve(),
        isRunning: () => true,
        isStale: () => false,
        resolveOffset: () => undefined,
      });
      await eachBatch!(payload(0));
      expect(commits).toEqual(['2']);
      refuseCommits = true;
      await expect(eachBatch!(payload(2))).rejects.toThrow('REBALANCE_IN_PROGRESS');
      failTicks = true;
      await vi.advanceTimersByTimeAsync(1000);
      expect(seeks).toEqual(['2']);
    } finally {
      vi.useRealTimers();
    }
  });
});

/**
 * The group session (KAFKA_SESSION_TIMEOUT_MS): after a broker restart the consumer
 * rejoins as a new member and waits for its old member's session to expire, which at
 * kafkajs's 30 s delayed the first alert by 31.9 s (kafka-rejoin.e2e). A shorter session
 * needs heartbeats during a long batch, not only between the pipeline's steps.
 */
describe('KafkaBatchServer group session', () => {
  function serverWith(
    consumer: ReturnType<typeof fakeConsumer>,
    consumerOptions: Record<string, unknown>[],
    sessionTimeoutMs?: number,
  ): KafkaBatchServer {
    const connection = fakeConnection(consumer);
    connection.kafka.consumer = (options?: Record<string, unknown>) => {
      consumerOptions.push(options ?? {});
      return consumer;
    };
    return new KafkaBatchServer(
      connection as unknown as KafkaConnection,
      {
        topic: 't',
        groupId: 'g',
        partitionsConsumedConcurrently: 1,
        maxBytesPerPartition: 1024,
        retryMaxDelayMs: 1000,
        ...(sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs }),
      },
      { consumerStateChanged: () => undefined },
    );
  }

  it('builds the consumer with the configured session and a heartbeat every tenth of it', async () => {
    const options: Record<string, unknown>[] = [];
    const configured = serverWith(fakeConsumer(), options, 45_000);
    configured.listen(() => undefined);
    await new Promise((resolve) => setImmediate(resolve));
    const unset = serverWith(fakeConsumer(), options);
    unset.listen(() => undefined);
    await new Promise((resolve) => setImmediate(resolve));
    expect(options).toEqual([
      expect.objectContaining({ sessionTimeout: 45_000, heartbeatInterval: 4_500 }),
      expect.objectContaining({ sessionTimeout: 10_000, heartbeatInterval: 1_000 }),
    ]);
    await configured.close();
    await unset.close();
  });

  it('heartbeats while a batch is handled, and stops when it ends', async () => {
    vi.useFakeTimers();
    try {
      const consumer = fakeConsumer();
      let eachBatch: ((payload: unknown) => Promise<void>) | undefined;
      Object.assign(consumer, {
        run: (options: { eachBatch: (payload: unknown) => Promise<void> }) => {
          eachBatch = options.eachBatch;
          return Promise.resolve();
        },
        commitOffsets: () => Promise.resolve(),
      });
      const server = serverWith(consumer, [], 10_000);
      let finish: (() => void) | undefined;
      server.addHandler(
        COMMAND_BATCH_PATTERN,
        () =>
          new Promise((done) => {
            finish = () => done({ complete: true });
          }),
      );
      server.listen(() => undefined);
      await vi.advanceTimersByTimeAsync(0);
      consumer.fire('group_join', { groupId: 'g', memberAssignment: { t: [0] } });
      let heartbeats = 0;
      const handled = eachBatch!({
        batch: {
          topic: 't',
          partition: 0,
          messages: [{ offset: '0', value: Buffer.from('ls'), headers: {}, timestamp: '0' }],
          offsetLag: () => '0',
          firstOffset: () => '0',
          lastOffset: () => '0',
        },
        heartbeat: () => {
          heartbeats += 1;
          return Promise.resolve();
        },
        isRunning: () => true,
        isStale: () => false,
        resolveOffset: () => undefined,
      });
      // A handler busy for 30 s (a bulk request up to its time-out): 30 heartbeats at 1 s.
      await vi.advanceTimersByTimeAsync(30_000);
      expect(heartbeats).toBe(30);
      // What a shutdown giving up now would leave to be redelivered (main.ts logs it).
      expect(server.uncommittedBatches()).toEqual(['t[0] offsets 0-0']);
      finish!();
      await handled;
      expect(server.uncommittedBatches()).toEqual([]);
      const afterBatch = heartbeats;
      await vi.advanceTimersByTimeAsync(10_000);
      // The batch's own heartbeat after its commit, then nothing from the ticker.
      expect(heartbeats).toBe(afterBatch);
      await server.close();
    } finally {
      vi.useRealTimers();
    }
  });
});
