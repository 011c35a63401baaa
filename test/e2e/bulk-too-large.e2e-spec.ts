import { describe, expect, it } from 'vitest';
import { countDocuments } from '../support/elasticsearch';
import { consumeAll, createTopic, groupLag, produce } from '../support/kafka';
import { usePrivateElasticsearch } from '../support/private-elasticsearch';
import { waitFor } from '../support/wait-for';
import { testWorld } from '../support/world';

/**
 * A bulk request over the cluster's http.max_content_length is answered 413 as a
 * whole (hosted clusters often allow 10 MB, not the default 100 MB). It is split in
 * halves until each part fits; a document too large alone is dead-lettered
 * ES_REJECTED, and the partition moves on. http.max_content_length is a static node
 * setting: the test runs an Elasticsearch of its own that takes 100 KB at most.
 */
const MAX_CONTENT = '100kb';
const SMALL_RECORDS = 400;

function ecsRecord(seq: number, command: string): string {
  return JSON.stringify({
    '@timestamp': new Date(Date.UTC(2026, 11, 7, 12, 0, 0, seq)).toISOString(),
    user: { name: 'alice' },
    host: { name: 'web-1.example.internal' },
    process: { command_line: command },
  });
}

describe('a bulk request over http.max_content_length (413)', () => {
  const { elasticsearch, client, startService } = usePrivateElasticsearch(9260, {
    httpMaxContentLength: MAX_CONTENT,
    heap: '512m',
  });

  it('is split until it fits; the one document too large alone is dead-lettered', async () => {
    const world = testWorld('bulk-413');
    const startedAt = Date.now();
    elasticsearch.start();
    console.log(`private Elasticsearch (${MAX_CONTENT}) ready in ${Date.now() - startedAt} ms`);
    await createTopic(world.topic, 1);
    // About 1 KB of documents per small record: ~400 KB per batch, four times the limit.
    // The large one is one 60 KB word: its command line, event.original and
    // process.args make a document of ~180 KB, over the limit on its own.
    const large = `echo ${'A'.repeat(60_000)}`;
    const records = Array.from({ length: SMALL_RECORDS }, (_, seq) =>
      ecsRecord(seq, `ls -la /srv/app-${seq} ${'x'.repeat(300)}`),
    );
    records.splice(SMALL_RECORDS / 2, 0, ecsRecord(SMALL_RECORDS, large));
    await produce(
      world.topic,
      records.map((value) => ({ value })),
    );

    startService(world.env({ KAFKA_ALERTS_TOPIC: '' }));
    await waitFor(
      'the whole topic committed',
      () => groupLag(world.groupId, world.topic),
      (lag) => lag === 0,
      { timeoutMs: 180_000, intervalMs: 1000 },
    );
    expect(await countDocuments(world.commandsIndex, client)).toBe(SMALL_RECORDS);
    const [letter, ...more] = await consumeAll(`${world.topic}.dlq`, 1);
    expect(more).toEqual([]);
    expect(letter?.headers['shellwatch.reason']).toBe('ES_REJECTED');
    expect(letter?.headers['shellwatch.source.offset']).toBe(String(SMALL_RECORDS / 2));
    expect(letter?.headers['shellwatch.error']).toMatch(/413|too large|content length/i);
    expect(letter?.value?.toString()).toBe(records[SMALL_RECORDS / 2]);
  });
});
