import { errors } from '@elastic/elasticsearch';
import { describe, expect, it } from 'vitest';
import { ElasticsearchSink, ElasticsearchUnavailableError } from './elasticsearch.sink';
import type { OutputDocument } from '../core/process-batch';
import type { BulkItemResponse } from './bulk-outcome';

/**
 * The sink's data stream path against a fake client (the local cluster is the minimal
 * distribution, which offers no data streams: the e2e tests exercise plain indices).
 */
function fakeCluster(options: {
  modules: string[];
  existing?: Record<string, 'index' | 'stream'>;
}) {
  const calls: { api: string; params: unknown }[] = [];
  const existing = { ...options.existing };
  const backing: Record<string, string> = {};
  const record =
    (api: string, answer: (params: never) => unknown = () => ({})) =>
    (params: never) => {
      calls.push({ api, params });
      return Promise.resolve(answer(params));
    };
  const client = {
    nodes: {
      info: record('nodes.info', () => ({
        nodes: { n1: { version: '8.19.2', modules: options.modules.map((name) => ({ name })) } },
      })),
    },
    ilm: { putLifecycle: record('ilm.putLifecycle') },
    indices: {
      putIndexTemplate: record('indices.putIndexTemplate'),
      resolveIndex: record('indices.resolveIndex', ({ name }: { name: string }) => ({
        indices: existing[name] === 'index' ? [{ name }] : [],
        aliases: [],
        data_streams: existing[name] === 'stream' ? [{ name }] : [],
      })),
      createDataStream: record('indices.createDataStream', ({ name }: { name: string }) => {
        existing[name] = 'stream';
      }),
      create: record('indices.create'),
      refresh: record('indices.refresh'),
    },
    search: record('search', ({ query }: { query: { ids: { values: string[] } } }) => ({
      hits: {
        hits: query.ids.values
          .filter((id) => backing[id] !== undefined)
          .map((id) => ({ _id: id, _index: backing[id] })),
      },
    })),
    bulk: record('bulk', ({ operations }: { operations: Record<string, unknown>[] }) => ({
      items: operations
        .filter((op) => 'create' in op || 'update' in op)
        .map((op) => ('create' in op ? { create: { status: 409 } } : { update: { status: 200 } })),
    })),
    close: record('close'),
  };
  return { client, calls, backing };
}

function sinkOn(cluster: ReturnType<typeof fakeCluster>): ElasticsearchSink {
  const sink = new ElasticsearchSink({
    node: 'http://127.0.0.1:1',
    alertsIndex: 'sw-alerts',
    commandsIndex: 'sw-commands',
    bulkMaxDocuments: 100,
    alertsRetention: '365d',
    commandsRetention: '30d',
  });
  Object.defineProperty(sink, 'client', { value: cluster.client });
  return sink;
}

const update = (id: string): OutputDocument => ({
  target: 'alerts',
  op: 'update',
  id,
  offset: '1',
  body: { shellwatch: { suppressed_count: 3 } },
});

