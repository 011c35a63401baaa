import type { CommandEvent } from '../event';

const encoder = new TextEncoder();
const lenient = new TextDecoder('utf-8');

/**
 * Caps the command line and `event.original` at `maxBytes` of UTF-8 so that
 * one enormous record cannot bloat a document or slow every rule's regex, and
 * each label value at 1 KiB; a capped event carries `labels.truncated="true"`. (Records over the 1 MiB hard
 * cap never get here: they are RECORD_TOO_LARGE.)
 */
export function capEvent(event: CommandEvent, maxBytes: number): CommandEvent {
  const command = capString(event.process.command_line, maxBytes);
  const original = capString(event.event.original, maxBytes);
  const labels = capLabels(event.labels, Math.min(maxBytes, MAX_LABEL_BYTES));
  if (command === undefined && original === undefined && labels === undefined) return event;
  const capped: CommandEvent = {
    ...event,
    process: { ...event.process, command_line: command ?? event.process.command_line },
    event: { ...event.event, original: original ?? event.event.original },
    labels: { ...(labels ?? event.labels), truncated: 'true' },
  };
  return capped;
}

/** Labels are keywords in Elasticsearch (ignore_above 1024 by default); long values are cut. */
const MAX_LABEL_BYTES = 1024;

function capLabels(
  labels: Record<string, string> | undefined,
  maxBytes: number,
): Record<string, string> | undefined {
  if (labels === undefined) return undefined;
  let out: Record<string, string> | undefined;
  for (const key in labels) {
    const cut = capString(labels[key] ?? '', maxBytes);
    if (cut === undefined) continue;
    out ??= { ...labels };
    out[key] = cut;
  }
  return out;
}

/** The string cut to `maxBytes` of UTF-8 (never inside a character), or undefined when it fits. */
export function capString(text: string, maxBytes: number): string | undefined {
  // Fast path: a UTF-16 unit is at most 3 bytes of UTF-8.
  if (text.length * 3 <= maxBytes) return undefined;
  const bytes = encoder.encode(text);
  if (bytes.length <= maxBytes) return undefined;
  let end = maxBytes;
  // Step back over continuation bytes (10xxxxxx) so a character is not split.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return lenient.decode(bytes.subarray(0, end));
}
