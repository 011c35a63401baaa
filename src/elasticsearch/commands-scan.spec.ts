import { errors } from '@elastic/elasticsearch';
import type { Client } from '@elastic/elasticsearch';
import { describe, expect, it } from 'vitest';
import type { StoredPage } from '../core/preview/run-preview';
import { CommandsIndexMissingError, CommandsScan } from './commands-scan';
import type { CommandsScanOptions } from './commands-scan';
import { ElasticsearchUnavailableError } from './elasticsearch.sink';

interface FakeDoc {
  id: string;
  ms: number;
  offset: number;
}

type SortValue = number | string;

/**
 * An in-memory commands index that answers the requests CommandsScan makes: PIT open
 * and close, and sorted searches with search_after, in either sort the scan uses.
 */
class FakeCluster {
  readonly requests: Record<string, unknown>[] = [];
  readonly opened: string[] = [];
  readonly closed: string[] = [];
  pitRefusal: number | undefined;
  indexExists = true;

  constructor(readonly docs: FakeDoc[]) {}

  client(): Client {
    return {
      indices: { exists: () => Promise.resolve(this.indexExists) },
      openPointInTime: () => {
        if (this.pitRefusal !== undefined) return Promise.reject(responseError(this.pitRefusal));
        const id = `pit-${this.opened.length}`;
        this.opened.push(id);
        return Promise.resolve({ id });
      },
      closePointInTime: ({ id }: { id: string }) => {
        this.closed.push(id);
        return Promise.resolve({ succeeded: true });
      },
      search: (request: Record<string, unknown>) => Promise.resolve(this.search(request)),
    } as unknown as Client;
  }

  private search(request: Record<string, unknown>): unknown {
    this.requests.push(request);
    const pit = request['pit'] !== undefined;
    const sortOf = (doc: FakeDoc): SortValue[] =>
      pit ? [doc.ms, this.docs.indexOf(doc)] : [doc.ms, 'shell.commands', 0, doc.offset];
    const query = request['query'] as { bool?: { filter: Record<string, unknown>[] } };
    if (query.bool !== undefined) {
      // The fallback's query for the documents that share a sort key.
      const term = (i: number) =>
        Object.values((query.bool?.filter[i] as { term: Record<string, unknown> }).term)[0];
      const hits = this.docs.filter((d) => d.ms === term(0) && d.offset === term(3));
      return { hits: { hits: hits.map((d) => hit(d, sortOf(d))) } };
    }
    const after = request['search_after'] as SortValue[] | undefined;
    const sorted = [...this.docs]
      .map((doc) => ({ doc, sort: sortOf(doc) }))
      .sort((a, b) => compare(a.sort, b.sort))
      .filter(({ sort }) => after === undefined || compare(sort, after) > 0);
    const page = sorted.slice(0, request['size'] as number);
    return {
      ...(pit ? { pit_id: `${(request['pit'] as { id: string }).id}+` } : {}),
      hits: {
        ...(request['track_total_hits'] === true
          ? { total: { value: this.docs.length, relation: 'eq' } }
          : {}),
        hits: page.map(({ doc, sort }) => hit(doc, sort)),
      },
    };
  }
}