describe('ElasticsearchSink on a cluster with data streams', () => {
  it('creates both data streams with their retention; a redelivered create (409) counts as written', async () => {
    const cluster = fakeCluster({ modules: ['data-streams', 'x-pack-ilm', 'wildcard'] });
    const sink = sinkOn(cluster);
    const report = await sink.installTemplates();
    expect(report.choice.mode).toBe('data-stream-lifecycle');
    expect(report.targets).toEqual([
      {
        kind: 'alerts',
        name: 'sw-alerts',
        as: 'data stream',
        keptPlainIndex: false,
        retention: '365d',
      },
      {
        kind: 'commands',
        name: 'sw-commands',
        as: 'data stream',
        keptPlainIndex: false,
        retention: '30d',
      },
    ]);
    const templates = cluster.calls.filter((c) => c.api === 'indices.putIndexTemplate');
    expect(templates.map((c) => c.params)).toMatchObject([
      {
        name: 'shellwatch-sw-alerts',
        data_stream: {},
        template: { lifecycle: { data_retention: '365d' } },
      },
      {
        name: 'shellwatch-sw-commands',
        data_stream: {},
        template: { lifecycle: { data_retention: '30d' } },
      },
    ]);
    expect(cluster.calls.some((c) => c.api === 'indices.create')).toBe(false);
    const created: OutputDocument = { target: 'alerts', id: 'a', offset: '1', body: {} };
    expect((await sink.write([created])).written).toEqual([created]);
  });

  it('sends a suppression update to the backing index holding the alert, and reports one not found', async () => {
    const cluster = fakeCluster({ modules: ['data-streams'] });
    const sink = sinkOn(cluster);
    await sink.installTemplates();
    cluster.backing['t:0:1:SW-COR-0001'] = '.ds-sw-alerts-2026.12.07-000002';
    const attempt = await sink.write([update('t:0:1:SW-COR-0001'), update('gone')]);
    const bulk = cluster.calls.find((c) => c.api === 'bulk')?.params as {
      operations: unknown[];
    };
    expect(bulk.operations[0]).toEqual({
      update: {
        _index: '.ds-sw-alerts-2026.12.07-000002',
        _id: 't:0:1:SW-COR-0001',
        retry_on_conflict: 3,
      },
    });
    expect(bulk.operations).toHaveLength(2);
    // Not searchable at first: refreshed once and searched again before giving up.
    expect(cluster.calls.filter((c) => c.api === 'indices.refresh')).toHaveLength(1);
    expect(attempt.written.map((d) => d.id)).toEqual(['t:0:1:SW-COR-0001']);
    expect(attempt.rejected).toEqual([
      {
        document: update('gone'),
        reason: 'document_missing_exception: alert not found in its data stream',
      },
    ]);
  });

  it('keeps a plain index that already has the name, and ages nothing there', async () => {
    const cluster = fakeCluster({ modules: ['data-streams'], existing: { 'sw-alerts': 'index' } });
    const report = await sinkOn(cluster).installTemplates();
    expect(report.targets[0]).toMatchObject({ as: 'index', keptPlainIndex: true, retention: null });
    expect(report.targets[1]).toMatchObject({ as: 'data stream' });
  });

  it('on the minimal distribution creates plain indices', async () => {
    const cluster = fakeCluster({ modules: ['x-pack-core'] });
    const report = await sinkOn(cluster).installTemplates();
    expect(report.choice.mode).toBe('indices');
    expect(report.targets.map((t) => t.as)).toEqual(['index', 'index']);
    expect(cluster.calls.filter((c) => c.api === 'indices.create')).toHaveLength(2);
    expect(cluster.calls.some((c) => c.api === 'indices.createDataStream')).toBe(false);
  });
});

/**
 * Stuck-partition audit: a bulk request over the cluster's http.max_content_length is
 * answered 413 as a whole. It was retried as it was, refused the same way forever,
 * and the partition stopped. Now it is split, and a document too large alone is
 * rejected (its record dead-lettered) while the others are written.
 */
describe('ElasticsearchSink when a bulk request is too large (413)', () => {
  const LIMIT = 400;
  function sinkBehindLimit(): { sink: ElasticsearchSink; requests: number[] } {
    const requests: number[] = [];
    const sink = new ElasticsearchSink({
      node: 'http://127.0.0.1:1',
      alertsIndex: 'sw-alerts',
      commandsIndex: 'sw-commands',
      bulkMaxDocuments: 100,
    });
    const client = {
      bulk: ({ operations }: { operations: Record<string, unknown>[] }) => {
        const size = JSON.stringify(operations).length;
        requests.push(operations.length / 2);
        if (size > LIMIT) {
          return Promise.reject(
            new errors.ResponseError({
              body: { error: { reason: 'Request Entity Too Large' } },
              statusCode: 413,
              headers: {},
              warnings: null,
              meta: {} as never,
            }),
          );
        }
        return Promise.resolve({
          items: operations.filter((op) => 'create' in op).map(() => ({ create: { status: 201 } })),
        });
      },
    };
    Object.defineProperty(sink, 'client', { value: client });
    return { sink, requests };
  }
  const document = (id: string, text = 'ls'): OutputDocument => ({
    target: 'commands',
    id,
    offset: id,
    body: { process: { command_line: text } },
  });

  it('splits the request until it fits, and rejects the one document that never fits', async () => {
    const { sink, requests } = sinkBehindLimit();
    const documents = Array.from({ length: 8 }, (_, i) =>
      document(String(i), i === 5 ? 'x'.repeat(LIMIT) : 'ls'),
    );
    const attempt = await sink.write(documents);
    expect(attempt.written.map((d) => d.id)).toEqual(['0', '1', '2', '3', '4', '6', '7']);
    expect(attempt.retry).toEqual([]);
    expect(attempt.rejected).toEqual([
      {
        document: documents[5],
        reason: expect.stringContaining('request_entity_too_large') as unknown,
      },
    ]);
    expect(requests[0]).toBe(8);
  });

  it('still throws, for a retry of the whole request, on a 5xx or a lost connection', async () => {
    const sink = new ElasticsearchSink({
      node: 'http://127.0.0.1:1',
      alertsIndex: 'sw-alerts',
      commandsIndex: 'sw-commands',
      bulkMaxDocuments: 100,
    });
    const client = {
      bulk: () =>
        Promise.reject(
          new errors.ResponseError({
            body: { error: { reason: 'unavailable' } },
            statusCode: 503,
            headers: {},
            warnings: null,
            meta: {} as never,
          }),
        ),
    };
    Object.defineProperty(sink, 'client', { value: client });
    await expect(sink.write([document('1')])).rejects.toThrow(ElasticsearchUnavailableError);
  });
});

