import { Inject, Injectable, Logger } from '@nestjs/common';
import { ShellwatchError } from '../core/errors';
import { EventRun } from '../core/event-run';
import type { EventRunOptions } from '../core/event-run';
import type { AsyncEvaluate } from '../core/process-batch';
import { CompiledRuleEvaluator, createReferenceEvaluator } from '../core/rules';
import type { RuleSet } from '../core/rules';
import type { DeadLetter, OutputDocument } from '../core/process-batch';
import { CONFIG } from '../config/config';
import { CorrelationService } from '../correlation/correlation.service';
import type { Config } from '../config/config';
import { ElasticsearchSink } from '../elasticsearch/elasticsearch.sink';
import type { HeldCause } from '../elasticsearch/bulk-outcome';
import { HealthState } from '../health/health-state';
import { KafkaConnection } from '../kafka/kafka-connection';
import { MetricsService } from '../metrics/metrics.service';
import type { BatchAck, SourceBatch } from '../kafka/source-batch';
import type { PublishedAlert } from '../kafka/alerts.producer';
import { RuleStore } from '../rules-store/rule-store.service';
import { DecoderFactory } from './decoder-factory';
import { PartitionStreams } from './partition-streams';
import { RetryAbandoned, retryUntilDone } from './retry-until-done';
import { errorMessage } from '../core/errors';

/** Some documents were answered 429/5xx: the whole remainder is tried again. */
class PartialWriteError extends ShellwatchError {
  constructor(count: number, reason: string) {
    super('ES_ITEMS_RETRY', `${count} documents not written yet (${reason})`, true);
  }
}

/**
 * What each cause of a held write (HeldCause) is called and how a person cures it:
 * the one place that tells a missing right from an unwritable index.
 */
const HELD_WRITES: Record<
  HeldCause,
  { code: string; message: (count: number, reason: string) => string }
> = {
  denied: {
    code: 'ES_ITEMS_DENIED',
    message: (count, reason) =>
      `Elasticsearch refused ${count} documents for lack of a right (${reason}); grant the service's user create_doc (and create_index) on the indices, or lift the write block; nothing is dead-lettered meanwhile`,
  },
  unwritable: {
    code: 'ES_TARGET_UNWRITABLE',
    message: (count, reason) =>
      `Elasticsearch cannot write ${count} documents to their index (${reason}); create the index (or allow its automatic creation), open it, or give its alias a write index; nothing is dead-lettered meanwhile`,
  },
};

/**
 * Some documents were refused by the cluster's configuration (a missing right, an
 * index that cannot take documents): tried again with back-off like the others, but
 * waiting alone will not cure it (not retriable), so readiness names the partition
 * stuck at once; never a reason to dead-letter the stream.
 */
class HeldWriteError extends ShellwatchError {
  constructor(cause: HeldCause, count: number, reason: string) {
    super(HELD_WRITES[cause].code, HELD_WRITES[cause].message(count, reason), false);
  }
}

/**
 * The one place that knows the order: batch from Kafka → decode and evaluate in
 * the pure core → write to Elasticsearch → dead-letter what cannot be written →
 * acknowledge, so the source commits. Nothing is acknowledged that was not
 * written, and nothing is dropped: a batch either completes or is abandoned
 * uncommitted (shutdown, rebalance) and redelivered.
 */
