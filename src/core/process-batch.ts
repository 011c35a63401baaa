import { buildAlert, buildCommandDocument } from './alerts/build-alert';
import { alertDocumentId, commandDocumentId } from './alerts/document-ids';
import type { RecordPosition } from './alerts/document-ids';
import type { RawRecord, RecordDecoder } from './decode/types';
import type { CommandEvent } from './event';
import type { RuleEvaluator, RuleMatch } from './rules/types';

const FLUSHED_EVENT_INDEX = 1000;

/** One record of a Kafka batch, transport-neutral. */
export interface BatchRecord extends RawRecord {
  offset: string;
}

/** A document to write, tagged with the record it came from (for per-item failures). */
export interface OutputDocument {
  target: 'alerts' | 'commands';
  id: string;
  body: Record<string, unknown>;
  offset: string;
  /** `update`: merge `body` into the existing document (suppression counts); default `create`. */
  op?: 'update';
}

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
}

export interface ProcessBatchOptions {
  topic: string;
  partition: number;
  decoder: RecordDecoder;
  evaluator: RuleEvaluator;
  /** False when the commands index is turned off. */
  writeCommands: boolean;
  now: () => Date;
  /** Correlation (src/correlation): sees every event in order, returns the matches to write. */
  correlate?: CorrelateHook;
  /**
   * False when more records of the same batch follow in another call (the pipeline
   * processes a large batch in chunks): the decoder's buffered auditd parts are then
   * kept for the next chunk instead of being flushed. Default true: flush at the end.
   */
  endOfBatch?: boolean;
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
}

/** Evaluates one event asynchronously (the json-rules-engine reference, `RULES_ENGINE=reference`). */
export type AsyncEvaluate = (event: CommandEvent) => Promise<RuleMatch[]>;

/**
 * Turns a batch of records into the documents to write and the records to
 * dead-letter. Pure and synchronous: every record ends either in documents, in a
 * dead letter, or (an auditd part) buffered in the decoder until the end of the
 * batch, where the decoder is flushed so nothing stays half-read when the
 * offsets are committed.
 */
export function processBatch(records: BatchRecord[], options: ProcessBatchOptions): ProcessedBatch {
  const decoded = decodeRecords(records, options);
  // Evaluated inside assemble, right before the event's correlation: both then share
  // the event's parsed facts (factsOf keeps the last event's).
  return assemble(decoded, (event) => options.evaluator.evaluate(event), options);
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
  const decoded = decodeRecords(records, options);
  const matches: RuleMatch[][] = [];
  for (const item of decoded.events) matches.push(await evaluate(item.event));
  return assemble(decoded, (_event, i) => matches[i] ?? [], options);
}

interface DecodedBatch {
  events: DecodedEvent[];
  deadLetters: DeadLetter[];
  createdAt: string;
}

function decodeRecords(
  records: BatchRecord[],
  options: Omit<ProcessBatchOptions, 'evaluator'>,
): DecodedBatch {
  const batch: DecodedBatch = {
    events: [],
    deadLetters: [],
    createdAt: options.now().toISOString(),
  };
  let lastOffset: string | undefined;
  const emit = (events: CommandEvent[], offset: string, firstIndex = 0): void => {
    events.forEach((event, i) => batch.events.push({ event, offset, eventIndex: firstIndex + i }));
  };

  for (const record of records) {
    lastOffset = record.offset;
    const outcome = options.decoder.decode(record);
    switch (outcome.kind) {
      case 'events':
        emit(outcome.events, record.offset);
        break;
      case 'pending':
        break;
      case 'error':
        batch.deadLetters.push({
          offset: record.offset,
          record,
          reason: outcome.error.code,
          message: outcome.error.message,
        });
        break;
    }
  }
  if (lastOffset !== undefined && options.endOfBatch !== false) {
    const flushed = options.decoder.flush(options.now().getTime(), true);
    // Flushed events are attributed to the batch's last record, the one whose
    // commit would otherwise forget them. Their ids stay deterministic as long as
    // the redelivered batch ends at the same record, which it does unless its size changes.
    // They are numbered from FLUSHED_EVENT_INDEX so they never collide with that record's own events.
    if (flushed.length > 0) emit(flushed, lastOffset, FLUSHED_EVENT_INDEX);
  }
  return batch;
}

/** Builds the alert and command documents of decoded events; `matchesOf` gives each event's matches. */
function assemble(
  decoded: DecodedBatch,
  matchesOf: (event: CommandEvent, index: number) => RuleMatch[],
  options: Omit<ProcessBatchOptions, 'evaluator'>,
): ProcessedBatch {
  const result: ProcessedBatch = {
    documents: [],
    deadLetters: decoded.deadLetters,
    eventCount: 0,
    alertCount: 0,
    decodedBy: {},
  };
  const { createdAt } = decoded;
  decoded.events.forEach(({ event, offset, eventIndex }, i) => {
    const position: RecordPosition = { topic: options.topic, partition: options.partition, offset };
    const evaluated = matchesOf(event, i);
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
    result.eventCount += 1;
    result.decodedBy[event.log.source] = (result.decodedBy[event.log.source] ?? 0) + 1;
    for (const match of matches) {
      result.alertCount += 1;
      result.documents.push({
        target: 'alerts',
        id: alertDocumentId(position, eventIndex, match.rule.id),
        body: buildAlert(event, match, position, createdAt),
        offset,
      });
    }
    if (options.writeCommands) {
      result.documents.push({
        target: 'commands',
        id: commandDocumentId(position, eventIndex),
        body: buildCommandDocument(event, matches, position, createdAt),
        offset,
      });
    }
  });
  return result;
}