/**
 * A missing privilege (401, 403 on items) is not the document's fault: the items are
 * reported denied, for the pipeline to hold the partition, not rejected (which
 * dead-lettered every record of the stream).
 */
/** A sink whose one bulk request answers `items`, one per document, in order. */
function sinkAnswering(items: Record<string, BulkItemResponse>[]): ElasticsearchSink {
  const sink = new ElasticsearchSink({
    node: 'http://127.0.0.1:1',
    alertsIndex: 'sw-alerts',
    commandsIndex: 'sw-commands',
    bulkMaxDocuments: 100,
  });
  Object.defineProperty(sink, 'client', { value: { bulk: () => Promise.resolve({ items }) } });
  return sink;
}

describe('ElasticsearchSink when items are refused for lack of a right', () => {
  it('reports 401 and 403 items as denied, a 400 item as rejected', async () => {
    const answers = [
      {
        status: 403,
        error: {
          type: 'security_exception',
          reason: 'action [indices:data/write/bulk[s]] is unauthorized',
        },
      },
      { status: 401, error: { type: 'security_exception', reason: 'unable to authenticate' } },
      { status: 400, error: { type: 'document_parsing_exception', reason: 'strict mapping' } },
      { status: 201 },
    ];
    const sink = sinkAnswering(answers.map((create) => ({ create })));
    const documents = ['a', 'b', 'c', 'd'].map((id): OutputDocument => ({
      target: 'commands',
      id,
      offset: '1',
      body: {},
    }));
    const attempt = await sink.write(documents);
    expect(attempt.held.map(({ document, cause, reason }) => [document.id, cause, reason])).toEqual(
      [
        ['a', 'denied', 'security_exception: action [indices:data/write/bulk[s]] is unauthorized'],
        ['b', 'denied', 'security_exception: unable to authenticate'],
      ],
    );
    expect(attempt.rejected.map(({ document }) => document.id)).toEqual(['c']);
    expect(attempt.retry).toEqual([]);
    expect(attempt.written.map((d) => d.id)).toEqual(['d']);
  });
});

/**
 * A target that cannot take documents at all (round 7: a 404 item used to dead-letter
 * its record, so an index deleted with automatic creation off diverted the stream to
 * the dead-letter topic). The answers are the local Elasticsearch 8.19's, reproduced
 * with a template `allow_auto_create: false`, a closed index and an alias over two
 * indices. An update's 404 is about its document (the first alert, or the backing
 * index the retention deleted): rejected, as before.
 */
describe('ElasticsearchSink when the target index cannot take documents', () => {
  it('reports missing, closed and alias-without-write-index targets of a create as unwritable', async () => {
    const sink = sinkAnswering([
      {
        create: {
          status: 404,
          error: {
            type: 'index_not_found_exception',
            reason: 'no such index [composable template [sw-commands] forbids index auto creation]',
          },
        },
      },
      { create: { status: 400, error: { type: 'index_closed_exception', reason: 'closed' } } },
      {
        create: {
          status: 400,
          error: {
            type: 'illegal_argument_exception',
            reason: 'no write index is defined for alias [sw-commands]. The write index may be …',
          },
        },
      },
      {
        create: {
          status: 400,
          error: {
            type: 'illegal_argument_exception',
            reason: 'Limit of total fields [1000] has been exceeded while adding new fields [1]',
          },
        },
      },
      {
        update: {
          status: 404,
          error: { type: 'document_missing_exception', reason: '[e]: document missing' },
        },
      },
      {
        update: {
          status: 404,
          error: { type: 'index_not_found_exception', reason: 'no such index [.ds-old]' },
        },
      },
    ]);
    const documents = ['a', 'b', 'c', 'd', 'e', 'f'].map((id, i): OutputDocument => ({
      target: 'commands',
      id,
      offset: '1',
      body: {},
      ...(i >= 4 ? { op: 'update' as const } : {}),
    }));
    const attempt = await sink.write(documents);
    expect(attempt.held.map(({ document, cause, reason }) => [document.id, cause, reason])).toEqual(
      [
        [
          'a',
          'unwritable',
          'index_not_found_exception: no such index [composable template [sw-commands] forbids index auto creation]',
        ],
        ['b', 'unwritable', 'index_closed_exception: closed'],
        [
          'c',
          'unwritable',
          'illegal_argument_exception: no write index is defined for alias [sw-commands]. The write index may be …',
        ],
      ],
    );
    expect(attempt.rejected.map(({ document }) => document.id)).toEqual(['d', 'e', 'f']);
    expect(attempt.retry).toEqual([]);
  });
});
