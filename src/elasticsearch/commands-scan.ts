import { errors } from '@elastic/elasticsearch';
import type { Client, estypes } from '@elastic/elasticsearch';
import { ShellwatchError } from '../core/errors';
import { PreviewDeadlineError } from '../core/preview/run-preview';
import type { StoredHit, StoredPage } from '../core/preview/run-preview';
import { describeElasticsearchError, ElasticsearchUnavailableError } from './elasticsearch.sink';

/**
 * Reads the command documents of a time range of the commands index in a stable
 * order, page by page, for a rule preview. The commands index is what the pipeline
 * writes (ES_COMMANDS_INDEX: an index or a data stream); the documents are read in
 * `@timestamp` order.
 *
 * Paging: a point in time (PIT) with `search_after` where the cluster allows it: one
 * consistent view of the index whatever is written meanwhile, with `_shard_doc` as the
 * tie-breaker. The minimal distribution has PIT too (it is in the server since 7.10);
 * a cluster or a key that refuses to open one (an older or compatible cluster, a role
 * without the privilege) gets `search_after` on `@timestamp` and the record's Kafka
 * position instead, with no snapshot: documents written into the range during the scan
 * may be seen or not. Which one ran is reported (`mode`).
 */

export type PagingMode = 'point-in-time' | 'search-after';

export interface CommandsScanOptions {
  index: string;
  /** Inclusive start of the range. */
  from: Date;
  /** Exclusive end of the range. */
  to: Date;
  /** Documents per request. */
  pageSize: number;
  /** Most documents to read in all. */
  limit: number;
  /** Date.now() value after which a page request is abandoned (PreviewDeadlineError). */
  deadline: number;
  /** `auto` (default): PIT when the cluster opens one; `search-after`: never try PIT. */
  paging?: 'auto' | 'search-after';
  /** The `_source` fields read; the default is every field a rule can read. */
  sourceFields?: readonly string[];
}

/** The commands index (or data stream) named in ES_COMMANDS_INDEX does not exist. */
export class CommandsIndexMissingError extends ShellwatchError {
  constructor(index: string) {
    super(
      'COMMANDS_INDEX_MISSING',
      `the commands index ${index} does not exist: the service creates it at start when ES_COMMANDS_INDEX is set, and fills it as commands stream past`,
      false,
      { index },
    );
  }
}

/**
 * The `_source` fields a command event is rebuilt from (stored-command.ts): what
 * ecsCommandFields writes, without `related`, `ecs`, `shellwatch.kafka` and the rest a
 * rule cannot read.
 */
export const COMMAND_SOURCE_FIELDS = [
  '@timestamp',
  'user',
  'host',
  'source',
  'process',
  'event.original',
  'event.module',
  'labels',
  'shellwatch.log',
  'shellwatch.session',
  'shellwatch.tty',
  'shellwatch.args_from_command_line',
  // Documents written before the ECS 8.17 layout.
  'log',
  'session',
  'tty',
] as const;

/** The fallback's sort: event time, then the record's unique place in Kafka. */
const POSITION_SORT = [
  'shellwatch.kafka.topic',
  'shellwatch.kafka.partition',
  'shellwatch.kafka.offset',
] as const;
const POSITION_TYPES = { 'shellwatch.kafka.topic': 'keyword' } as const;

const PIT_KEEP_ALIVE = '2m';

/** An open scan: its paging mode, its pages (async iterable), and close(). */
export class CommandsScan implements AsyncIterable<StoredPage> {
  private pitId: string | undefined;
  private closed = false;

  private constructor(
    private readonly client: Client,
    private readonly options: CommandsScanOptions,
    readonly mode: PagingMode,
    pitId: string | undefined,
  ) {
    this.pitId = pitId;
  }

