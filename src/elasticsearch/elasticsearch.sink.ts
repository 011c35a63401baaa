import { Client, errors } from '@elastic/elasticsearch';
import type { ClientOptions } from '@elastic/elasticsearch';
import type { OutputDocument } from '../core/process-batch';
import { errorMessage, ShellwatchError } from '../core/errors';
import { classifyBulkItem } from './bulk-outcome';
import type { BulkItemOutcome, BulkItemResponse, HeldCause } from './bulk-outcome';
import { alertsTemplate, auditTemplate, commandsTemplate } from './index-templates';
import type { ClusterCapabilities } from './index-templates';
import { capabilitiesFrom, chooseStorage, lowerVersion } from './storage-mode';
import type { DataStreamsSetting, StorageChoice } from './storage-mode';
import { lifecyclePolicy, templateName } from './index-templates';

export interface SinkOptions {
  node: string;
  /** Credentials and TLS (from elasticsearchConnectionOptions); none by default. */
  auth?: ClientOptions['auth'];
  tls?: ClientOptions['tls'];
  alertsIndex: string;
  commandsIndex: string | null;
  /** The audit trail's index (AuditTrail writes to it); null: no audit index. */
  auditIndex?: string | null;
  bulkMaxDocuments: number;
  requestTimeoutMs?: number;
  /** `auto` (default): data streams where the cluster offers them; `off`: plain indices. */
  dataStreams?: DataStreamsSetting;
  /** Data stream retention per kind (`365d`, `30d`); null keeps documents. */
  alertsRetention?: string | null;
  commandsRetention?: string | null;
}

/** What installTemplates found and did, for the start-up log. */
export interface StorageReport {
  capabilities: ClusterCapabilities;
  choice: StorageChoice;
  targets: {
    kind: 'alerts' | 'commands';
    name: string;
    /** What the name is now: a data stream, or a plain index (new, or kept from before). */
    as: 'data stream' | 'index';
    /** A plain index of that name existed before: kept, see the upgrade path in operations.md. */
    keptPlainIndex: boolean;
    retention: string | null;
  }[];
}

/** Where the sink reports bulk timings and failures (MetricsService). */
export interface SinkMetrics {
  bulkRequestFinished(seconds: number, failed: boolean): void;
  bulkItemsFailed(kind: 'item_retry' | 'item_rejected', count: number): void;
}

/** The result of one bulk attempt, item by item, in the order of the documents. */
export interface BulkAttempt {
  written: OutputDocument[];
  retry: { document: OutputDocument; reason: string }[];
  /** Refused by the cluster's configuration, for `cause` (a missing right, an unwritable index): see HeldCause. */
  held: { document: OutputDocument; reason: string; cause: HeldCause }[];
  rejected: { document: OutputDocument; reason: string }[];
}

/** Elasticsearch is unreachable or answered for the whole request with an error. */
export class ElasticsearchUnavailableError extends ShellwatchError {
  constructor(message: string, cause: unknown) {
    super('ES_UNAVAILABLE', message, true, {}, { cause });
  }
}

/**
 * The sink adapter: knows Elasticsearch and nothing else. It installs the
 * index templates, detects what the cluster offers, and writes documents with
 * `create` (idempotent with deterministic ids) — or `update` for suppression counts —
 * reporting every item's outcome.
 * It never retries by itself: the pipeline decides, from the outcomes.
 */
export class ElasticsearchSink {
  readonly client: Client;
  private capabilities: ClusterCapabilities | undefined;
  /** Targets that are data streams: an `update` must name the backing index there. */
  private readonly dataStreamTargets = new Set<string>();

  constructor(
    private readonly options: SinkOptions,
    private readonly metrics?: SinkMetrics,
  ) {
    this.client = new Client({
      node: options.node,
      ...(options.auth ? { auth: options.auth } : {}),
      ...(options.tls ? { tls: options.tls } : {}),
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      // The pipeline owns retries (with back-off and backpressure); the client must not hide them.
      maxRetries: 0,
      compression: false,
    });
  }

