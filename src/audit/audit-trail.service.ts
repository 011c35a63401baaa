import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationShutdown } from '@nestjs/common';
import { CONFIG } from '../config/config';
import type { Config } from '../config/config';
import { auditWriter } from '../elasticsearch/audit-writer';
import { ElasticsearchSink } from '../elasticsearch/elasticsearch.sink';
import { MetricsService } from '../metrics/metrics.service';
import { auditDocument } from './audit-document';
import type { AuditDocument, RuleChangeRecord } from './audit-document';
import { AuditTrail } from './audit-trail';

/** Memory the queue may hold while Elasticsearch is down: thousands of rule changes. */
export const AUDIT_QUEUE_MAX_BYTES = 16 * 1024 * 1024;
const AUDIT_MAX_BATCH = 500;
const AUDIT_FIRST_RETRY_MS = 500;

/**
 * The audit trail of rule changes (ES_AUDIT_INDEX): RulesService records each
 * change after its file is written; delivery is AuditTrail's (queued, retried,
 * never dropped without a log line). With ES_AUDIT_INDEX empty it does nothing.
 */
@Injectable()
export class AuditTrailService implements OnApplicationShutdown {
  private readonly logger = new Logger('Audit');
  private readonly trail: AuditTrail | null;

  constructor(
    @Inject(CONFIG) config: Config,
    sink: ElasticsearchSink,
    private readonly metrics: MetricsService,
  ) {
    const index = config.elasticsearch.auditIndex;
    this.trail =
      index === null
        ? null
        : new AuditTrail(
            auditWriter(sink.client, index),
            {
              written: (count) => metrics.auditDocumentsFinished('written', count),
              dropped: (document, reason) => this.dropped(document, reason),
              attemptFailed: (reason, queued, first) => {
                metrics.auditWriteFailed();
                if (first) {
                  this.logger.warn(
                    `audit trail: cannot write to ${index} (${reason}); ${queued} document(s) kept in memory and retried with back-off`,
                  );
                }
              },
              recovered: (written, attempts) =>
                this.logger.log(
                  `audit trail: ${index} writable again after ${attempts} failed attempt(s); ${written} queued document(s) written`,
                ),
              queueLength: (length) => metrics.auditQueueLength(length),
            },
            {
              maxQueueBytes: AUDIT_QUEUE_MAX_BYTES,
              maxBatch: AUDIT_MAX_BATCH,
              minDelayMs: AUDIT_FIRST_RETRY_MS,
              maxDelayMs: config.elasticsearch.retryMaxDelayMs,
            },
          );
  }

  /**
   * Records one change; returns at once (the API does not wait for Elasticsearch).
   * With `id` (a rule topic record's change id), replicas recording the same change
   * leave one document.
   */
  record(change: RuleChangeRecord, id?: string): void {
    this.trail?.record(auditDocument(change), id);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.trail?.close();
  }

  private dropped(document: AuditDocument, reason: string): void {
    this.metrics.auditDocumentsFinished('dropped', 1);
    // The log is the document's last copy: whole, at error level, one line.
    this.logger.error(`audit document not written (${reason}): ${JSON.stringify(document)}`);
  }
}