@Injectable()
export class PipelineService {
  private readonly logger = new Logger('Pipeline');
  private readonly streams: PartitionStreams;
  /** json-rules-engine evaluators per active rule set, for `RULES_ENGINE=reference`. */
  private readonly references = new WeakMap<RuleSet, AsyncEvaluate>();
  /**
   * What every batch's event run shares. Its state is the partition's: the decoder
   * (DecoderFactory, INPUT_FORMAT*) and the correlation (CorrelationService, whose
   * engines are built by the core's createCorrelationEngine from CORRELATION_*).
   */
  private readonly runOptions: Omit<EventRunOptions, 'source' | 'rules' | 'input' | 'correlation'>;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly sink: ElasticsearchSink,
    private readonly kafka: KafkaConnection,
    private readonly rules: RuleStore,
    private readonly health: HealthState,
    private readonly decoderFactory: DecoderFactory,
    private readonly metrics: MetricsService,
    private readonly correlation: CorrelationService,
  ) {
    this.streams = new PartitionStreams(() => this.decoderFactory.create());
    this.runOptions = {
      writeCommands: config.elasticsearch.commandsIndex !== null,
      // Command documents only go to the bulk request: kept as text until it is answered.
      serializeCommands: true,
      now: () => new Date(),
    };
  }

  async handleBatch(batch: SourceBatch): Promise<BatchAck> {
    const { topic, partition } = batch;
    const decoder = this.streams.decoderFor(topic, partition, batch.records[0]?.offset);
    // An idle partition's tick (no records): work only when a held auditd event timed out.
    if (batch.records.length === 0 && !this.streams.due(topic, partition, Date.now())) {
      return { complete: true };
    }
    const fedBefore = this.streams.lastOffset(topic, partition);
    const firstOffset = batch.records[0]?.offset ?? (BigInt(fedBefore ?? '-1') + 1n).toString();
    const lastOffset = batch.records[batch.records.length - 1]?.offset ?? fedBefore ?? '0';
    let heldFrom: string | undefined;
    const { evaluator, loaded } = this.rules.snapshot();
    // Undefined unless a threshold, sequence or suppressed rule is loaded.
    const correlation = await this.correlation.begin(partition, firstOffset, loaded);
    // The batch's run continues the partition's stream: its decoder (held auditd parts)
    // and its correlation state (restored from the changelog when needed).
    const run = new EventRun(
      { ...this.runOptions, source: { topic, partition }, rules: { evaluator, rules: loaded } },
      { decoder, correlation },
    );
    const reference =
      this.config.rules.engine === 'reference' && evaluator instanceof CompiledRuleEvaluator
        ? this.referenceFor(evaluator.ruleSet)
        : undefined;
    const deadLetters: DeadLetter[] = [];
    const rejected: { document: OutputDocument; reason: string }[] = [];
    const written: OutputDocument[] = [];
    // At most one bulk request of this batch in flight: chunk n+1 is decoded and
    // evaluated while chunk n is being written (the event loop is free while
    // Elasticsearch works). Chunks are processed in order, so correlation and the
    // decoder see the partition's records in order; the batch is acknowledged only
    // after every chunk is written.
    let writing: Promise<void> | undefined;
    try {
      const chunks = chunk(batch.records, PIPELINE_CHUNK_RECORDS);
      for (const [i, records] of chunks.entries()) {
        const endOfBatch = i === chunks.length - 1;
        const started = performance.now();
        // Correlation alerts and suppression counts come with the chunk of the event
        // that raised them.
        const processed = reference ? await run.feedAsync(records, reference) : run.feed(records);
        const fed = records[records.length - 1]?.offset;
        if (fed !== undefined) this.streams.fed(topic, partition, fed);
        heldFrom = processed.heldFrom;
        this.metrics.batchProcessed(
          records.length,
          processed,
          (performance.now() - started) / 1000,
        );
        deadLetters.push(...processed.deadLetters);
        const documents = processed.documents;
        if (endOfBatch && correlation) this.metrics.correlationObserved(correlation.stats());
        written.push(...documents);
        await writing;
        writing = this.writeAll(documents, batch).then((refused) => {
          rejected.push(...refused);
        });
        // Awaited above or below; this only keeps a failure from being reported as
        // unhandled while the next chunk is processed.
        writing.catch(() => undefined);
      }
      await writing;
      // Elasticsearch has the batch's alerts: publish them before anything is acknowledged.
      await this.publishAlerts(alertsToPublish(written, rejected), batch);
      deadLetters.push(...this.deadLettersFor(rejected, batch));
      const delivery = this.kafka.deadLetters.delivery(batch.topic, batch.partition, deadLetters);
      await retryUntilDone(() => delivery.deliver(), {
        maxDelayMs: this.config.elasticsearch.retryMaxDelayMs,
        isActive: () => batch.isActive(),
        onFailure: async (error, attempt, retriable) => {
          this.health.batchWriteFailed(batch, {
            cause: errorMessage(error),
            permanent: !retriable,
          });
          this.logger.warn(
            `dead-letter write failed (attempt ${attempt}, topic ${batch.topic}, partition ${batch.partition}, ${delivery.remaining} requests left): ${errorMessage(error)}`,
          );
          await batch.heartbeat();
        },
      });
      if (correlation) {
        // Elasticsearch has the batch's alerts: checkpoint the state, then acknowledge.
        await retryUntilDone(() => correlation.checkpoint(lastOffset), {
          maxDelayMs: this.config.elasticsearch.retryMaxDelayMs,
          isActive: () => batch.isActive(),
          onFailure: async (error, attempt, retriable) => {
            this.health.batchWriteFailed(batch, {
              cause: `checkpointing correlation state: ${errorMessage(error)}`,
              permanent: !retriable,
            });
            this.logger.warn(
              `correlation checkpoint failed (attempt ${attempt}, partition ${batch.partition}): ${errorMessage(error)}`,
            );
            await batch.heartbeat();
          },
        });
      }
    } catch (error) {
      // A write still in flight must settle before the batch is reported abandoned.
      await writing?.catch(() => undefined);
      this.health.batchWriteSettled(batch);
      if (error instanceof RetryAbandoned) {
        this.logger.warn(
          `batch abandoned uncommitted (stopping or partition revoked): topic ${batch.topic}, partition ${batch.partition}, offsets ${batch.records[0]?.offset ?? '?'}..`,
        );
        return { complete: false };
      }
      throw error;
    }
    this.health.batchWriteSettled(batch);
    this.metrics.deadLettered(deadLetters.map((letter) => letter.reason));
    if (batch.lag !== undefined) this.metrics.consumerLagObserved(batch.partition, batch.lag);
    if (deadLetters.length > 0) {
      this.logger.warn(
        `${deadLetters.length} records dead-lettered (topic ${batch.topic}, partition ${batch.partition}): ${summarize(deadLetters)}`,
      );
    }
    // Never past a record the decoder still holds (an auditd part of an open event).
    const commitOffset = this.streams.commitOffset(topic, partition, heldFrom);
    return commitOffset === undefined ? { complete: true } : { complete: true, commitOffset };
  }

  /** Writes until every document is written or rejected; returns the rejected ones. */
  private async writeAll(
    documents: OutputDocument[],
    batch: SourceBatch,
  ): Promise<{ document: OutputDocument; reason: string }[]> {
    let pending = documents;
    const rejected: { document: OutputDocument; reason: string }[] = [];
    if (pending.length === 0) return rejected;
    await retryUntilDone(
      async () => {
        const attempt = await this.sink.write(pending);
        rejected.push(...attempt.rejected);
        pending = [...attempt.held, ...attempt.retry].map((r) => r.document);
        const held = heldWriteError(attempt.held);
        if (held !== undefined) throw held;
        if (pending.length > 0)
          throw new PartialWriteError(pending.length, attempt.retry[0]?.reason ?? '');
        this.health.elasticsearchStateChanged(true);
      },
      {
        maxDelayMs: this.config.elasticsearch.retryMaxDelayMs,
        isActive: () => batch.isActive(),
        onFailure: async (error, attempt, retriable) => {
          this.health.elasticsearchStateChanged(false, `Elasticsearch: ${errorMessage(error)}`);
          this.health.batchWriteFailed(batch, {
            cause: `writing ${pending.length} documents to Elasticsearch: ${errorMessage(error)}`,
            permanent: !retriable,
          });
          this.logger.warn(
            `writing to Elasticsearch failed (attempt ${attempt}, ${pending.length} documents, topic ${batch.topic}, partition ${batch.partition}): ${errorMessage(error)}; retrying`,
          );
          await batch.heartbeat();
        },
      },
    );
    return rejected;
  }

  /**
   * Produces the written alerts to the alerts topic (KAFKA_ALERTS_TOPIC), retried
   * until the broker acknowledged them all: the batch is committed only after,
   * so a crash in between produces the same keys again (at-least-once).
   */
  private async publishAlerts(alerts: PublishedAlert[], batch: SourceBatch): Promise<void> {
    const producer = this.kafka.alerts;
    if (producer === undefined || alerts.length === 0) return;
    const delivery = producer.delivery(alerts);
    await retryUntilDone(() => delivery.deliver(), {
      maxDelayMs: this.config.elasticsearch.retryMaxDelayMs,
      isActive: () => batch.isActive(),
      onFailure: async (error, attempt, retriable) => {
        this.health.batchWriteFailed(batch, {
          cause: `producing alerts to ${producer.topic}: ${errorMessage(error)}`,
          permanent: !retriable,
        });
        this.logger.warn(
          `producing alerts failed (attempt ${attempt}, topic ${producer.topic}, partition ${batch.partition}, ${delivery.remaining} requests left): ${errorMessage(error)}`,
        );
        await batch.heartbeat();
      },
    });
  }

  /** One dead letter per record whose document Elasticsearch refused. */
  private deadLettersFor(
    rejected: { document: OutputDocument; reason: string }[],
    batch: SourceBatch,
  ): DeadLetter[] {
    const byOffset = new Map<string, DeadLetter>();
    for (const { document, reason } of rejected) {
      if (byOffset.has(document.offset)) continue;
      if (document.op === 'update') {
        // A suppression count whose first alert is missing: the record itself is written.
        this.logger.warn(`suppression count not set on ${document.id}: ${reason}`);
        continue;
      }
      // An auditd event closed after its batch names its own record.
      const record = document.record ?? batch.records.find((r) => r.offset === document.offset);
      if (!record) {
        this.logger.error(`no record at offset ${document.offset} for refused ${document.id}`);
        continue;
      }
      byOffset.set(document.offset, {
        offset: document.offset,
        record,
        reason: 'ES_REJECTED',
        message: `Elasticsearch refused the ${document.target} document: ${reason}`,
      });
    }
    return [...byOffset.values()];
  }

  /** The reference evaluator of a rule set (slow, async, one Engine per event); built once per set. */
  private referenceFor(ruleSet: RuleSet): AsyncEvaluate {
    let evaluate = this.references.get(ruleSet);
    if (evaluate === undefined) {
      const reference = createReferenceEvaluator(ruleSet);
      evaluate = (event) => reference.evaluateReference(event);
      this.references.set(ruleSet, evaluate);
    }
    return evaluate;
  }
}