function compare(a: SortValue[], b: SortValue[]): number {
  for (let i = 0; i < a.length; i++) {
    const [x, y] = [a[i] as SortValue, b[i] as SortValue];
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function hit(doc: FakeDoc, sort: SortValue[]) {
  return { _id: doc.id, _index: 'commands', _source: { n: doc.id }, sort };
}

function responseError(statusCode: number): errors.ResponseError {
  return new errors.ResponseError({
    body: { error: { type: 'illegal_argument_exception', reason: 'no' } },
    statusCode,
    headers: {},
    warnings: null,
    meta: {} as never,
  });
}

function options(extra: Partial<CommandsScanOptions> = {}): CommandsScanOptions {
  return {
    index: 'commands',
    from: new Date('2026-12-01T00:00:00Z'),
    to: new Date('2026-12-08T00:00:00Z'),
    pageSize: 3,
    limit: 1_000,
    deadline: Date.now() + 60_000,
    ...extra,
  };
}

async function readAll(scan: CommandsScan): Promise<StoredPage[]> {
  const pages: StoredPage[] = [];
  for await (const page of scan) pages.push(page);
  return pages;
}

const ids = (pages: StoredPage[]): string[] => pages.flatMap((p) => p.hits.map((h) => h.id));

/** Ten documents, two of them at the same instant. */
const DOCS: FakeDoc[] = Array.from({ length: 10 }, (_, i) => ({
  id: `d${i}`,
  ms: 1_000 + (i === 3 ? 2 : i) * 10,
  offset: i,
}));

describe('CommandsScan', () => {
  it('pages through a point in time with search_after, then closes it', async () => {
    const cluster = new FakeCluster(DOCS);
    const scan = await CommandsScan.open(cluster.client(), options());
    expect(scan.mode).toBe('point-in-time');
    const pages = await readAll(scan);
    expect(ids(pages)).toEqual(['d0', 'd1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7', 'd8', 'd9']);
    expect(pages[0]?.total).toBe(10);
    expect(pages.map((p) => p.hits.length)).toEqual([3, 3, 3, 1]);
    // Each request carries the PIT id of the answer before it, and the last sort values.
    expect(cluster.requests.map((r) => (r['pit'] as { id: string }).id)).toEqual([
      'pit-0',
      'pit-0+',
      'pit-0++',
      'pit-0+++',
    ]);
    expect(cluster.requests[1]?.['search_after']).toEqual([1_020, 2]);
    expect(cluster.requests.every((r) => r['index'] === undefined)).toBe(true);
    expect(cluster.closed).toEqual(['pit-0++++']);
  });

  it('reads no more than the limit, in pages no larger than what is left', async () => {
    const cluster = new FakeCluster(DOCS);
    const pages = await readAll(await CommandsScan.open(cluster.client(), options({ limit: 5 })));
    expect(pages.map((p) => p.hits.length)).toEqual([3, 2]);
    expect(cluster.closed).toHaveLength(1);
  });

  it('closes the point in time when the reader stops early', async () => {
    const cluster = new FakeCluster(DOCS);
    const scan = await CommandsScan.open(cluster.client(), options());
    for await (const page of scan) {
      expect(page.hits).toHaveLength(3);
      break;
    }
    expect(cluster.closed).toEqual(['pit-0+']);
    await scan.close();
    expect(cluster.closed).toHaveLength(1);
  });

  it('falls back to search_after on the Kafka position when the cluster refuses a PIT', async () => {
    const cluster = new FakeCluster(DOCS);
    cluster.pitRefusal = 400;
    const scan = await CommandsScan.open(cluster.client(), options());
    expect(scan.mode).toBe('search-after');
    expect(ids(await readAll(scan)).sort()).toEqual(DOCS.map((d) => d.id).sort());
    expect(cluster.requests[0]).toMatchObject({ index: 'commands' });
    expect(cluster.closed).toEqual([]);
  });

  it('in the fallback, fetches the documents that share the last sort key of a full page', async () => {
    // Two events of one record: same instant, same Kafka position, across a page boundary.
    const docs: FakeDoc[] = [
      { id: 'a', ms: 1, offset: 1 },
      { id: 'b', ms: 2, offset: 2 },
      { id: 'c1', ms: 3, offset: 3 },
      { id: 'c2', ms: 3, offset: 3 },
      { id: 'd', ms: 4, offset: 4 },
    ];
    const cluster = new FakeCluster(docs);
    const scan = await CommandsScan.open(cluster.client(), options({ paging: 'search-after' }));
    expect(ids(await readAll(scan))).toEqual(['a', 'b', 'c1', 'c2', 'd']);
  });

  it('says the commands index is missing', async () => {
    const cluster = new FakeCluster(DOCS);
    cluster.indexExists = false;
    await expect(CommandsScan.open(cluster.client(), options())).rejects.toBeInstanceOf(
      CommandsIndexMissingError,
    );
  });

  it('does not fall back when the cluster is busy (429)', async () => {
    const cluster = new FakeCluster(DOCS);
    cluster.pitRefusal = 429;
    await expect(CommandsScan.open(cluster.client(), options())).rejects.toBeInstanceOf(
      ElasticsearchUnavailableError,
    );
  });
});
