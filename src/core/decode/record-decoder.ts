import { DecodeError, errorMessage } from '../errors';
import { AuditdAssembler, type AuditdOptions } from './auditd-assembler';
import { decodeAuditd } from './auditd.decoder';
import { decodeBastion, looksLikeBastion } from './bastion.decoder';
import { fail, type DecodeContext, type FormatDecoder } from './context';
import { compileFormats, type CompiledFormat, type FormatsDefinition } from './custom-format';
import { detectFormat, unknownFormat } from './detect-format';
import { FormatConfigError, type FormatProblem } from './format-config-error';
import { BUILTIN_DECODERS, isBuiltinFormat } from './formats';
import { decodeSnoopy } from './snoopy.decoder';
import { capEvent } from './limits';
import { bytesToText, cleanText, DEFAULT_MAX_RECORD_BYTES, HARD_MAX_RECORD_BYTES } from './text';
import type { ClosedRecords, DecodeOutcome, FormatName, RawRecord, RecordDecoder } from './types';

/** How a stream's records are decoded. Checked once by `createRecordDecoder`. */
export interface DecoderOptions {
  /** The format of records not pinned otherwise (default `auto`: detect per record). */
  format?: FormatName;
  /** Pins a format per Kafka topic; wins over `format`. */
  formatsByTopic?: Readonly<Record<string, FormatName>>;
  /** A Kafka header whose value names the record's format; wins over everything else. */
  formatHeader?: string;
  /** Operator-defined formats (see `custom-format.ts`); validated here, regexes included. */
  customFormats?: FormatsDefinition;
  /** The auditd event buffer's limits. */
  auditd?: AuditdOptions;
  /** Cap on the stored command line and `event.original` in bytes (default 64 KiB, at most 1 MiB). */
  maxRecordBytes?: number;
  /** Time source for the auditd buffer and the fallback `@timestamp` (default `Date.now`); tests pin it. */
  clock?: () => number;
}

/**
 * Creates the decoder of one stream (one Kafka partition: the auditd buffer
 * assumes the records of an event arrive in order on one stream).
 *
 * Per record: bytes → text (EMPTY_RECORD, RECORD_TOO_LARGE over 1 MiB,
 * INVALID_UTF8), clean-up (CR/LF, NUL), format choice (header, then topic,
 * then `format`; `auto` tries operator formats' `match`, then detection), the
 * format's decoder, then the size cap (command line and `event.original`
 * truncated at `maxRecordBytes`, `labels.truncated="true"`). `decode` never
 * throws: every failure is an `error` outcome with a stable code.
 *
 * Throws `FormatConfigError` here, at start, for unknown format names, a bad
 * `maxRecordBytes` or an invalid operator format.
 */
export function createRecordDecoder(options: DecoderOptions = {}): RecordDecoder {
  return new StreamDecoder(options);
}

class StreamDecoder implements RecordDecoder {
  private readonly clock: () => number;
  private readonly maxBytes: number;
  private readonly custom = new Map<string, CompiledFormat>();
  private readonly matchers: CompiledFormat[] = [];
  private readonly topicFormats = new Map<string, FormatName>();
  private readonly assembler: AuditdAssembler;
  private readonly nested = (text: string, ctx: DecodeContext, program?: string): DecodeOutcome =>
    this.decodeEmbedded(text, ctx, program);
  private readonly auditd = (line: string, ctx: DecodeContext, lineIndex: number): DecodeOutcome =>
    this.assembler.add(line, ctx, lineIndex);

  constructor(private readonly options: DecoderOptions) {
    this.clock = options.clock ?? Date.now;
    this.maxBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
    this.assembler = new AuditdAssembler(options.auditd ?? {}, this.clock);
    const compiled =
      options.customFormats === undefined ? [] : compileFormats(options.customFormats);
    for (const format of compiled) {
      this.custom.set(format.name, format);
      if (format.match) this.matchers.push(format);
      for (const topic of format.topics) this.topicFormats.set(topic, format.name);
    }
    for (const [topic, format] of Object.entries(options.formatsByTopic ?? {}))
      this.topicFormats.set(topic, format);
    const problems = this.checkOptions();
    if (problems.length > 0) throw new FormatConfigError(problems);
  }

  decode(record: RawRecord): DecodeOutcome {
    try {
      const outcome = this.decodeRecord(record);
      if (outcome.kind !== 'events') return outcome;
      return { kind: 'events', events: outcome.events.map((e) => capEvent(e, this.maxBytes)) };
    } catch (err) {
      if (err instanceof DecodeError) return { kind: 'error', error: err };
      // A decoder bug must not stop the stream: the record goes to the DLQ with the cause.
      const message = errorMessage(err);
      return {
        kind: 'error',
        error: new DecodeError('INVALID_FIELD', `unexpected decoder failure: ${message}`, {
          internal: true,
        }),
      };
    }
  }

