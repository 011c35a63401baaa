import { afterEach, describe, expect, it } from 'vitest';
import { countDocuments } from '../support/elasticsearch';
import { consumeAll, createTopic, groupLag, produce } from '../support/kafka';
import { plannedRecord } from '../support/records';
import { ServiceProcess } from '../support/service';
import { waitFor } from '../support/wait-for';
import { testWorld } from '../support/world';

/**
 * A partition never stops behind its dead letters (issue 20, finding 1): however
 * many there are in one batch and however large one is, they reach the
 * dead-letter topic in requests the broker accepts and the group commits past
 * them. When the dead-letter topic refuses even a minimal letter, readiness says
 * which partition is stuck and why, and SIGTERM still ends the process.
 *
 * The dead-letter topics here keep the broker's default max.message.bytes (about
 * 1 MiB, scripts/stack.sh sets no other), as an operator's would.
 */
const UNDECODABLE = 'not json, not a known format: ' + 'x'.repeat(200);
const SHUTDOWN_TIMEOUT_MS = 5000;
/** The contract is "within SHUTDOWN_TIMEOUT_MS"; the margin covers a loaded machine. */
const EXIT_MARGIN_MS = 20_000;

describe('dead letters', () => {
  let service: ServiceProcess | undefined;

  afterEach(async () => {
    await service?.stop();
    service = undefined;
  });

  it('writes 3,500 dead letters of one batch and commits past them', async () => {
    const world = testWorld('dlq-many');
    await createTopic(world.topic, 1);
    await createTopic(`${world.topic}.dlq`, 1);
    // One produce call: one record batch, fetched and handled as one batch.
    await produce(
      world.topic,
      Array.from({ length: 3500 }, () => ({ value: UNDECODABLE })),
      3500,
    );
    service = new ServiceProcess(world.env()).start();
    await service.waitReady();
    await waitFor(
      'the whole topic committed',
      () => groupLag(world.groupId, world.topic),
      (lag) => lag === 0,
      { timeoutMs: 120_000, intervalMs: 1000 },
    );
    const letters = await consumeAll(`${world.topic}.dlq`, 3500);
    expect(letters).toHaveLength(3500);
    const offsets = new Set(letters.map((l) => l.headers['shellwatch.source.offset']));
    expect(offsets.size).toBe(3500);
    expect(new Set(letters.map((l) => l.headers['shellwatch.reason']))).toEqual(
      new Set(['UNKNOWN_FORMAT']),
    );
    // Small letters are carried whole.
    for (const letter of letters) {
      expect(letter.value?.toString()).toBe(UNDECODABLE);
      expect(letter.headers['shellwatch.truncated']).toBeUndefined();
    }
  });

  it('writes a 5 MB record as a truncated dead letter that says so, and moves on', async () => {
    const world = testWorld('dlq-huge');
    // The source topic accepts the record (the broker's default would refuse it).
    await createTopic(world.topic, 1, { 'max.message.bytes': String(8 * 1024 * 1024) });
    await createTopic(`${world.topic}.dlq`, 1);
    const huge = Buffer.alloc(5 * 1024 * 1024, 'y');
    await produce(world.topic, [{ value: huge }, { value: plannedRecord(0).value }]);
    service = new ServiceProcess(world.env()).start();
    await service.waitReady();
    await waitFor(
      'the whole topic committed',
      () => groupLag(world.groupId, world.topic),
      (lag) => lag === 0,
      { timeoutMs: 120_000, intervalMs: 1000 },
    );
    expect(await countDocuments(world.commandsIndex)).toBe(1);
    const [letter] = await consumeAll(`${world.topic}.dlq`, 1);
    expect(letter?.headers).toMatchObject({
      'shellwatch.reason': 'RECORD_TOO_LARGE',
      'shellwatch.source.offset': '0',
      'shellwatch.truncated': 'value',
      'shellwatch.original.size': String(huge.length),
    });
    const carried = letter?.value ?? Buffer.alloc(0);
    expect(carried.length).toBeGreaterThan(0);
    expect(carried.length).toBeLessThan(1024 * 1024);
    expect(Buffer.compare(carried, huge.subarray(0, carried.length))).toBe(0);
  });

  it('reports the partition stuck, with the cause, when the dead-letter topic refuses even a minimal letter', async () => {
    const world = testWorld('dlq-stuck');
    await createTopic(world.topic, 1);
    // A dead-letter topic that refuses every record: no dead letter can ever be written.
    await createTopic(`${world.topic}.dlq`, 1, { 'max.message.bytes': '100' });
    await produce(world.topic, [{ value: UNDECODABLE }]);
    service = new ServiceProcess(world.env({ STUCK_PARTITION_AFTER_MS: '1000' })).start();
    const stuck = await waitFor(
      'readiness to name the stuck partition',
      () => service!.readiness(),
      (r) => r.status === 503 && JSON.stringify(r.body).includes('stuck'),
      { timeoutMs: 90_000 },
    );
    const reason = (stuck.body as { components: { partitions: { reason: string } } }).components
      .partitions.reason;
    expect(reason).toContain(`${world.topic}[0]`);
    expect(reason).toContain(`${world.topic}.dlq`);
    expect(reason).toContain('MESSAGE_TOO_LARGE');
    expect(await groupLag(world.groupId, world.topic)).toBe(1);
  });

  it('exits on SIGTERM within SHUTDOWN_TIMEOUT_MS while a dead-letter write is stuck', async () => {
    const world = testWorld('dlq-sigterm');
    await createTopic(world.topic, 1);
    await createTopic(`${world.topic}.dlq`, 1, { 'max.message.bytes': '100' });
    await produce(world.topic, [{ value: UNDECODABLE }]);
    service = new ServiceProcess(
      world.env({ SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) }),
    ).start();
    await waitFor(
      'the dead-letter write to fail again and again',
      () => Promise.resolve(service!.logs().split('dead-letter write failed').length - 1),
      (failures) => failures >= 3,
      { timeoutMs: 120_000 },
    );
    const exit = await service.terminate(SHUTDOWN_TIMEOUT_MS + EXIT_MARGIN_MS);
    service = undefined;
    expect(exit).toEqual({ code: 0, signal: null });
    // Nothing was committed past the record that could not be dead-lettered.
    expect(await groupLag(world.groupId, world.topic)).toBe(1);
  });
});
