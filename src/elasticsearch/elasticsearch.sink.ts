import { Client, errors } from '@elastic/elasticsearch';
import type { ClientOptions } from '@elastic/elasticsearch';
import type { OutputDocument } from '../core/process-batch';
import { ShellwatchError } from '../core/errors';
import { classifyBulkItem } from './bulk-outcome';
import type { BulkItemOutcome, BulkItemResponse } from './bulk-outcome';
import { alertsTemplate, commandsTemplate } from './index-templates';
import type { ClusterCapabilities } from './index-templates';
import { capabilitiesFrom, lowerVersion } from './storage-mode';

export interface SinkOptions {
  node: string;
  /** Credentials and TLS (from elasticsearchConnectionOptions); none by default. */
  auth?: ClientOptions['auth'];
  tls?: ClientOptions['tls'];
  alertsIndex: string;
  commandsIndex: string | null;
  bulkMaxDocuments: number;
  requestTimeoutMs?: number;
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
        `Elasticsearch does not answer: ${describe(error)}`,
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

  /** Installs (or updates) both index templates and creates the indices. Idempotent. */
  async installTemplates(): Promise<ClusterCapabilities> {
    const capabilities = await this.detectCapabilities();
    const targets: [string, Record<string, unknown>][] = [
      [this.options.alertsIndex, alertsTemplate(this.options.alertsIndex, capabilities)],
    ];
    if (this.options.commandsIndex) {
      targets.push([
        this.options.commandsIndex,
        commandsTemplate(this.options.commandsIndex, capabilities),
      ]);
    }
    for (const [index, template] of targets) {
      await this.client.indices.putIndexTemplate({ name: `shellwatch-${index}`, ...template });
      try {
        await this.client.indices.create({ index });
      } catch (error) {
        if (errorType(error) !== 'resource_already_exists_exception') {
          throw error;
        }
      }
    }
    return capabilities;
  }

  /**
   * Sends the documents in bulk requests of at most `bulkMaxDocuments` and
   * classifies each item. Throws ElasticsearchUnavailableError when a request as
   * a whole fails (connection refused, time-out, 5xx for the request): then
   * nothing of that request is known to be written and all of it must be retried.
   */
  async write(documents: OutputDocument[]): Promise<BulkAttempt> {
    const attempt: BulkAttempt = { written: [], retry: [], rejected: [] };
    for (let start = 0; start < documents.length; start += this.options.bulkMaxDocuments) {
      const chunk = documents.slice(start, start + this.options.bulkMaxDocuments);
      const operations: unknown[] = [];
      for (const document of chunk) {
        if (document.op === 'update') {
          // Suppression counts: set (not added) from the checkpointed state, so a replay is harmless.
          operations.push({
            update: { _index: this.indexFor(document), _id: document.id, retry_on_conflict: 3 },
          });
          operations.push({ doc: document.body });
        } else {
          operations.push({ create: { _index: this.indexFor(document), _id: document.id } });
          operations.push(document.body);
        }
      }
      let items: Record<string, BulkItemResponse>[];
      const started = performance.now();
      try {
        const response = await this.client.bulk({ operations });
        items = response.items;
        this.metrics?.bulkRequestFinished((performance.now() - started) / 1000, false);
      } catch (error) {
        this.metrics?.bulkRequestFinished((performance.now() - started) / 1000, true);
        throw new ElasticsearchUnavailableError(`bulk request failed: ${describe(error)}`, error);
      }
      const retriesBefore = attempt.retry.length;
      const rejectedBefore = attempt.rejected.length;
      chunk.forEach((document, i) => {
        const item = items[i];
        const result = document.op === 'update' ? item?.update : item?.create;
        const outcome: BulkItemOutcome = result
          ? classifyBulkItem(result)
          : { kind: 'retry', status: 0, reason: 'missing bulk item in the response' };
        switch (outcome.kind) {
          case 'written':
            attempt.written.push(document);
            break;
          case 'retry':
            attempt.retry.push({ document, reason: outcome.reason });
            break;
          case 'rejected':
            attempt.rejected.push({ document, reason: outcome.reason });
            break;
        }
      });
      this.metrics?.bulkItemsFailed('item_retry', attempt.retry.length - retriesBefore);
      this.metrics?.bulkItemsFailed('item_rejected', attempt.rejected.length - rejectedBefore);
    }
    return attempt;
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

/** The `error.type` of an Elasticsearch error response, if it is one. */
function errorType(error: unknown): string | undefined {
  if (!(error instanceof errors.ResponseError)) return undefined;
  const body = error.body as { error?: { type?: string } } | undefined;
  return body?.error?.type;
}

function describe(error: unknown): string {
  if (error instanceof errors.ResponseError) {
    const body = error.body as { error?: { reason?: string } } | undefined;
    return `${error.statusCode ?? '?'} ${JSON.stringify(body?.error?.reason ?? error.message)}`;
  }
  return error instanceof Error ? error.message : String(error);
}