  /**
   * Checks that the index exists (CommandsIndexMissingError), then opens a PIT, or
   * falls back to plain `search_after` when the cluster refuses one with a 4xx.
   * Throws ElasticsearchUnavailableError when the cluster does not answer.
   */
  static async open(client: Client, options: CommandsScanOptions): Promise<CommandsScan> {
    const exists = await unavailableOnFailure('checking the commands index', () =>
      client.indices.exists({ index: options.index }),
    );
    if (!exists) throw new CommandsIndexMissingError(options.index);
    if (options.paging === 'search-after') {
      return new CommandsScan(client, options, 'search-after', undefined);
    }
    try {
      const pit = await client.openPointInTime({
        index: options.index,
        keep_alive: PIT_KEEP_ALIVE,
      });
      return new CommandsScan(client, options, 'point-in-time', pit.id);
    } catch (error) {
      if (typeOf(error) === 'index_not_found_exception') {
        throw new CommandsIndexMissingError(options.index);
      }
      if (!refusedByCluster(error)) {
        throw new ElasticsearchUnavailableError(
          `opening a point in time failed: ${describeElasticsearchError(error)}`,
          error,
        );
      }
      return new CommandsScan(client, options, 'search-after', undefined);
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<StoredPage> {
    return this.pages();
  }

  /** Releases the PIT (once; a failure to do so is not the caller's problem: it expires). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const id = this.pitId;
    this.pitId = undefined;
    if (id === undefined) return;
    try {
      await this.client.closePointInTime({ id }, { requestTimeout: 5_000 });
    } catch {
      // It expires after PIT_KEEP_ALIVE anyway.
    }
  }

  /**
   * The pages, each next one requested before the current one is handed over: the
   * cluster finds page n+1 while the caller evaluates page n. A reader that stops
   * early aborts that request; the PIT is closed however the pages end.
   */
  private async *pages(): AsyncGenerator<StoredPage, void, undefined> {
    let inFlight: { response: Promise<estypes.SearchResponse>; abort: AbortController } | undefined;
    const request = (size: number, after: estypes.SortResults | undefined, first: boolean) => {
      const abort = new AbortController();
      const response = this.search(size, after, first, abort.signal);
      // Awaited below, or abandoned when the reader stops: never an unhandled rejection.
      response.catch(() => undefined);
      return { response, abort };
    };
    try {
      let read = 0;
      let first = true;
      let size = Math.min(this.options.pageSize, this.options.limit);
      inFlight = request(size, undefined, true);
      while (inFlight !== undefined) {
        const response = await inFlight.response;
        inFlight = undefined;
        const hits = response.hits.hits;
        const page: StoredPage = { hits: hits.map(storedHit) };
        if (first) {
          const total = response.hits.total;
          if (total !== undefined) page.total = typeof total === 'number' ? total : total.value;
          first = false;
        }
        if (response.pit_id !== undefined) this.pitId = response.pit_id;
        const last = hits.at(-1);
        if (this.mode === 'search-after' && last?.sort !== undefined && hits.length === size) {
          // Documents sharing the last one's sort values (events of one record) that did
          // not fit in this page: search_after would step over them.
          page.hits = [...page.hits, ...(await this.sameSortAs(last.sort, hits))];
        }
        read += page.hits.length;
        if (hits.length === size && last?.sort !== undefined && read < this.options.limit) {
          size = Math.min(this.options.pageSize, this.options.limit - read);
          inFlight = request(size, last.sort, false);
        }
        yield page;
      }
    } finally {
      inFlight?.abort.abort();
      await inFlight?.response.catch(() => undefined);
      await this.close();
    }
  }

  private async search(
    size: number,
    after: estypes.SortResults | undefined,
    first: boolean,
    signal: AbortSignal,
  ): Promise<estypes.SearchResponse> {
    const pit = this.mode === 'point-in-time';
    const request: estypes.SearchRequest = {
      size,
      query: this.rangeQuery(),
      sort: pit
        ? [{ '@timestamp': 'asc' }, { _shard_doc: 'asc' }]
        : [
            { '@timestamp': 'asc' },
            ...POSITION_SORT.map((field) => ({
              [field]: {
                order: 'asc' as const,
                unmapped_type: field in POSITION_TYPES ? 'keyword' : 'long',
              },
            })),
          ],
      _source: { includes: [...(this.options.sourceFields ?? COMMAND_SOURCE_FIELDS)] },
      track_total_hits: first,
      ...(after === undefined ? {} : { search_after: after }),
      ...(pit && this.pitId !== undefined
        ? { pit: { id: this.pitId, keep_alive: PIT_KEEP_ALIVE } }
        : { index: this.options.index }),
    };
    return this.timed(() =>
      this.client.search(request, { requestTimeout: this.remaining(), signal }),
    );
  }

  /** The rest of the documents whose sort values are `sort` (fallback paging only). */
  private async sameSortAs(
    sort: estypes.SortResults,
    page: readonly estypes.SearchHit[],
  ): Promise<StoredHit[]> {
    const values = sort as unknown[];
    const filters: estypes.QueryDslQueryContainer[] = [
      { term: { '@timestamp': values[0] as number } },
    ];
    POSITION_SORT.forEach((field, i) => {
      const value = values[i + 1];
      if (value === null || value === undefined) {
        filters.push({ bool: { must_not: { exists: { field } } } });
      } else filters.push({ term: { [field]: value as string | number } });
    });
    const seen = new Set(page.map((hit) => hit._id));
    const response = await this.timed(() =>
      this.client.search(
        {
          index: this.options.index,
          size: 10_000,
          query: { bool: { filter: filters } },
          _source: { includes: [...(this.options.sourceFields ?? COMMAND_SOURCE_FIELDS)] },
        },
        { requestTimeout: this.remaining() },
      ),
    );
    return response.hits.hits.filter((hit) => !seen.has(hit._id)).map(storedHit);
  }

  private rangeQuery(): estypes.QueryDslQueryContainer {
    return {
      range: {
        '@timestamp': {
          gte: this.options.from.toISOString(),
          lt: this.options.to.toISOString(),
          format: 'strict_date_optional_time',
        },
      },
    };
  }

  /** Time left before the deadline, at least 1 s so a request can be made at all. */
  private remaining(): number {
    return Math.max(1_000, this.options.deadline - Date.now());
  }

  /** A page request: past the deadline a time-out is the budget's end, otherwise unavailability. */
  private async timed<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      if (error instanceof errors.TimeoutError && Date.now() >= this.options.deadline) {
        throw new PreviewDeadlineError();
      }
      if (typeOf(error) === 'index_not_found_exception') {
        throw new CommandsIndexMissingError(this.options.index);
      }
      throw new ElasticsearchUnavailableError(
        `reading the commands index failed: ${describeElasticsearchError(error)}`,
        error,
      );
    }
  }
}

function storedHit(hit: estypes.SearchHit): StoredHit {
  return { id: hit._id ?? '', source: hit._source };
}

function statusOf(error: unknown): number | undefined {
  return error instanceof errors.ResponseError ? error.statusCode : undefined;
}

function typeOf(error: unknown): string | undefined {
  if (!(error instanceof errors.ResponseError)) return undefined;
  return (error.body as { error?: { type?: string } } | undefined)?.error?.type;
}

/**
 * A cluster that has no PIT, or does not let this key open one, answers with a 4xx
 * (400 unknown endpoint or parameter, 401/403, 404 no handler, 405): fall back. Not
 * for 429, too many requests or open contexts: that is the cluster being busy.
 */
function refusedByCluster(error: unknown): boolean {
  const status = statusOf(error);
  return status !== undefined && status >= 400 && status < 500 && status !== 429;
}

async function unavailableOnFailure<T>(what: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw new ElasticsearchUnavailableError(
      `${what} failed: ${describeElasticsearchError(error)}`,
      error,
    );
  }
}
