import { fail, type FormatDecoder } from './context';
import { isAuditLine } from './auditd-record';
import type { CommandEvent } from '../event';

/**
 * `auditd`: Linux audit records (RAW or ENRICHED), one or several lines per
 * record. Lines go to the stream's assembler (`auditd-assembler.ts`), which
 * joins the parts of each event; a record whose events are not complete yet is
 * `pending`, and its events come out of a later record or `flush`. The lines of
 * a record are all checked before any is buffered, so a bad record is rejected
 * whole and leaves no half-fed event behind.
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
  let buffered = false;
  for (const line of lines) {
    const outcome = ctx.auditd(line, ctx);
    if (outcome.kind === 'events') events.push(...outcome.events);
    else if (outcome.kind === 'pending') buffered = true;
    else return outcome;
  }
  return events.length === 0 && buffered ? { kind: 'pending' } : { kind: 'events', events };
};
