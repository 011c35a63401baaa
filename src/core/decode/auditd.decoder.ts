import { fail, noEvents, type FormatDecoder } from './context';
import { isAuditLine } from './auditd-record';
import type { CommandEvent } from '../event';
import type { DecodeOutcome } from './types';

/**
 * `auditd`: Linux audit records (RAW or ENRICHED), one or several lines per
 * record. Lines go to the stream's assembler (`auditd-assembler.ts`), which
 * joins the parts of each event; a record whose events are not complete yet is
 * `pending` (held), and its fate comes out of a later record or `flush`. The
 * lines of a record are all checked before any is buffered, so a bad record is
 * rejected whole and leaves no half-fed event behind; once checked, every line
 * is fed. A record's outcome is, in this order, the events its lines completed
 * (it is part of a document), a dead letter one of its lines earned, `pending`,
 * or `ignored`.
 */
export const decodeAuditd: FormatDecoder = (text, ctx) => {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const bad = lines.findIndex((line) => !isAuditLine(line));
  if (bad >= 0) {
    return fail('INVALID_FIELD', `auditd: line ${bad + 1} has no "type=… msg=audit(…):" header`, {
      format: 'auditd',
      line: bad + 1,
    });
  }
  const events: CommandEvent[] = [];
  let error: DecodeOutcome | undefined;
  let pending = false;
  let ignored: DecodeOutcome | undefined;
  lines.forEach((line, i) => {
    const outcome = ctx.auditd(line, ctx, i);
    if (outcome.kind === 'events') events.push(...outcome.events);
    else if (outcome.kind === 'error') error ??= outcome;
    else if (outcome.kind === 'pending') pending = true;
    else ignored ??= outcome;
  });
  if (events.length > 0) return { kind: 'events', events };
  return error ?? (pending ? { kind: 'pending' } : (ignored ?? noEvents()));
};
