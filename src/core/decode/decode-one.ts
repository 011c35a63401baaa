import { createRecordDecoder, type DecoderOptions } from './record-decoder';
import type { DecodeOutcome, FormatName, RawRecord } from './types';

const encoder = new TextEncoder();

/** Wraps text as a record, for callers that hold strings (the CLI, tests, benchmarks). */
export function textRecord(text: string, extra: Omit<RawRecord, 'value'> = {}): RawRecord {
  return { ...extra, value: encoder.encode(text) };
}

/**
 * Decodes one self-contained text with a fresh decoder: for the CLI and for
 * tests, where there is no stream to keep auditd state across. Held auditd
 * parts are closed at once, so a multi-line auditd text yields its events (or
 * the dead letter or ignore its incomplete or non-command events earn) rather
 * than `pending`.
 */
export function decodeOne(
  text: string,
  format: FormatName = 'auto',
  options: Omit<DecoderOptions, 'format'> = {},
): DecodeOutcome {
  const decoder = createRecordDecoder({ ...options, format });
  const outcome = decoder.decode(textRecord(text));
  if (outcome.kind === 'error') return outcome;
  const closed = decoder.flush(0, true);
  const events = [
    ...(outcome.kind === 'events' ? outcome.events : []),
    ...closed.events.map((e) => e.event),
  ];
  if (events.length > 0) return { kind: 'events', events };
  const letter = closed.deadLetters[0];
  if (letter !== undefined) return { kind: 'error', error: letter.error };
  if (outcome.kind === 'ignored') return outcome;
  return { kind: 'ignored', reason: closed.ignored[0]?.reason ?? 'not_a_command' };
}
