import { buildAlert, buildCommandDocument } from './alerts/build-alert';
import { alertDocumentId, commandDocumentId } from './alerts/document-ids';
import type { RecordPosition } from './alerts/document-ids';
import type { IgnoreReason, RawRecord, RecordDecoder } from './decode/types';
import type { CommandEvent } from './event';
import type { DecodeError } from './errors';
import { errorMessage } from './errors';
import type { RuleEvaluator, RuleMatch } from './rules/types';

/** One record of a Kafka batch, transport-neutral. */
export interface BatchRecord extends RawRecord {
  offset: string;
}

/** A document to write, tagged with the record it came from (for per-item failures). */
export interface OutputDocument {
  target: 'alerts' | 'commands';
  id: string;
  /** The document; {@link SERIALIZED_BODY} when `json` holds it instead. */
  body: Record<string, unknown>;
  /**
   * The document as JSON text (`JSON.stringify` of what `body` would be), made when
   * the document was built: command documents of a feed with `serializeCommands`.
   */
  json?: string;
  offset: string;
  /** `update`: merge `body` into the existing document (suppression counts); default `create`. */
  op?: 'update';
  /** The record at `offset` when it is not one of this batch's (an auditd event closed later). */
  record?: RawRecord;
}

/**
 * The `body` of a document whose `json` holds it (see `serializeCommands`): empty and
 * frozen, so that code reading such a body by mistake finds nothing and changes nothing.
 */
export const SERIALIZED_BODY: Record<string, unknown> = Object.freeze({});

/** A record that cannot become a document, with the reason the DLQ records. */
export interface DeadLetter {
  offset: string;
  record: RawRecord;
  reason: string;
  message: string;
}

export interface ProcessedBatch {
  documents: OutputDocument[];
  deadLetters: DeadLetter[];
  eventCount: number;
  alertCount: number;
  /** Records per decoder (log.source) — metrics only. */
  decodedBy: Record<string, number>;
  /** Records understood and holding no command, per reason (counted, never silent). */
  ignored: Partial<Record<IgnoreReason, number>>;
  /**
   * Offset of the first record the decoder still holds (an auditd part whose event
   * is open), or undefined. The source must not commit past it: committing the
   * batch's last offset + 1 would lose the held records in a crash.
   */
  heldFrom?: string;
}

export interface ProcessBatchOptions {
  topic: string;
  partition: number;
  decoder: RecordDecoder;
  evaluator: RuleEvaluator;
  /** False when the commands index is turned off. */
  writeCommands: boolean;
  /**
   * Command documents as JSON text (`json`, body {@link SERIALIZED_BODY}) rather than
   * objects. For the service, whose command documents only go to a bulk request: they
   * live until it is answered, while the next chunk is processed, and the collector
   * copies one string for far less than the objects of an ECS document (issue 25).
   */
  serializeCommands?: boolean;
  now: () => Date;
  /** Correlation (src/correlation): sees every event in order, returns the matches to write. */
  correlate?: CorrelateHook;
  /** End of a finite input: close every record the decoder holds, whatever its time-out. */
  closeAll?: boolean;
}

/** Feeds one event to correlation; returns its single-event matches minus suppressed ones. */
export type CorrelateHook = (
  event: CommandEvent,
  ids: { commandId: string; alertId: (ruleId: string) => string },
  matches: RuleMatch[],
  offset: string,
) => RuleMatch[];

/** One decoded event and where it came from, between decoding and evaluation. */
interface DecodedEvent {
  event: CommandEvent;
  offset: string;
  eventIndex: number;
  /** Set for an event closed after its records were decoded (they may be an earlier batch's). */
  record?: RawRecord;
  /** The record the event was decoded from, to dead-letter should its evaluation fail. */
  source?: RawRecord;
}

/** The dead-letter reason of a record whose event could not be evaluated (a bug, never the input's fault alone). */
export const EVALUATION_FAILED = 'EVALUATION_FAILED';

/** An asynchronous evaluation that threw, kept until the event's turn in {@link assemble}. */
class EvaluationFailure {
  constructor(readonly error: unknown) {}
}

/** Evaluates one event asynchronously (the json-rules-engine reference, `RULES_ENGINE=reference`). */
export type AsyncEvaluate = (event: CommandEvent) => Promise<RuleMatch[]>;

/**
 * One feed of the event run (src/core/event-run, which every entry point calls):
 * turns a batch of records into the documents to write and the records to
 * dead-letter. Pure and synchronous: every record ends in documents, in a dead
 * letter, in the `ignored` counts, or (an auditd part) held by the decoder, across
 * batches, until its event completes or its time-out passes; `heldFrom` then says
 * where the commit must stop. Each call also closes the held events whose time-out
 * passed, so a call with no records (an idle partition's tick) is how they come
 * out when no more records arrive.
 */
