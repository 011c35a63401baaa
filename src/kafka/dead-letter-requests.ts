/**
 * Shapes dead letters so the broker accepts them: each letter capped to a byte
 * budget, the letters grouped into produce requests that each fit under it.
 * Pure (no kafkajs): the sizes are computed from Kafka's record format, not
 * measured on the wire.
 *
 * Why: the broker refuses a whole record batch larger than the topic's
 * max.message.bytes (about 1 MiB by default) with MESSAGE_TOO_LARGE, and
 * kafkajs puts all messages of one `send` for one partition into one batch.
 * 3,500 small dead letters of one source batch, or one 5 MB record, were
 * refused forever and stopped their partition (issue 20, finding 1).
 */

import { chunkByBytes } from './chunk-by-bytes';

/** Headers that say a dead letter does not carry the whole record (docs/errors.md). */
export const TRUNCATION_HEADERS = {
  /** Comma-separated list of what was left out: `value`, `headers`. */
  truncated: 'shellwatch.truncated',
  /** Size in bytes of the record's original value. */
  originalSize: 'shellwatch.original.size',
  /** On a minimal dead letter: why the broker refused the full one. */
  refused: 'shellwatch.dlq.refused',
} as const;

/** One record for the dead-letter topic, as it will be produced. */
export interface DeadLetterMessage {
  key: string;
  value: Buffer | null;
  /** The record's own headers, then Shellwatch's (which win on a clash). */
  headers: Record<string, string>;
  /** Headers Shellwatch adds (reason, source, …): kept even in a minimal letter. */
  ownHeaders: Record<string, string>;
}

/**
 * Fixed part of a v2 record batch (base offset, length, epoch, magic, CRC,
 * attributes, offsets, timestamps, producer id/epoch, sequence, count).
 */
export const RECORD_BATCH_OVERHEAD_BYTES = 61;

/**
 * An upper bound of the bytes `message` takes inside a v2 record batch: each
 * varint counted at its largest (5 bytes; timestamps 10), so the estimate never
 * falls short of what the broker measures.
 */
export function recordBytes(message: Pick<DeadLetterMessage, 'key' | 'value' | 'headers'>): number {
  const VARINT = 5;
  let size =
    VARINT + // record length
    1 + // attributes
    10 + // timestamp delta
    VARINT + // offset delta
    VARINT +
    Buffer.byteLength(message.key) +
    VARINT +
    (message.value?.length ?? 0) +
    VARINT; // header count
  for (const [name, value] of Object.entries(message.headers)) {
    size += VARINT + Buffer.byteLength(name) + VARINT + Buffer.byteLength(value);
  }
  return size;
}

/**
 * The message itself when it fits in one request of `maxBytes`; otherwise its
 * value is cut to the bytes that fit and the letter says so
 * (`shellwatch.truncated: value`, `shellwatch.original.size`). When even the
 * headers do not fit, the record's own headers are left out as well
 * (`headers`), and the value follows only if room remains.
 */
export function capMessage(message: DeadLetterMessage, maxBytes: number): DeadLetterMessage {
  const room = maxBytes - RECORD_BATCH_OVERHEAD_BYTES;
  if (recordBytes(message) <= room) return message;
  const originalSize = message.value?.length ?? 0;
  for (const dropped of [['value'], ['value', 'headers']] as const) {
    const headers = {
      ...(dropped.length === 2 ? {} : message.headers),
      ...message.ownHeaders,
      [TRUNCATION_HEADERS.truncated]: dropped.join(','),
      [TRUNCATION_HEADERS.originalSize]: String(originalSize),
    };
    const withoutValue = recordBytes({ key: message.key, value: Buffer.alloc(0), headers });
    if (withoutValue <= room) {
      const keep = Math.min(originalSize, room - withoutValue);
      return {
        ...message,
        headers,
        value: message.value === null ? null : message.value.subarray(0, keep),
      };
    }
  }
  return minimalMessage(message, 'the dead-letter size limit leaves no room for this record');
}

/**
 * The smallest dead letter that still says what happened: no value, only
 * Shellwatch's headers, the error that refused the full letter. Written when
 * the broker refuses a letter as such (MESSAGE_TOO_LARGE, INVALID_RECORD…), so
 * that the partition moves on and the offset is still on record.
 */
export function minimalMessage(message: DeadLetterMessage, refused: string): DeadLetterMessage {
  return {
    key: message.key,
    value: null,
    ownHeaders: message.ownHeaders,
    headers: {
      ...message.ownHeaders,
      [TRUNCATION_HEADERS.truncated]: 'value,headers',
      [TRUNCATION_HEADERS.originalSize]:
        message.headers[TRUNCATION_HEADERS.originalSize] ?? String(message.value?.length ?? 0),
      [TRUNCATION_HEADERS.refused]: refused.slice(0, 300),
    },
  };
}

/** True for a letter already reduced by minimalMessage: nothing left to cut. */
export function isMinimal(message: DeadLetterMessage): boolean {
  return message.headers[TRUNCATION_HEADERS.refused] !== undefined;
}

/**
 * Groups messages, in order, into requests whose estimated batch size stays
 * under `maxBytes` (each message is expected to be capped already: one that
 * does not fit alone gets a request of its own).
 */
export function splitIntoRequests(
  messages: DeadLetterMessage[],
  maxBytes: number,
): DeadLetterMessage[][] {
  return chunkByBytes(messages, maxBytes, recordBytes, RECORD_BATCH_OVERHEAD_BYTES);
}
