import type { DecodeError } from '../errors';
import type { CommandEvent } from '../event';

/** Format names accepted by `--format` and per-topic pinning. `auto` detects per record. */
export type FormatName =
  | 'auto'
  | 'lines'
  | 'ecs'
  | 'vssh'
  | 'filebeat'
  | 'syslog'
  | 'snoopy'
  | 'bash-history'
  | 'auditd'
  | 'bastion'
  | 'teleport'
  | 'osquery'
  | (string & {}); // operator-defined formats (formats file)

/** One input record as the transport delivered it. Pure data: no client types. */
export interface RawRecord {
  /** The record's bytes; `null` for a Kafka tombstone. */
  value: Uint8Array | null;
  /** Kafka headers (or none), already decoded to strings. */
  headers?: Readonly<Record<string, string>>;
  /** Source topic, used to pick a pinned format. */
  topic?: string;
  /** Transport timestamp in epoch milliseconds, a fallback when the record has none. */
  timestampMs?: number;
  /** Position in its stream (the Kafka offset), when it has one: names held records. */
  offset?: string;
}

/**
 * Why a record is understood and still gives no event and no dead letter
 * (`shellwatch_records_ignored_total{reason}`):
 * - `not_a_command`: a record or event that holds no command by nature (an auditd
 *   login record or `open()` event, a Teleport event of another kind, an osquery
 *   `removed` row, a bash history timestamp line);
 * - `auditd_late_eoe`: an auditd EOE record with no open event: the event was
 *   already emitted (its other parts announced it complete first), or its other
 *   records were never seen. An EOE carries no data.
 */
export type IgnoreReason = 'not_a_command' | 'auditd_late_eoe';

/**
 * What decoding one record produced:
 * - `events`: one or more command events (a record may carry several, e.g. a batch);
 * - `pending`: the record is held (an auditd part waiting for the rest of its event);
 *   its fate comes out of a later `decode` (the event it completes) or `flush` call;
 * - `ignored`: the record is understood and holds no command (counted by reason);
 * - `error`: the record cannot be decoded; it goes to the dead-letter topic with `error.code`.
 */
export type DecodeOutcome =
  | { kind: 'events'; events: CommandEvent[] }
  | { kind: 'pending' }
  | { kind: 'ignored'; reason: IgnoreReason }
  | { kind: 'error'; error: DecodeError };

/**
 * The fate of held records, decided after their own `decode` call: events closed
 * at the time-out (or by a full buffer, or at the end of input) that still give a
 * command, each attributed to a record and an index for its document id; dead
 * letters; ignored records.
 */
export interface ClosedRecords {
  events: { event: CommandEvent; record: RawRecord; index: number }[];
  deadLetters: { record: RawRecord; error: DecodeError }[];
  ignored: { record: RawRecord; reason: IgnoreReason }[];
}

/**
 * A stateful decoder for one stream (one Kafka partition): auditd needs memory
 * across records, and across batches. A record that `decode` answered `pending`
 * is held until `flush` reports its fate: the caller must not commit past
 * `oldestHeld()` before then.
 */
export interface RecordDecoder {
  decode(record: RawRecord): DecodeOutcome;
  /**
   * Closes held events older than the time-out (all of them with `all`, at the end
   * of a finite input) and returns the fate of every record decided since the last
   * call but not by its own `decode`.
   */
  flush(nowMs: number, all?: boolean): ClosedRecords;
  /** The first record still held, or undefined when none is. */
  oldestHeld(): RawRecord | undefined;
  /** When the oldest held event reaches its time-out (epoch ms), or undefined. */
  nextDeadline(): number | undefined;
}