export function processBatch(records: BatchRecord[], options: ProcessBatchOptions): ProcessedBatch {
  // Each event is evaluated, correlated and turned into documents as soon as it is
  // decoded, not after the whole chunk was decoded: its record, parsed JSON and facts
  // are still in the CPU's caches, and an event that makes no document dies young
  // instead of being copied by every scavenge that runs while its chunk is decoded.
  // Evaluated right before the event's correlation: both then share the event's
  // parsed facts (factsOf keeps the last event's).
  const createdAt = options.now().toISOString();
  const assembly = new Assembly(options, (event) => options.evaluator.evaluate(event), createdAt);
  const decoded = decodeRecords(records, options, createdAt, (item) => assembly.add(item));
  return assembly.finish(decoded);
}

/**
 * {@link processBatch} with an asynchronous evaluator, awaited event by event (never
 * concurrently): only for `RULES_ENGINE=reference`; the compiled hot path stays synchronous.
 */
export async function processBatchAsync(
  records: BatchRecord[],
  options: Omit<ProcessBatchOptions, 'evaluator'>,
  evaluate: AsyncEvaluate,
): Promise<ProcessedBatch> {
  const decoded = decodeRecords(records, options, options.now().toISOString());
  const matches: (RuleMatch[] | EvaluationFailure)[] = [];
  for (const item of decoded.events) {
    try {
      matches.push(await evaluate(item.event));
    } catch (error) {
      matches.push(new EvaluationFailure(error));
    }
  }
  return assemble(
    decoded,
    (_event, i) => {
      const found = matches[i];
      if (found instanceof EvaluationFailure) throw found.error;
      return found ?? [];
    },
    options,
  );
}

/** An event given as is (no decoding), and the position its ids are derived from. */
export interface PositionedEvent {
  event: CommandEvent;
  offset: string;
  /** The n-th event of its record (0 for the first). */
  eventIndex: number;
}

/**
 * {@link processBatch} for events that need no decoding (a dry run's inputs, a rule's
 * examples): evaluated, correlated and turned into documents exactly as decoded ones.
 */
export function processEvents(
  events: readonly PositionedEvent[],
  options: Omit<ProcessBatchOptions, 'decoder'>,
): ProcessedBatch {
  const decoded: DecodedBatch = {
    events: events.map(({ event, offset, eventIndex }) => ({ event, offset, eventIndex })),
    deadLetters: [],
    ignored: {},
    createdAt: options.now().toISOString(),
  };
  return assemble(decoded, (event) => options.evaluator.evaluate(event), options);
}

interface DecodedBatch {
  events: DecodedEvent[];
  deadLetters: DeadLetter[];
  ignored: Partial<Record<IgnoreReason, number>>;
  heldFrom?: string;
  createdAt: string;
}

/**
 * Decodes the records in order. Each event goes to `onEvent` when given (then
 * `events` stays empty), else into `events`; decoding never throws (a record that
 * cannot be decoded is a dead letter), so `onEvent` sees every event in stream order.
 */
function decodeRecords(
  records: BatchRecord[],
  options: Omit<ProcessBatchOptions, 'evaluator'>,
  createdAt: string,
  onEvent?: (item: DecodedEvent) => void,
): DecodedBatch {
  const batch: DecodedBatch = { events: [], deadLetters: [], ignored: {}, createdAt };
  const take = onEvent ?? ((item: DecodedEvent): void => void batch.events.push(item));
  const emit = (events: CommandEvent[], record: BatchRecord): void => {
    for (let eventIndex = 0; eventIndex < events.length; eventIndex++) {
      take({ event: events[eventIndex]!, offset: record.offset, eventIndex, source: record });
    }
  };
  const deadLetter = (record: RawRecord, error: DecodeError): void => {
    batch.deadLetters.push({
      offset: offsetOf(record),
      record,
      reason: error.code,
      message: error.message,
    });
  };
  const ignore = (reason: IgnoreReason): void => {
    batch.ignored[reason] = (batch.ignored[reason] ?? 0) + 1;
  };

  for (const record of records) {
    const outcome = options.decoder.decode(record);
    switch (outcome.kind) {
      case 'events':
        emit(outcome.events, record);
        break;
      case 'pending':
        break;
      case 'ignored':
        ignore(outcome.reason);
        break;
      case 'error':
        deadLetter(record, outcome.error);
        break;
    }
  }
  // Held records whose fate was decided since: events closed at the time-out (or by a
  // full buffer) keep the id of their own last record, whichever batch closes them, so
  // a redelivery that closes them again writes the same documents.
  const closed = options.decoder.flush(options.now().getTime(), options.closeAll === true);
  for (const { event, record, index } of closed.events) {
    take({ event, offset: offsetOf(record), eventIndex: index, record });
  }
  for (const { record, error } of closed.deadLetters) deadLetter(record, error);
  for (const { reason } of closed.ignored) ignore(reason);
  const held = options.decoder.oldestHeld();
  if (held !== undefined) batch.heldFrom = offsetOf(held);
  return batch;
}

