/**
 * Decoding: Kafka record bytes → normalized command events (or a DLQ reason).
 * Pure: no I/O, no framework. The pipeline creates one `RecordDecoder` per
 * partition with `createRecordDecoder`; the CLI uses `decodeOne` or a decoder
 * per input. Each format lives in its own `*.decoder.ts`, documented (field
 * names, aliases, mapping) in its header comment: that is the reference the
 * user docs are written from.
 *
 * Labels every format may add (ECS `labels`, all strings):
 * - `envelope`: the outer layers a command came through (`syslog`, `filebeat/syslog`);
 * - `timestamp_source`: `transport` or `received` when the record had no time of
 *   its own and `@timestamp` is the Kafka timestamp or the time of decoding;
 * - `truncated`: the command line / `event.original` were cut at `maxRecordBytes`
 *   (or bash itself truncated the history line);
 * - `nul_replaced`: NUL bytes inside the record were replaced by spaces;
 * - `incomplete`: an auditd event emitted without all its arguments;
 * - `source_port`, `source_address`: the client port, or a client address that
 *   is not an IP (kept out of `source.ip`, which Elasticsearch would reject).
 * Fields of a format that have no ECS home are kept as labels under their own name.
 *
 * Error codes (`DecodeError.code`, the DLQ reason): EMPTY_RECORD (tombstone,
 * empty or blank), INVALID_UTF8, RECORD_TOO_LARGE (over 1 MiB), INVALID_JSON,
 * UNKNOWN_FORMAT (auto found no format; a syslog/filebeat message of no known
 * command format; an unknown pinned format), MISSING_FIELD (`context.field`
 * names it), INVALID_FIELD (wrong type or shape; `context.field` when one field
 * is at fault), INVALID_TIMESTAMP, AUDITD_INCOMPLETE (the records of an auditd
 * event closed without a command: time-out, full buffer, or a part arriving after
 * its event was closed; an event that still gives a command is emitted, with
 * `labels.incomplete` when arguments are missing). A record that holds no
 * command by nature is `ignored` with a reason, never silently dropped.
 * An unexpected exception inside a decoder (a bug) is reported as
 * INVALID_FIELD with `context.internal = true`, never thrown.
 */
export { createRecordDecoder, type DecoderOptions } from './record-decoder';
export { decodeOne, textRecord } from './decode-one';
export { FORMAT_NAMES, isBuiltinFormat, type BuiltinFormat } from './formats';
export { detectFormat } from './detect-format';
export {
  compileFormats,
  type CustomFormatDefinition,
  type FormatsDefinition,
} from './custom-format';
export { validateFormatsDefinition } from './validate-formats';
export { FormatConfigError, type FormatProblem } from './format-config-error';
export type { AuditdOptions } from './auditd-assembler';
export { parseTimestamp, type TimestampResult } from './timestamp';
export { DEFAULT_MAX_RECORD_BYTES, HARD_MAX_RECORD_BYTES } from './text';
export type {
  ClosedRecords,
  DecodeOutcome,
  FormatName,
  IgnoreReason,
  RawRecord,
  RecordDecoder,
} from './types';
