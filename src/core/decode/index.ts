/**
 * Decoding: Kafka record bytes → normalized command events (or a DLQ reason).
 * Pure: no I/O, no framework. The pipeline creates one `RecordDecoder` per
 * partition with `createRecordDecoder`; the CLI uses `decodeOne`. Each format
 * lives in its own `*.decoder.ts`, documented in its header comment.
 */
export { createRecordDecoder, type DecoderOptions } from './record-decoder';
export { decodeOne, textRecord } from './decode-one';
export { FORMAT_NAMES, isBuiltinFormat, type BuiltinFormat } from './formats';
export { detectFormat } from './detect-format';
export {
  compileFormats,
  validateFormatsDefinition,
  type CustomFormatDefinition,
  type FormatsDefinition,
} from './custom-format';
export { FormatConfigError, type FormatProblem } from './format-config-error';
export type { AuditdOptions } from './auditd-assembler';
export { parseTimestamp, type TimestampResult } from './timestamp';
export { DEFAULT_MAX_RECORD_BYTES, HARD_MAX_RECORD_BYTES } from './text';
export type { DecodeOutcome, FormatName, RawRecord, RecordDecoder } from './types';