/**
 * Records per chunk of a batch. A fetch hands over up to KAFKA_MAX_BYTES_PER_PARTITION
 * (1 MiB: about 4,000 bench records) per partition; processing and writing them in
 * chunks lets the event loop decode and evaluate chunk n+1 while Elasticsearch
 * indexes chunk n, instead of leaving one of the two idle. 1,000 records (about
 * 60 ms of CPU, a bulk request under 1 MB) keeps requests large enough for
 * Elasticsearch to index efficiently.
 */
const PIPELINE_CHUNK_RECORDS = 1000;

function chunk<T>(items: T[], size: number): T[][] {
  if (items.length <= size) return [items];
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size)
    chunks.push(items.slice(start, start + size));
  return chunks;
}

/** The alert documents Elasticsearch holds now (not refused, not a suppression count update). */
function alertsToPublish(
  written: readonly OutputDocument[],
  rejected: readonly { document: OutputDocument }[],
): PublishedAlert[] {
  const refused = new Set(rejected.map(({ document }) => document.id));
  return written
    .filter((d) => d.target === 'alerts' && d.op === undefined && !refused.has(d.id))
    .map(({ id, body }) => ({ id, body }));
}

function summarize(letters: DeadLetter[]): string {
  const counts = new Map<string, number>();
  for (const letter of letters) counts.set(letter.reason, (counts.get(letter.reason) ?? 0) + 1);
  return [...counts].map(([reason, n]) => `${reason}×${n}`).join(', ');
}

/**
 * The error of an attempt's held documents, for the first cause among them (a missing
 * right before an unwritable index: granting it may be all that is needed); undefined
 * when none is held.
 */
function heldWriteError(
  held: readonly { reason: string; cause: HeldCause }[],
): HeldWriteError | undefined {
  for (const cause of ['denied', 'unwritable'] as const) {
    const ofCause = held.filter((item) => item.cause === cause);
    const first = ofCause[0];
    if (first !== undefined) return new HeldWriteError(cause, ofCause.length, first.reason);
  }
  return undefined;
}
