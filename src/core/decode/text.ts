import { fail } from './context';

/** Records larger than this are refused whole (RECORD_TOO_LARGE), whatever `maxRecordBytes` says. */
export const HARD_MAX_RECORD_BYTES = 1024 * 1024;
/** Default cap on the stored command line and `event.original` (longer ones are truncated). */
export const DEFAULT_MAX_RECORD_BYTES = 64 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Bytes → text, the first thing done to every record: a tombstone or empty
 * value is EMPTY_RECORD, more than 1 MiB is RECORD_TOO_LARGE (decoding it would
 * cost more than the record is worth), invalid UTF-8 is INVALID_UTF8 (rather
 * than U+FFFD silently altering a command a rule looks at). A BOM is dropped.
 */
export function bytesToText(value: Uint8Array | null): string {
  if (value === null) return fail('EMPTY_RECORD', 'record has no value (tombstone)');
  if (value.length === 0) return fail('EMPTY_RECORD', 'record is empty');
  if (value.length > HARD_MAX_RECORD_BYTES) {
    return fail(
      'RECORD_TOO_LARGE',
      `record is ${value.length} bytes, more than the ${HARD_MAX_RECORD_BYTES} bytes accepted`,
      {
        bytes: value.length,
      },
    );
  }
  try {
    return utf8.decode(value);
  } catch {
    return fail('INVALID_UTF8', 'record is not valid UTF-8', { bytes: value.length });
  }
}

/** A record's text made ready for decoders, and whether NUL bytes had to be replaced. */
export interface CleanText {
  text: string;
  nulReplaced: boolean;
}

/**
 * Removes what transports add around a record: trailing CR/LF and NUL padding
 * (rsyslog, fixed-size buffers), leading newlines. NUL bytes inside the record
 * become spaces (they separate arguments in /proc/…/cmdline, the usual source)
 * and `labels.nul_replaced="true"` says so. Nothing left is EMPTY_RECORD.
 */
export function cleanText(raw: string): CleanText {
  let start = 0;
  let end = raw.length;
  // Hand loops: /[\r\n\0]+$/ is quadratic on a long run of them mid-record.
  while (start < end && isPadding(raw.charCodeAt(start))) start++;
  while (end > start && isPadding(raw.charCodeAt(end - 1))) end--;
  let text = raw.slice(start, end);
  const nulReplaced = text.includes('\0');
  // split/join: several times faster than a global regex replace on a NUL-heavy record.
  if (nulReplaced) text = text.split('\0').join(' ');
  if (text.trim() === '') fail('EMPTY_RECORD', 'record has only whitespace');
  return { text, nulReplaced };
}

function isPadding(code: number): boolean {
  return code === 0x0d || code === 0x0a || code === 0;
}