  /** Checks that the cluster answers; throws ElasticsearchUnavailableError otherwise. */
  async ping(): Promise<void> {
    try {
      await this.client.cluster.health({ timeout: '5s' });
    } catch (error) {
      throw new ElasticsearchUnavailableError(
        `Elasticsearch does not answer: ${describeElasticsearchError(error)}`,
        error,
      );
    }
  }

  /** What the cluster offers; the minimal distribution lacks the wildcard field and ILM. */
  async detectCapabilities(): Promise<ClusterCapabilities> {
    if (this.capabilities) return this.capabilities;
    const modules = new Set<string>();
    let lowestVersion: string | undefined;
    try {
      const info = await this.client.nodes.info({ node_id: '_all', metric: 'plugins' });
      const nodes = Object.values(info.nodes);
      const perNode = nodes.map(
        (node) => new Set([...(node.modules ?? []), ...(node.plugins ?? [])].map((m) => m.name)),
      );
      // A feature counts only when every node has it.
      for (const name of perNode[0] ?? []) {
        if (perNode.every((set) => set.has(name))) modules.add(name);
      }
      for (const node of nodes) lowestVersion = lowerVersion(lowestVersion, node.version);
    } catch {
      // Hosted clusters may forbid the nodes API: assume the safe, minimal set.
    }
    this.capabilities = capabilitiesFrom(modules, lowestVersion);
    return this.capabilities;
  }

  /**
   * Installs (or updates) both templates — and the ILM policies when ILM ages the data
   * streams — then creates the data streams or indices if missing. Idempotent. A plain
   * index that already has a target's name is kept (writes go on there); the upgrade
   * path to a data stream is in docs/operations.md.
   */
  async installTemplates(): Promise<StorageReport> {
    const capabilities = await this.detectCapabilities();
    const choice = chooseStorage(capabilities, this.options.dataStreams ?? 'auto');
    const wanted: { kind: 'alerts' | 'commands'; name: string; retention: string | null }[] = [
      {
        kind: 'alerts',
        name: this.options.alertsIndex,
        retention: this.options.alertsRetention ?? null,
      },
    ];
    if (this.options.commandsIndex) {
      wanted.push({
        kind: 'commands',
        name: this.options.commandsIndex,
        retention: this.options.commandsRetention ?? null,
      });
    }
    const report: StorageReport = { capabilities, choice, targets: [] };
    for (const { kind, name, retention } of wanted) {
      const storage = { mode: choice.mode, retention };
      if (choice.mode === 'data-stream-ilm') {
        await this.client.ilm.putLifecycle({
          name: templateName(name),
          policy: lifecyclePolicy(retention),
        });
      }
      const template =
        kind === 'alerts'
          ? alertsTemplate(name, capabilities, storage)
          : commandsTemplate(name, capabilities, storage);
      await this.client.indices.putIndexTemplate({ name: templateName(name), ...template });
      const existing = await this.existingTarget(name);
      if (existing === 'none') {
        if (choice.mode === 'indices')
          await this.createIgnoringExisting(() => this.client.indices.create({ index: name }));
        else
          await this.createIgnoringExisting(() => this.client.indices.createDataStream({ name }));
      }
      const isStream =
        existing === 'data stream' || (existing === 'none' && choice.mode !== 'indices');
      if (isStream) this.dataStreamTargets.add(name);
      report.targets.push({
        kind,
        name,
        as: isStream ? 'data stream' : 'index',
        keptPlainIndex: existing === 'index' && choice.mode !== 'indices',
        retention: isStream ? retention : null,
      });
    }
    if (this.options.auditIndex) {
      // The audit trail is a plain index in every mode: a few documents a day, kept as
      // long as the operator keeps them (docs/operations.md).
      const audit = this.options.auditIndex;
      await this.client.indices.putIndexTemplate({
        name: templateName(audit),
        ...auditTemplate(audit),
      });
      await this.createIgnoringExisting(() => this.client.indices.create({ index: audit }));
    }
    return report;
  }