  flush(nowMs: number, all = false): ClosedRecords {
    const closed = this.assembler.close(nowMs, all);
    return {
      ...closed,
      events: closed.events.map((e) => ({ ...e, event: capEvent(e.event, this.maxBytes) })),
    };
  }

  oldestHeld(): RawRecord | undefined {
    return this.assembler.oldestHeld();
  }

  nextDeadline(): number | undefined {
    return this.assembler.nextDeadline();
  }

  private decodeRecord(record: RawRecord): DecodeOutcome {
    const { text, nulReplaced } = cleanText(bytesToText(record.value));
    const transport = record.timestampMs !== undefined && Number.isFinite(record.timestampMs);
    const ctx: DecodeContext = {
      original: text,
      referenceMs: transport ? (record.timestampMs ?? 0) : this.clock(),
      referenceSource: transport ? 'transport' : 'received',
      envelope: nulReplaced ? { labels: { nul_replaced: 'true' } } : {},
      layers: [],
      nested: this.nested,
      record,
      auditd: this.auditd,
    };
    const format = this.pick(record);
    if (format === 'lines') return BUILTIN_DECODERS.lines(text, ctx);
    const trimmed = text.trim();
    if (format !== 'auto') return this.decoderFor(format)(trimmed, ctx);
    for (const custom of this.matchers) {
      if (custom.match?.test(trimmed) === true) return custom.decode(trimmed, ctx);
    }
    const detected = detectFormat(trimmed) ?? unknownFormat('record');
    return this.decoderFor(detected.format)(trimmed, ctx, detected.json);
  }

  /** Decodes a message found inside another format (syslog MSG, filebeat `message`). */
  private decodeEmbedded(text: string, ctx: DecodeContext, program?: string): DecodeOutcome {
    const message = text.trim();
    if (message === '') fail('EMPTY_RECORD', `${ctx.layers.join('/')}: the message is empty`);
    if (program === 'snoopy') return decodeSnoopy(message, ctx);
    if (looksLikeBastion(message)) return decodeBastion(message, ctx);
    for (const custom of this.matchers) {
      if (custom.match?.test(message) === true) return custom.decode(message, ctx);
    }
    const detected = detectFormat(message);
    if (detected === undefined) {
      const from = program === undefined ? '' : ` from program "${program}"`;
      return unknownFormat(`${ctx.layers.join('/')} message${from}`);
    }
    if (detected.format === 'auditd') return decodeAuditd(message, ctx);
    return this.decoderFor(detected.format)(message, ctx, detected.json);
  }

  private pick(record: RawRecord): FormatName {
    const header = this.options.formatHeader;
    const named = header === undefined ? undefined : record.headers?.[header];
    if (named !== undefined && named !== '') {
      if (!this.known(named))
        fail('UNKNOWN_FORMAT', `header ${header} names unknown format "${named}"`, {
          format: named,
        });
      return named;
    }
    const pinned = record.topic === undefined ? undefined : this.topicFormats.get(record.topic);
    return pinned ?? this.options.format ?? 'auto';
  }

  private decoderFor(format: FormatName): FormatDecoder {
    if (isBuiltinFormat(format) && format !== 'auto') return BUILTIN_DECODERS[format];
    const custom = this.custom.get(format);
    if (custom) return custom.decode;
    return fail('UNKNOWN_FORMAT', `unknown format "${format}"`, { format });
  }

  private known(format: string): boolean {
    return isBuiltinFormat(format) || this.custom.has(format);
  }

  private checkOptions(): FormatProblem[] {
    const problems: FormatProblem[] = [];
    const o = this.options;
    if (o.format !== undefined && !this.known(o.format)) {
      problems.push({ pointer: '/format', message: `unknown format "${o.format}"` });
    }
    for (const [topic, format] of Object.entries(o.formatsByTopic ?? {})) {
      if (!this.known(format)) {
        problems.push({
          pointer: `/formatsByTopic/${topic}`,
          message: `unknown format "${format}"`,
        });
      }
    }
    const max = o.maxRecordBytes;
    if (max !== undefined && (!Number.isInteger(max) || max < 256 || max > HARD_MAX_RECORD_BYTES)) {
      problems.push({
        pointer: '/maxRecordBytes',
        message: `expected an integer from 256 to ${HARD_MAX_RECORD_BYTES}, got ${max}`,
      });
    }
    const a = o.auditd ?? {};
    if (a.timeoutMs !== undefined && !(Number.isFinite(a.timeoutMs) && a.timeoutMs >= 0)) {
      problems.push({
        pointer: '/auditd/timeoutMs',
        message: `expected a non-negative number, got ${a.timeoutMs}`,
      });
    }
    if (a.maxPending !== undefined && !(Number.isInteger(a.maxPending) && a.maxPending >= 1)) {
      problems.push({
        pointer: '/auditd/maxPending',
        message: `expected a positive integer, got ${a.maxPending}`,
      });
    }
    return problems;
  }
}
