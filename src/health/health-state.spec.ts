import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HealthState } from './health-state';

const WHERE = { topic: 'shell.commands', partition: 2 };
const DLQ_CAUSE =
  'writing dead letters to shell.commands.dlq: MESSAGE_TOO_LARGE: The request included a message larger than the max message size the server will accept';

function readyState(): HealthState {
  const health = new HealthState({
    pipeline: { stuckPartitionAfterMs: 60_000, shutdownTimeoutMs: 10_000 },
  });
  health.consumerStateChanged({ running: true });
  health.elasticsearchStateChanged(true);
  health.rulesStateChanged(true);
  return health;
}

describe('HealthState: partitions stuck on a batch they cannot write', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-12-07T06:00:00Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('stays ready while a retriable failure is younger than STUCK_PARTITION_AFTER_MS', () => {
    const health = readyState();
    health.batchWriteFailed(WHERE, {
      cause: 'writing to Elasticsearch: timeout',
      permanent: false,
    });
    vi.advanceTimersByTime(59_000);
    health.batchWriteFailed(WHERE, {
      cause: 'writing to Elasticsearch: timeout',
      permanent: false,
    });
    expect(health.readiness().ready).toBe(true);
  });

  it('reports the partition stuck, with what fails and why, once it has failed that long', () => {
    const health = readyState();
    health.batchWriteFailed(WHERE, { cause: DLQ_CAUSE, permanent: false });
    vi.advanceTimersByTime(75_000);
    const { ready, components } = health.readiness();
    expect(ready).toBe(false);
    expect(components.partitions).toEqual({
      ok: false,
      reason: `partition shell.commands[2] stuck for 75 s: ${DLQ_CAUSE}`,
      since: '2026-12-07T06:00:00.000Z',
    });
  });

  it('reports a permanent failure at once, and is ready again when the batch settles', () => {
    const health = readyState();
    health.batchWriteFailed(WHERE, { cause: DLQ_CAUSE, permanent: true });
    expect(health.readiness().ready).toBe(false);
    health.batchWriteSettled(WHERE);
    expect(health.readiness()).toMatchObject({
      ready: true,
      components: { partitions: { ok: true } },
    });
  });

  it('counts from the first failure of the batch, not the latest', () => {
    const health = readyState();
    for (let i = 0; i < 7; i += 1) {
      health.batchWriteFailed(WHERE, { cause: DLQ_CAUSE, permanent: false });
      vi.advanceTimersByTime(10_000);
    }
    expect(health.readiness().components.partitions?.reason).toContain('stuck for 70 s');
  });
});