  /** Whether `name` is a data stream, a plain index (or alias), or not there yet. */
  private async existingTarget(name: string): Promise<'data stream' | 'index' | 'none'> {
    let resolved;
    try {
      resolved = await this.client.indices.resolveIndex({ name, expand_wildcards: 'all' });
    } catch (error) {
      // A concrete name that does not exist is an error for _resolve/index, not an empty answer.
      if (errorType(error) === 'index_not_found_exception') return 'none';
      throw error;
    }
    if (resolved.data_streams.some((d) => d.name === name)) return 'data stream';
    if (resolved.indices.some((i) => i.name === name)) return 'index';
    if (resolved.aliases.some((a) => a.name === name)) return 'index';
    return 'none';
  }

  private async createIgnoringExisting(create: () => Promise<unknown>): Promise<void> {
    try {
      await create();
    } catch (error) {
      if (errorType(error) !== 'resource_already_exists_exception') throw error;
    }
  }

  /**
   * Sends the documents in bulk requests of at most `bulkMaxDocuments` and
   * classifies each item. Throws ElasticsearchUnavailableError when a request as
   * a whole fails (connection refused, time-out, 5xx for the request): then
   * nothing of that request is known to be written and all of it must be retried.
   */
  async write(documents: OutputDocument[]): Promise<BulkAttempt> {
    const attempt: BulkAttempt = {
      written: [],
      retry: [],
      held: [],
      rejected: [],
    };
    for (let start = 0; start < documents.length; start += this.options.bulkMaxDocuments) {
      await this.writeChunk(documents.slice(start, start + this.options.bulkMaxDocuments), attempt);
    }
    return attempt;
  }

  /**
   * One bulk request of `chunk`, its outcomes added to `attempt`. A request refused as
   * too large (413: over the cluster's `http.max_content_length`, 100 MB by default,
   * often 10 MB on hosted clusters) is split in two and each half sent; a single
   * document refused so is rejected (its record dead-lettered). Retrying the same
   * request would be refused the same way forever and stop the partition.
   */
  private async writeChunk(chunk: OutputDocument[], attempt: BulkAttempt): Promise<void> {
    {
      const operations: unknown[] = [];
      const backing = await this.backingIndicesOfUpdates(chunk);
      const missing: OutputDocument[] = [];
      const sent: OutputDocument[] = [];
      for (const document of chunk) {
        if (document.op === 'update') {
          const index = backing.get(document.id) ?? this.indexFor(document);
          if (this.dataStreamTargets.has(index)) {
            // A data stream accepts only `create`: the update names the backing index, and
            // an alert not found there is missing, as a 404 on a plain index would say.
            missing.push(document);
            continue;
          }
          sent.push(document);
          // Suppression counts: set (not added) from the checkpointed state, so a replay is harmless.
          operations.push({
            update: { _index: index, _id: document.id, retry_on_conflict: 3 },
          });
          operations.push({ doc: document.body });
        } else {
          sent.push(document);
          operations.push({ create: { _index: this.indexFor(document), _id: document.id } });
          // Text is sent as it is (the client serialises objects with JSON.stringify).
          operations.push(document.json ?? document.body);
        }
      }
      for (const document of missing) {
        attempt.rejected.push({
          document,
          reason: 'document_missing_exception: alert not found in its data stream',
        });
      }
      if (operations.length === 0) return;
      let items: Record<string, BulkItemResponse>[];
      const started = performance.now();
      try {
        // Only what classifyBulkItem reads: Elasticsearch's full answer (index, version,
        // shards, sequence numbers per item) is about ten times larger to send and parse.
        const response = await this.client.bulk({ operations, filter_path: BULK_RESPONSE_FIELDS });
        items = response.items;
        this.metrics?.bulkRequestFinished((performance.now() - started) / 1000, false);
      } catch (error) {
        this.metrics?.bulkRequestFinished((performance.now() - started) / 1000, true);
        if (statusOf(error) === 413) {
          if (sent.length > 1) {
            const half = Math.ceil(sent.length / 2);
            await this.writeChunk(sent.slice(0, half), attempt);
            await this.writeChunk(sent.slice(half), attempt);
            return;
          }
          const reason = `request_entity_too_large: the document alone is over the cluster's http.max_content_length (${describeElasticsearchError(error)})`;
          for (const document of sent) attempt.rejected.push({ document, reason });
          this.metrics?.bulkItemsFailed('item_rejected', sent.length);
          return;
        }
        throw new ElasticsearchUnavailableError(
          `bulk request failed: ${describeElasticsearchError(error)}`,
          error,
        );
      }
      const held = (): number => attempt.retry.length + attempt.held.length;
      const retriesBefore = held();
      const rejectedBefore = attempt.rejected.length;
      sent.forEach((document, i) => {
        const item = items[i];
        const result = document.op === 'update' ? item?.update : item?.create;
        const outcome: BulkItemOutcome = result
          ? classifyBulkItem(result, document.op === 'update' ? 'update' : 'create')
          : { kind: 'retry', status: 0, reason: 'missing bulk item in the response' };
        switch (outcome.kind) {
          case 'written':
            attempt.written.push(document);
            break;
          case 'retry':
            attempt.retry.push({ document, reason: outcome.reason });
            break;
          case 'held':
            attempt.held.push({ document, reason: outcome.reason, cause: outcome.cause });
            break;
          case 'rejected':
            attempt.rejected.push({ document, reason: outcome.reason });
            break;
        }
      });
      // Held items are sent again too: counted with the retried ones.
      this.metrics?.bulkItemsFailed('item_retry', held() - retriesBefore);
      this.metrics?.bulkItemsFailed('item_rejected', attempt.rejected.length - rejectedBefore);
    }
  }

