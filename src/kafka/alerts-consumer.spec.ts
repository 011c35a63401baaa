import { describe, expect, it, vi } from 'vitest';
import type { Kafka } from 'kafkajs';
import { AlertsConsumer } from './alerts-consumer';

/**
 * The notifier's consumer follows KAFKA_SESSION_TIMEOUT_MS like the main one, and
 * heartbeats while a batch is handled: a webhook slower than the session must not get
 * the member evicted (notifier.e2e, "the notifier group session").
 */
describe('AlertsConsumer group session', () => {
  function fakeKafka(options: Record<string, unknown>[]) {
    let eachBatch: ((payload: unknown) => Promise<void>) | undefined;
    const consumer = {
      events: { REBALANCING: 'rebalancing', GROUP_JOIN: 'group_join', CRASH: 'crash' },
      on: () => undefined,
      connect: () => Promise.resolve(),
      subscribe: () => Promise.resolve(),
      run: (run: { eachBatch: (payload: unknown) => Promise<void> }) => {
        eachBatch = run.eachBatch;
        return Promise.resolve();
      },
      disconnect: () => Promise.resolve(),
    };
    const kafka = {
      consumer: (given: Record<string, unknown>) => {
        options.push(given);
        return consumer;
      },
    } as unknown as Kafka;
    return { kafka, eachBatch: () => eachBatch! };
  }

  it('builds the consumer with the configured session and a heartbeat every tenth of it', async () => {
    const options: Record<string, unknown>[] = [];
    const { kafka } = fakeKafka(options);
    const consumer = new AlertsConsumer(kafka, {
      topic: 'alerts',
      groupId: 'notifier',
      sessionTimeoutMs: 45_000,
      handle: () => Promise.resolve(),
      onRebalance: () => undefined,
    });
    await consumer.start();
    expect(options).toEqual([
      expect.objectContaining({
        groupId: 'notifier',
        sessionTimeout: 45_000,
        heartbeatInterval: 4_500,
      }),
    ]);
  });

  it('heartbeats while a batch is handled, and stops when it ends', async () => {
    vi.useFakeTimers();
    try {
      const { kafka, eachBatch } = fakeKafka([]);
      let finish: (() => void) | undefined;
      const consumer = new AlertsConsumer(kafka, {
        topic: 'alerts',
        groupId: 'notifier',
        sessionTimeoutMs: 10_000,
        handle: () =>
          new Promise<void>((done) => {
            finish = done;
          }),
        onRebalance: () => undefined,
      });
      await consumer.start();
      let heartbeats = 0;
      const resolved: string[] = [];
      const handled = eachBatch()({
        batch: {
          topic: 'alerts',
          partition: 0,
          messages: [{ offset: '7', key: null, value: Buffer.from('{}'), headers: {} }],
        },
        heartbeat: () => {
          heartbeats += 1;
          return Promise.resolve();
        },
        isRunning: () => true,
        isStale: () => false,
        resolveOffset: (offset: string) => resolved.push(offset),
      });
      // A webhook answering after 30 s: 30 heartbeats at 1 s, none of them asked for.
      await vi.advanceTimersByTimeAsync(30_000);
      expect(heartbeats).toBe(30);
      finish!();
      await handled;
      expect(resolved).toEqual(['7']);
      await vi.advanceTimersByTimeAsync(10_000);
      expect(heartbeats).toBe(30);
    } finally {
      vi.useRealTimers();
    }
  });
});
