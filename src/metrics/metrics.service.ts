import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { IgnoreReason } from '../core/decode';
import type { OutputDocument, ProcessedBatch } from '../core/process-batch';

/** How a bulk request or one of its items failed (`shellwatch_bulk_failures_total{kind}`). */
export type BulkFailureKind = 'request' | 'item_retry' | 'item_rejected';

/** What became of an audit document (`shellwatch_audit_documents_total{outcome}`). */
export type AuditOutcome = 'written' | 'dropped';

/** The outcome of a rule reload (`shellwatch_rule_reloads_total{result}`). */
export type RuleReloadResult = 'success' | 'failure';

/**
 * Every Prometheus metric of the process, in one registry served at GET /metrics.
 *
 * Labels come from small fixed sets only: decoder names, dead-letter reason
 * codes, rule ids and severities (the rule set is bounded), partition numbers,
 * failure kinds. Never a user name, host name or command line. Adapters call
 * the methods below where the counting happens; nothing here does I/O.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  private readonly recordsConsumed = new Counter({
    name: 'shellwatch_records_consumed_total',
    help: 'Kafka records handed to the pipeline (every record of every batch, good or bad).',
    registers: [this.registry],
  });
  private readonly recordsDecoded = new Counter({
    name: 'shellwatch_records_decoded_total',
    help: 'Command events decoded, per decoder (log.source: vssh, snoopy, auditd, ...).',
    labelNames: ['format'] as const,
    registers: [this.registry],
  });
  private readonly deadLetters = new Counter({
    name: 'shellwatch_dlq_records_total',
    help: 'Records written to the dead-letter topic, per reason code.',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  private readonly recordsIgnored = new Counter({
    name: 'shellwatch_records_ignored_total',
    help: 'Records understood and holding no command (neither a document nor a dead letter), per reason: not_a_command (an auditd login record or open() event, another Teleport event, an osquery removed row, a history timestamp line), auditd_late_eoe (an auditd EOE record with no open event, usually right after its event was written).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  private readonly alerts = new Counter({
    name: 'shellwatch_alerts_total',
    help: 'Alerts produced, per rule id and severity (counted before the write: a redelivered batch counts again).',
    labelNames: ['rule_id', 'severity'] as const,
    registers: [this.registry],
  });
  private readonly evaluation = new Histogram({
    name: 'shellwatch_evaluation_seconds',
    help: 'Time to decode and evaluate one batch, or one chunk of up to 1,000 records of a larger batch, against the rule set (no I/O).',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  private readonly bulkRequest = new Histogram({
    name: 'shellwatch_bulk_request_seconds',
    help: 'Duration of one Elasticsearch bulk request, failed ones included.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly bulkFailures = new Counter({
    name: 'shellwatch_bulk_failures_total',
    help: 'Bulk failures: whole requests (kind="request") and items to retry (429, 5xx; 401/403: a missing right; an index that cannot take documents: missing with automatic creation off, closed, an alias without a write index) or rejected (other 4xx, dead-lettered).',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  private readonly correlationLate = new Counter({
    name: 'shellwatch_correlation_late_events_total',
    help: 'Events older than the correlation watermark (highest @timestamp minus CORRELATION_GRACE_MS): they joined no window.',
    registers: [this.registry],
  });
  private readonly correlationShed = new Counter({
    name: 'shellwatch_correlation_shed_keys_total',
    help: 'Correlation keys dropped because a partition held CORRELATION_MAX_KEYS keys.',
    registers: [this.registry],
  });
  private readonly correlationKeys = new Gauge({
    name: 'shellwatch_correlation_active_keys',
    help: 'Correlation keys held by the partition of the last batch, per partition.',
    labelNames: ['partition'] as const,
    registers: [this.registry],
  });
  private readonly correlationRestores = new Counter({
    name: 'shellwatch_correlation_restores_total',
    help: "Times a partition's correlation state was rebuilt from the changelog (assignment, rebalance, abandoned batch).",
    registers: [this.registry],
  });
  private readonly consumerLag = new Gauge({
    name: 'shellwatch_consumer_lag',
    help: 'Records behind the end of the partition after the last batch this instance processed (high watermark - last offset - 1).',
    labelNames: ['partition'] as const,
    registers: [this.registry],
  });
  private readonly ruleReloads = new Counter({
    name: 'shellwatch_rule_reloads_total',
    help: 'Rule set reloads (start, file changes, API writes), per result: success (also an unchanged set) or failure (the last good set keeps running).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  private readonly rulesActive = new Gauge({
    name: 'shellwatch_rules_active',
    help: 'Enabled rules in the active rule set.',
    registers: [this.registry],
  });
  private readonly rulesInfo = new Gauge({
    name: 'shellwatch_rules_info',
    help: 'Always 1, labelled with the content hash of the active rule set (the same hash everywhere means the same rules everywhere).',
    labelNames: ['hash'] as const,
    registers: [this.registry],
  });

  private readonly rulesStale = new Gauge({
    name: 'shellwatch_rules_stale',
    help: '1 while the active rule set is not what the rule files hold (a rejected edit, a missing folder, a reload not yet done), else 0.',
    registers: [this.registry],
  });
  private readonly ruleTopicRecordCounter = new Counter({
    name: 'shellwatch_rule_topic_records_total',
    help: 'Records of the rule topic (RULES_STORE=kafka) this replica folded in, per outcome: applied, rejected (its expected version did not hold; the same on every replica), unreadable (not JSON, a newer schema, a bad path: nothing changed).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly ruleTopicUnapplied = new Gauge({
    name: 'shellwatch_rule_topic_unapplied',
    help: 'Rules and lists of the rule topic this replica does not run as the topic says (an unreadable record, or a rule that does not compile here); 0 when it runs exactly the topic.',
    registers: [this.registry],
  });
  private readonly ruleTopicOffset = new Gauge({
    name: 'shellwatch_rule_topic_offset',
    help: 'Offset of the last record of the rule topic this replica applied.',
    registers: [this.registry],
  });
  private readonly auditDocuments = new Counter({
    name: 'shellwatch_audit_documents_total',
    help: 'Audit documents of rule changes: written to ES_AUDIT_INDEX, or dropped (queue full, refused by Elasticsearch, or still queued at shutdown; each dropped one is logged whole at error level).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly auditFailures = new Counter({
    name: 'shellwatch_audit_write_failures_total',
    help: 'Failed attempts to write queued audit documents (Elasticsearch down or overloaded); they are retried with back-off.',
    registers: [this.registry],
  });
  private readonly auditQueued = new Gauge({
    name: 'shellwatch_audit_queue_documents',
    help: 'Audit documents waiting to be written to Elasticsearch.',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    for (const outcome of ['written', 'dropped'] satisfies AuditOutcome[]) {
      this.auditDocuments.inc({ outcome }, 0);
    }
    this.auditFailures.inc(0);
    // Present from the start, so rate() and alerts see a 0 before the first failure.
    for (const kind of ['request', 'item_retry', 'item_rejected'] satisfies BulkFailureKind[]) {
      this.bulkFailures.inc({ kind }, 0);
    }
    for (const outcome of ['applied', 'rejected', 'unreadable']) {
      this.ruleTopicRecordCounter.inc({ outcome }, 0);
    }
    for (const result of ['success', 'failure'] satisfies RuleReloadResult[]) {
      this.ruleReloads.inc({ result }, 0);
    }
    for (const reason of ['not_a_command', 'auditd_late_eoe'] satisfies IgnoreReason[]) {
      this.recordsIgnored.inc({ reason }, 0);
    }
  }

  /** Counts audit documents written or dropped. */
  auditDocumentsFinished(outcome: AuditOutcome, count: number): void {
    this.auditDocuments.inc({ outcome }, count);
  }

  /** Counts a failed attempt to write the audit queue. */
  auditWriteFailed(): void {
    this.auditFailures.inc();
  }

  /** How many audit documents wait to be written. */
  auditQueueLength(length: number): void {
    this.auditQueued.set(length);
  }

  /** Counts a batch the core processed: records, events per decoder, ignored records, alerts per rule. */
  batchProcessed(recordCount: number, processed: ProcessedBatch, seconds: number): void {
    this.recordsConsumed.inc(recordCount);
    this.evaluation.observe(seconds);
    for (const [format, count] of Object.entries(processed.decodedBy)) {
      this.recordsDecoded.inc({ format }, count);
    }
    for (const [reason, count] of Object.entries(processed.ignored)) {
      this.recordsIgnored.inc({ reason }, count);
    }
    for (const [labels, count] of countAlerts(processed.documents)) {
      this.alerts.inc(labels, count);
    }
  }

  /** What correlation did in a batch. */
  correlationObserved(stats: {
    partition: number;
    late: number;
    shedKeys: number;
    activeKeys: number;
    restored: boolean;
  }): void {
    if (stats.late > 0) this.correlationLate.inc(stats.late);
    if (stats.shedKeys > 0) this.correlationShed.inc(stats.shedKeys);
    if (stats.restored) this.correlationRestores.inc();
    this.correlationKeys.set({ partition: String(stats.partition) }, stats.activeKeys);
  }

  /** Counts records actually written to the dead-letter topic, per reason code. */
  deadLettered(reasons: readonly string[]): void {
    const counts = new Map<string, number>();
    for (const reason of reasons) counts.set(reason, (counts.get(reason) ?? 0) + 1);
    for (const [reason, count] of counts) this.deadLetters.inc({ reason }, count);
  }

  /** Records behind the end of `partition`, as of the batch just handled. */
  consumerLagObserved(partition: number, lag: number): void {
    this.consumerLag.set({ partition: String(partition) }, Math.max(0, lag));
  }

  bulkRequestFinished(seconds: number, failed: boolean): void {
    this.bulkRequest.observe(seconds);
    if (failed) this.bulkFailures.inc({ kind: 'request' });
  }

  bulkItemsFailed(kind: Exclude<BulkFailureKind, 'request'>, count: number): void {
    if (count > 0) this.bulkFailures.inc({ kind }, count);
  }

  /** A reload finished; on success, the active set's size and hash. */
  ruleReloadFinished(
    result: RuleReloadResult,
    active?: { enabledCount: number; hash: string },
  ): void {
    this.ruleReloads.inc({ result });
    if (active) {
      this.rulesActive.set(active.enabledCount);
      this.rulesInfo.reset();
      this.rulesInfo.set({ hash: active.hash }, 1);
    }
  }

  /** Counts records of the rule topic folded in, per outcome. */
  ruleTopicRecords(outcome: 'applied' | 'rejected' | 'unreadable', count: number): void {
    if (count > 0) this.ruleTopicRecordCounter.inc({ outcome }, count);
  }

  /** Where this replica is in the rule topic and how much of it it cannot run. */
  ruleTopicObserved(offset: bigint, unapplied: number): void {
    this.ruleTopicOffset.set(Number(offset));
    this.ruleTopicUnapplied.set(unapplied);
  }

  /** Whether the active rule set differs from the rule files, as last read. */
  rulesStaleChanged(stale: boolean): void {
    this.rulesStale.set(stale ? 1 : 0);
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/**
 * Alerts per (rule id, severity), read from the alert documents' `rule.id` and `shellwatch.rule.severity`.
 * Exported for tests.
 */
export function countAlerts(
  documents: readonly OutputDocument[],
): [{ rule_id: string; severity: string }, number][] {
  const counts = new Map<
    string,
    { labels: { rule_id: string; severity: string }; count: number }
  >();
  for (const document of documents) {
    if (document.target !== 'alerts') continue;
    const rule = document.body.rule as { id?: unknown } | undefined;
    // ECS has no severity word in `rule.*`: the alert keeps it in shellwatch.rule.severity.
    const vendor = document.body.shellwatch as { rule?: { severity?: unknown } } | undefined;
    const severity = vendor?.rule?.severity;
    const labels = {
      rule_id: typeof rule?.id === 'string' ? rule.id : 'unknown',
      severity: typeof severity === 'string' ? severity : 'unknown',
    };
    const key = `${labels.rule_id}\u0000${labels.severity}`;
    const entry = counts.get(key) ?? { labels, count: 0 };
    entry.count += 1;
    counts.set(key, entry);
  }
  return [...counts.values()].map(({ labels, count }) => [labels, count]);
}
