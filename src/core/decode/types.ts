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
}

/**
 * What decoding one record produced:
 * - `events`: zero or more command events (a record may carry several, e.g. a batch);
 * - `pending`: the record was buffered (an auditd part waiting for the rest of its event);
 *   the events it belongs to come out of a later `decode` or `flush` call;
 * - `error`: the record cannot be decoded; it goes to the dead-letter topic with `error.code`.
 */
export type DecodeOutcome =
  | { kind: 'events'; events: CommandEvent[] }
  | { kind: 'pending' }
  | { kind: 'error'; error: DecodeError };

/** A stateful decoder for one stream (one Kafka partition): auditd needs memory across records. */
export interface RecordDecoder {
  decode(record: RawRecord): DecodeOutcome;
  /** Emits buffered partial events older than the time-out (or all of them with `all`). */
  flush(nowMs: number, all?: boolean): CommandEvent[];
}
