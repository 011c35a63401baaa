import { DecodeError, type DecodeErrorCode } from '../errors';
import type { CommandEvent } from '../event';
import { buildEvent, mergeFields, type EventFields } from './event-fields';
import type { JsonObject } from './json';
import type { DecodeOutcome, IgnoreReason, RawRecord } from './types';

/**
 * What a format decoder knows besides its text: the whole record (for
 * `event.original`), the time to fall back on, the fields that outer layers
 * (a syslog header, a filebeat envelope) already found, and a way to decode an
 * embedded message. Decoders are plain functions of (text, context): the only
 * state (auditd's buffer) lives behind `nested`/`auditd` in the record decoder.
 */
export interface DecodeContext {
  /** The record as received after UTF-8 decoding (already capped), for `event.original`. */
  readonly original: string;
  /** "Now" for this record: the transport timestamp, else the decoder's clock. Used to infer a syslog year. */
  readonly referenceMs: number;
  /** Where `referenceMs` came from, recorded in `labels.timestamp_source` when it becomes `@timestamp`. */
  readonly referenceSource: 'transport' | 'received';
  /** Fields found by outer layers; the inner decoder's own values win. */
  readonly envelope: EventFields;
  /** Outer layers, outermost first (`['filebeat', 'syslog']`), recorded in `labels.envelope`. */
  readonly layers: readonly string[];
  /** Decodes a message embedded in an outer format; `program` is the syslog tag when known. */
  readonly nested: (text: string, ctx: DecodeContext, program?: string) => DecodeOutcome;
  /** The record being decoded: what the auditd assembler holds and later reports on. */
  readonly record: RawRecord;
  /** Feeds line `lineIndex` of the record (with its envelope) to the stream's event assembler. */
  readonly auditd: (line: string, ctx: DecodeContext, lineIndex: number) => DecodeOutcome;
}

/** A format decoder: may throw `DecodeError` (the record decoder turns it into an outcome). */
export type FormatDecoder = (text: string, ctx: DecodeContext, json?: JsonObject) => DecodeOutcome;

/** Throws the decode error that the record decoder will report; keeps decoders linear. */
export function fail(
  code: DecodeErrorCode,
  message: string,
  context: Record<string, unknown> = {},
): never {
  throw new DecodeError(code, message, context);
}

/** Envelopes nest (filebeat → syslog → message) but never this deep in real input. */
const MAX_LAYERS = 4;

/** Returns a context for a message embedded in `layer`, whose fields fill the inner gaps. */
export function enter(
  ctx: DecodeContext,
  layer: string,
  fields: EventFields,
  referenceMs?: number,
): DecodeContext {
  if (ctx.layers.length >= MAX_LAYERS) {
    fail('INVALID_FIELD', `${[...ctx.layers, layer].join('/')}: envelopes nested too deep`, {
      layer,
    });
  }
  return {
    ...ctx,
    envelope: mergeFields(ctx.envelope, fields),
    layers: [...ctx.layers, layer],
    referenceMs: referenceMs ?? ctx.referenceMs,
  };
}

/**
 * Completes a decoder's fields into an event: envelope fills gaps, the command
 * line is required, a missing timestamp falls back to the reference time and
 * says so in `labels.timestamp_source`.
 */
export function finish(fields: EventFields, source: string, ctx: DecodeContext): CommandEvent {
  const merged = mergeFields(ctx.envelope, fields);
  if (merged['process.command_line'] === undefined) {
    fail('MISSING_FIELD', `${source}: no command line in record`, {
      field: 'process.command_line',
      format: source,
    });
  }
  const labels: Record<string, string> = {};
  if (ctx.layers.length > 0) labels.envelope = ctx.layers.join('/');
  let fallback = '';
  if (merged['@timestamp'] === undefined) {
    fallback = new Date(ctx.referenceMs).toISOString();
    labels.timestamp_source = ctx.referenceSource;
  }
  const withLabels = Object.keys(labels).length > 0 ? mergeFields({ labels }, merged) : merged;
  return buildEvent(withLabels, source, ctx.original, fallback);
}

/** The usual outcome of a decoder that found one command. */
export function one(fields: EventFields, source: string, ctx: DecodeContext): DecodeOutcome {
  return { kind: 'events', events: [finish(fields, source, ctx)] };
}

/** The outcome of a record that was understood and holds no command (e.g. a login record). */
export function noEvents(reason: IgnoreReason = 'not_a_command'): DecodeOutcome {
  return { kind: 'ignored', reason };
}