/** The offset of a record this module gave the decoder (always a BatchRecord). */
function offsetOf(record: RawRecord): string {
  return record.offset ?? '0';
}

/** Builds the alert and command documents of decoded events; `matchesOf` gives each event's matches. */
function assemble(
  decoded: DecodedBatch,
  matchesOf: (event: CommandEvent, index: number) => RuleMatch[],
  options: Omit<ProcessBatchOptions, 'evaluator' | 'decoder'>,
): ProcessedBatch {
  const assembly = new Assembly(options, matchesOf, decoded.createdAt);
  for (const item of decoded.events) assembly.add(item);
  return assembly.finish(decoded);
}

/**
 * The documents of one feed, built one decoded event at a time in stream order
 * (`add`), then the feed's result (`finish`). `matchesOf` gets the event and its
 * index among the feed's events.
 */
class Assembly {
  private readonly documents: OutputDocument[] = [];
  /** Records dead-lettered because one of their events could not be evaluated, in order. */
  private readonly evaluationFailures: DeadLetter[] = [];
  /** Their offsets (one dead letter per record). */
  private readonly failed = new Set<string>();
  private eventCount = 0;
  private alertCount = 0;
  private readonly decodedBy: Record<string, number> = {};
  private added = 0;

  constructor(
    private readonly options: Omit<ProcessBatchOptions, 'evaluator' | 'decoder'>,
    private readonly matchesOf: (event: CommandEvent, index: number) => RuleMatch[],
    private readonly createdAt: string,
  ) {}

  add({ event, offset, eventIndex, record, source }: DecodedEvent): void {
    const { options, createdAt, documents } = this;
    const i = this.added++;
    const position: RecordPosition = { topic: options.topic, partition: options.partition, offset };
    // Documents go straight into the feed's list; a failed event takes back what it
    // added (no array per event on the record path).
    const firstDocument = documents.length;
    let alerts = 0;
    try {
      const evaluated = this.matchesOf(event, i);
      const matches = options.correlate
        ? options.correlate(
            event,
            {
              commandId: commandDocumentId(position, eventIndex),
              alertId: (ruleId) => alertDocumentId(position, eventIndex, ruleId),
            },
            evaluated,
            offset,
          )
        : evaluated;
      for (const match of matches) {
        alerts += 1;
        documents.push({
          target: 'alerts',
          id: alertDocumentId(position, eventIndex, match.rule.id),
          body: buildAlert(event, match, position, createdAt),
          offset,
          ...(record === undefined ? {} : { record }),
        });
      }
      if (options.writeCommands) {
        const body = buildCommandDocument(event, matches, position, createdAt);
        documents.push({
          target: 'commands',
          id: commandDocumentId(position, eventIndex),
          ...(options.serializeCommands === true
            ? { body: SERIALIZED_BODY, json: JSON.stringify(body) }
            : { body }),
          offset,
          ...(record === undefined ? {} : { record }),
        });
      }
    } catch (error) {
      // A rule, correlation or alert-building failure on one event must not stop the
      // partition: thrown out of the batch, it would fail the same batch again on every
      // redelivery. The record goes to the DLQ with the cause, as a decoder failure does.
      const from = record ?? source;
      if (from === undefined) throw error;
      if (!this.failed.has(offset)) {
        this.failed.add(offset);
        this.evaluationFailures.push({
          offset,
          record: from,
          reason: EVALUATION_FAILED,
          message: `evaluating event ${eventIndex} of the record failed: ${errorMessage(error)}`,
        });
      }
      documents.length = firstDocument;
      return;
    }
    this.eventCount += 1;
    this.alertCount += alerts;
    this.decodedBy[event.log.source] = (this.decodedBy[event.log.source] ?? 0) + 1;
  }

  /** The feed's result: the decoding's dead letters first, then the evaluation's. */
  finish(decoded: DecodedBatch): ProcessedBatch {
    const deadLetters = decoded.deadLetters;
    for (const letter of this.evaluationFailures) deadLetters.push(letter);
    return {
      documents: this.documents,
      deadLetters,
      eventCount: this.eventCount,
      alertCount: this.alertCount,
      decodedBy: this.decodedBy,
      ignored: decoded.ignored,
      ...(decoded.heldFrom === undefined ? {} : { heldFrom: decoded.heldFrom }),
    };
  }
}
