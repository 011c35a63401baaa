import { describe, expect, it } from 'vitest';
import type { KafkaConnection } from './kafka-connection';
import { KafkaBatchServer } from './kafka-batch.server';

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
