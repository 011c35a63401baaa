import { afterAll, describe, expect, it } from 'vitest';
import { countDocuments, testElasticsearch, uniqueIndex } from '../support/elasticsearch';
import { consumeAll, createTopic, groupLag, produce, uniqueName } from '../support/kafka';
import { plannedRecord } from '../support/records';
import { ServiceProcess } from '../support/service';
import { waitFor } from '../support/wait-for';

/**
 * Bad input never stops the stream and is never dropped silently: each poison
 * record ends in the dead-letter topic with its original bytes and a reason,
 * and every good record around it is processed.
 */
describe('poison records', () => {
  const topic = uniqueName('e2e-poison');
  const dlqTopic = `${topic}.dlq`;
  const groupId = uniqueName('e2e-poison-group');
  const alertsIndex = uniqueIndex('e2e-poison-alerts');
  const commandsIndex = uniqueIndex('e2e-poison-commands');
  let service: ServiceProcess | undefined;

  afterAll(async () => {
    await service?.stop();
  });

  it('dead-letters each bad record with a reason and processes all good ones', async () => {
    // Topics that accept records over 1 MiB, as a fleet sending huge lines would need.
    const large = { 'max.message.bytes': String(3 * 1024 * 1024) };
    await createTopic(topic, 1, large);
    await createTopic(dlqTopic, 1, large);
    // An index whose mapping disagrees with one record: Elasticsearch rejects that
    // document (a 400 per item), which must dead-letter the record, not retry forever.
    await testElasticsearch.indices.create({
      index: commandsIndex,
      mappings: { properties: { session: { properties: { id: { type: 'long' } } } } },
    });
    const good = (seq: number): { value: string } => ({ value: plannedRecord(seq).value });
    const huge = JSON.stringify({
      user: 'alice',
      host: 'web-1',
      command: `echo ${'A'.repeat(1_200_000)}`,
    });
    const poison: { value: Buffer | string | null; reason: string }[] = [
      { value: '{"user": "alice", "command": "ls', reason: 'INVALID_JSON' },
      {
        value: Buffer.from([0xff, 0xfe, 0x00, 0x81, 0xc3, 0x28, 0xa0, 0xa1]),
        reason: 'INVALID_UTF8',
      },
      { value: '', reason: 'EMPTY_RECORD' },
      { value: huge, reason: 'RECORD_TOO_LARGE' },
      {
        value: JSON.stringify({ user: 'alice', host: 'web-1', command: { argv: ['ls'] } }),
        reason: 'INVALID_FIELD',
      },
      {
        value: JSON.stringify({
          user: 'alice',
          host: 'web-1',
          session_id: 'not-a-number',
          command: 'uptime',
        }),
        reason: 'ES_REJECTED',
      },
    ];
    const messages: { value: Buffer | string | null }[] = [];
    let goodCount = 0;
    for (const p of poison) {
      for (let k = 0; k < 5; k += 1) messages.push(good(goodCount++));
      messages.push({ value: p.value });
    }
    for (let k = 0; k < 5; k += 1) messages.push(good(goodCount++));
    // Good records whose words are names every JS object inherits: they once made the
    // shell parser throw, and the batch failed again on every retry.
    for (const command of ['toString --x "a"', 'constructor -v rm -rf /tmp/x']) {
      messages.push({ value: JSON.stringify({ user: 'alice', host: 'web-1', command }) });
      goodCount += 1;
    }
    await produce(topic, messages, 10);

    service = new ServiceProcess({
      KAFKA_TOPIC: topic,
      KAFKA_GROUP_ID: groupId,
      KAFKA_DLQ_TOPIC: dlqTopic,
      // The dead-letter topic takes 3 MiB: the 1.2 MB record is dead-lettered whole.
      KAFKA_DLQ_MAX_BYTES: String(3 * 1024 * 1024 - 64 * 1024),
      ES_ALERTS_INDEX: alertsIndex,
      ES_COMMANDS_INDEX: commandsIndex,
      RULES_DIR: 'test/fixtures/rules/basic',
    }).start();
    await service.waitReady();
    await waitFor(
      'the whole topic committed',
      () => groupLag(groupId, topic),
      (lag) => lag === 0,
      {
        timeoutMs: 120_000,
      },
    );

    expect(await countDocuments(commandsIndex)).toBe(goodCount);
    const letters = await consumeAll(dlqTopic, poison.length);
    expect(letters.map((l) => l.headers['shellwatch.reason']).sort()).toEqual(
      poison.map((p) => p.reason).sort(),
    );
    const offsetsInSource = poison.map((_, i) => String(i * 6 + 5));
    expect(letters.map((l) => l.headers['shellwatch.source.offset']).sort()).toEqual(
      [...offsetsInSource].sort(),
    );
    for (const letter of letters) {
      expect(letter.headers['shellwatch.source.topic']).toBe(topic);
      expect(letter.headers['shellwatch.error']).toBeTruthy();
      const original = poison.find((p) => p.reason === letter.headers['shellwatch.reason'])!;
      const expectedBytes = original.value === null ? Buffer.alloc(0) : Buffer.from(original.value);
      expect(Buffer.compare(letter.value ?? Buffer.alloc(0), expectedBytes)).toBe(0);
    }
  });
});
