import { createRecordDecoder } from '../decode/record-decoder';
import type { DecoderOptions, RecordDecoder } from '../decode';
import type { CorrelationStats } from '../correlation/engine';
import { processBatch, processBatchAsync, processEvents } from '../process-batch';
import type {
  AsyncEvaluate,
  BatchRecord,
  PositionedEvent,
  ProcessBatchOptions,
  ProcessedBatch,
} from '../process-batch';
import type { LoadedRule } from '../rules/load-rule-set';
import type { RuleEvaluator } from '../rules/types';
import { createCorrelationEngine } from './correlation-settings';
import type { CorrelationSettings } from './correlation-settings';
import { correlatedRules, EngineCorrelation } from './stream-correlation';
import type { RunCorrelation } from './stream-correlation';

/** Where a run's records come from: document ids are `<topic>:<partition>:<offset>[:<n>]`. */
export interface RunSource {
  topic: string;
  partition: number;
}

/** The rules of a run: the single-event evaluator and every loaded rule (correlation parts). */
export interface RunRules {
  evaluator: RuleEvaluator;
  rules: readonly LoadedRule[];
}

/**
 * Everything that decides what a run makes of its records, in one value: the
 * service, `shellwatch eval`, `POST /rules/test` and `shellwatch rules test` each
 * build one and nothing else.
 */
export interface EventRunOptions {
  source: RunSource;
  rules: RunRules;
  /** Decoders: format, header, operator formats, auditd and size limits (default: auto). */
  input?: DecoderOptions;
  /** Thresholds, sequences, suppression: the service's defaults for what is left out. */
  correlation?: Partial<CorrelationSettings>;
  /** Command documents too (false when the commands index is off); default true. */
  writeCommands?: boolean;
  /** Command documents as JSON text (see ProcessBatchOptions); default false. */
  serializeCommands?: boolean;
  /** Clock of `event.created` and of held auditd time-outs; default the wall clock. */
  now?: () => Date;
}

/**
 * State a run carries from one feed to the next. A run makes its own from its
 * options; the service keeps them per partition across batches (the decoder holds
 * auditd parts, the correlation is checkpointed) and hands them to each batch's run.
 */
export interface EventRunState {
  decoder: RecordDecoder;
  /** Undefined: no enabled rule is a threshold, a sequence or suppressed. */
  correlation: RunCorrelation | undefined;
}

/** What a feed (or the finish) produced: see {@link ProcessedBatch}. */
export type EventRunOutput = ProcessedBatch;

/**
 * The event path, once: records → decode → evaluate → correlate and suppress →
 * alert and command documents with their deterministic ids, and dead letters.
 * `feed` takes records in stream order (any number of calls); `finish` ends a finite
 * input (held auditd records closed, pending absences decided). Synchronous and pure,
 * as the core is; a feed allocates per call, never per record beyond what the
 * documents need.
 */
export class EventRun {
  private readonly batchOptions: ProcessBatchOptions;
  private readonly correlation: RunCorrelation | undefined;

  constructor(options: EventRunOptions, state: EventRunState = newRunState(options)) {
    this.correlation = state.correlation;
    const correlation = this.correlation;
    this.batchOptions = {
      topic: options.source.topic,
      partition: options.source.partition,
      decoder: state.decoder,
      evaluator: options.rules.evaluator,
      writeCommands: options.writeCommands ?? true,
      ...(options.serializeCommands === true ? { serializeCommands: true } : {}),
      now: options.now ?? (() => new Date()),
      ...(correlation === undefined ? {} : { correlate: correlation.correlate }),
    };
  }

  /** Decodes, evaluates and correlates records, in order. */
  feed(records: BatchRecord[]): EventRunOutput {
    return this.withCorrelationDocuments(processBatch(records, this.batchOptions));
  }

  /**
   * {@link feed} with an asynchronous evaluator awaited event by event (the
   * json-rules-engine reference, `RULES_ENGINE=reference`).
   */
  async feedAsync(records: BatchRecord[], evaluate: AsyncEvaluate): Promise<EventRunOutput> {
    const processed = await processBatchAsync(records, this.batchOptions, evaluate);
    return this.withCorrelationDocuments(processed);
  }

  /** Events that need no decoding (a dry run's inputs, a rule's examples), in order. */
  feedEvents(events: readonly PositionedEvent[]): EventRunOutput {
    return this.withCorrelationDocuments(processEvents(events, this.batchOptions));
  }

  /** End of a finite input: closes every held record and decides pending absences. */
  finish(): EventRunOutput {
    const closed = processBatch([], { ...this.batchOptions, closeAll: true });
    if (this.correlation instanceof EngineCorrelation) this.correlation.finish();
    return this.withCorrelationDocuments(closed);
  }

  /** Correlation counters (late, suppressed, …); undefined when the run correlates nothing. */
  correlationStats(): Readonly<CorrelationStats> | undefined {
    return this.correlation instanceof EngineCorrelation
      ? this.correlation.engine.counters
      : undefined;
  }

  private withCorrelationDocuments(processed: ProcessedBatch): ProcessedBatch {
    if (this.correlation === undefined) return processed;
    const createdAt = this.batchOptions.now().toISOString();
    for (const document of this.correlation.documents(createdAt)) {
      processed.documents.push(document);
    }
    return processed;
  }
}

/**
 * A fresh stream: a decoder from `options.input` and, when some enabled rule needs
 * it, a correlation engine from `options.correlation` (the service's defaults for
 * what it leaves out).
 */
export function newRunState(options: EventRunOptions): EventRunState {
  const decoder = createRecordDecoder(options.input ?? {});
  const rules = correlatedRules(options.rules.rules);
  if (rules.size === 0) return { decoder, correlation: undefined };
  const engine = createCorrelationEngine(options.rules.rules, options.correlation);
  return { decoder, correlation: new EngineCorrelation(engine, rules) };
}