  /**
   * For `update`s aimed at a data stream: the backing index holding each document, by
   * an `ids` search (refreshed once when some are not searchable yet). Throws
   * ElasticsearchUnavailableError when the search fails: the whole chunk is retried.
   */
  private async backingIndicesOfUpdates(chunk: OutputDocument[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    const byStream = new Map<string, string[]>();
    for (const document of chunk) {
      if (document.op !== 'update') continue;
      const target = this.indexFor(document);
      if (!this.dataStreamTargets.has(target)) continue;
      byStream.set(target, [...(byStream.get(target) ?? []), document.id]);
    }
    for (const [stream, ids] of byStream) {
      try {
        const search = async (): Promise<void> => {
          const response = await this.client.search({
            index: stream,
            size: ids.length,
            _source: false,
            query: { ids: { values: ids } },
          });
          for (const hit of response.hits.hits) {
            if (hit._id !== undefined) found.set(hit._id, hit._index);
          }
        };
        await search();
        if (ids.some((id) => !found.has(id))) {
          await this.client.indices.refresh({ index: stream });
          await search();
        }
      } catch (error) {
        throw new ElasticsearchUnavailableError(
          `finding the backing indices of ${stream} failed: ${describeElasticsearchError(error)}`,
          error,
        );
      }
    }
    return found;
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private indexFor(document: OutputDocument): string {
    if (document.target === 'alerts') return this.options.alertsIndex;
    if (this.options.commandsIndex === null) {
      throw new ShellwatchError(
        'INTERNAL',
        'a command document was produced with the commands index off',
      );
    }
    return this.options.commandsIndex;
  }
}

/** The fields of a bulk response the sink reads (every item keeps its place in `items`). */
const BULK_RESPONSE_FIELDS = ['errors', 'items.*.status', 'items.*.error'];

/** The HTTP status of an Elasticsearch error response, if it is one. */
function statusOf(error: unknown): number | undefined {
  return error instanceof errors.ResponseError ? error.statusCode : undefined;
}

/** The `error.type` of an Elasticsearch error response, if it is one. */
function errorType(error: unknown): string | undefined {
  if (!(error instanceof errors.ResponseError)) return undefined;
  const body = error.body as { error?: { type?: string } } | undefined;
  return body?.error?.type;
}

/** An Elasticsearch error in one line: the status and the reason the cluster gave. */
export function describeElasticsearchError(error: unknown): string {
  if (error instanceof errors.ResponseError) {
    const body = error.body as { error?: { reason?: string } } | undefined;
    return `${error.statusCode ?? '?'} ${JSON.stringify(body?.error?.reason ?? error.message)}`;
  }
  return errorMessage(error);
}
