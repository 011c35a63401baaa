import { DecodeError, errorMessage } from '../errors';
import { fail, finish, type DecodeContext } from './context';
import type { CommandEvent } from '../event';
import { auditEventFields, isExecSyscall } from './auditd-event';
import { parseAuditRecord, type AuditRecord } from './auditd-record';
import type { ClosedRecords, DecodeOutcome, RawRecord } from './types';

/** Limits of the auditd buffer; memory stays bounded whatever the input. */
export interface AuditdOptions {
  /** An event still incomplete this long after its first record is closed as it is (default 5000). */
  timeoutMs?: number;
  /** At most this many events are buffered; the oldest is closed to make room (default 1024). */
  maxPending?: number;
}

/** Record types that belong to a multi-record event and wait for the others. */
const MULTI = new Set(['SYSCALL', 'EXECVE', 'CWD', 'PATH', 'PROCTITLE', 'EOE']);

/**
 * Ids of events emitted when they are closed (time-out, full buffer, end of input)
 * rather than by one of their records start here, plus the index of the event's last
 * line in its last record. A record's own events are numbered from 0, one per line at
 * most, and a 1 MiB record holds far fewer than a million audit lines: never the same id.
 */
export const CLOSED_EVENT_INDEX = 1_000_000;

interface Pending {
  records: AuditRecord[];
  originals: string[];
  /** The Kafka records the lines came from, each once, in arrival order. */
  sources: RawRecord[];
  /** Index of the last line within the last source, for a deterministic id. */
  lastLine: number;
  firstSeenMs: number;
  ctx: DecodeContext;
}

/** Why an event was closed before it was complete. */
type CloseCause = 'time-out' | 'buffer full' | 'end of input';

/**
 * Joins the records of one audit event (SYSCALL, EXECVE, CWD, PATH…, PROCTITLE,
 * EOE share `msg=audit(time:serial)`) that arrive as separate Kafka records,
 * possibly interleaved with other events and split over several batches. An
 * event is emitted when its EOE arrives, or as soon as every part it announced
 * is there (SYSCALL `items` PATHs, CWD, PROCTITLE, and EXECVE for an exec;
 * audisp-syslog may drop EOE).
 *
 * Every record ends in exactly one place, never silently:
 * - part of a command event (returned by `add`, or by `close` for an event closed
 *   at the time-out or by a full buffer that still gives a command);
 * - a dead letter `AUDITD_INCOMPLETE`, naming what was missing, for each record
 *   of an event closed before it was whole that gives no command, and for a
 *   record (other than EOE) of an event already closed;
 * - ignored and counted: `not_a_command` (a login record, an `open()` event),
 *   `auditd_late_eoe` (an EOE with no open event: it follows an event already
 *   emitted, or the rest of its event was never seen).
 *
 * Records of events still open are held: `oldestHeld` names the first of them,
 * so the caller never commits past it. One assembler per stream (Kafka
 * partition): order only holds within one.
 */
export class AuditdAssembler {
  private readonly pending = new Map<string, Pending>();
  private readonly done = new Set<string>();
  private closed: ClosedRecords = emptyClosed();
  private readonly timeoutMs: number;
  private readonly maxPending: number;

  constructor(
    options: AuditdOptions,
    private readonly clock: () => number,
  ) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.maxPending = options.maxPending ?? 1024;
  }

  /**
   * Feeds line `lineIndex` of `ctx.record`; returns the events it completed,
   * `pending` when it is held, or `ignored`. Events closed meanwhile for other
   * reasons (a full buffer) wait in {@link close}'s result.
   */
  add(line: string, ctx: DecodeContext, lineIndex: number): DecodeOutcome {
    const record = parseAuditRecord(line);
    if (record === undefined) {
      return fail(
        'INVALID_FIELD',
        'auditd: expected "type=… msg=audit(seconds.millis:serial): …"',
        {
          format: 'auditd',
        },
      );
    }
    const original = ctx.layers.length === 0 ? line : ctx.original;
    const key = record.eventKey;
    let entry = this.pending.get(key);
    // An EOE carries nothing: after its event was emitted (the usual case when every
    // part came first), or with no event open at all, it is only counted.
    if (record.type === 'EOE' && entry === undefined) {
      return { kind: 'ignored', reason: 'auditd_late_eoe' };
    }
    if (this.done.has(key)) {
      const error = new DecodeError(
        'AUDITD_INCOMPLETE',
        `auditd: ${record.type} record of event ${key} arrived after the event was closed`,
        { format: 'auditd', event: key, type: record.type },
      );
      return { kind: 'error', error };
    }
    if (entry === undefined) {
      if (!MULTI.has(record.type)) {
        const events = this.build([record], [original], ctx);
        return events.length > 0
          ? { kind: 'events', events }
          : { kind: 'ignored', reason: 'not_a_command' };
      }
      entry = {
        records: [],
        originals: [],
        sources: [],
        lastLine: lineIndex,
        firstSeenMs: this.clock(),
        ctx,
      };
      this.pending.set(key, entry);
    }
    entry.records.push(record);
    if (!entry.originals.includes(original)) entry.originals.push(original);
    if (!entry.sources.includes(ctx.record)) entry.sources.push(ctx.record);
    entry.lastLine = lineIndex;
    if (record.type === 'EOE' || isComplete(entry.records)) {
      this.pending.delete(key);
      this.remember(key);
      const built = this.tryBuild(entry);
      if (Array.isArray(built) && built.length > 0) return { kind: 'events', events: built };
      // Whole but no command: the other records are accounted in `close`, this one by its outcome.
      const error = this.settle(key, entry, undefined, ctx.record, built);
      return error === undefined
        ? { kind: 'ignored', reason: 'not_a_command' }
        : { kind: 'error', error };
    }
    if (this.pending.size > this.maxPending) {
      const oldest = this.pending.entries().next();
      if (oldest.done !== true) this.closeEntry(oldest.value[0], oldest.value[1], 'buffer full');
    }
    return { kind: 'pending' };
  }

  /**
   * Closes events whose first record is older than the time-out (all of them
   * with `all`, at the end of a finite input) and returns everything closed since
   * the last call: events that still give a command, dead letters, ignored records.
   */
  close(nowMs: number, all = false): ClosedRecords {
    for (const [key, entry] of this.pending) {
      if (all) this.closeEntry(key, entry, 'end of input');
      else if (nowMs - entry.firstSeenMs >= this.timeoutMs) this.closeEntry(key, entry, 'time-out');
    }
    const closed = this.closed;
    this.closed = emptyClosed();
    return closed;
  }

  /** The first record still held by an open event, or undefined when none is. */
  oldestHeld(): RawRecord | undefined {
    const first = this.pending.values().next();
    return first.done === true ? undefined : first.value.sources[0];
  }

  /** When the oldest open event reaches the time-out, or undefined when none is open. */
  nextDeadline(): number | undefined {
    const first = this.pending.values().next();
    return first.done === true ? undefined : first.value.firstSeenMs + this.timeoutMs;
  }

  /** Number of events waiting for more records (for metrics and tests). */
  get size(): number {
    return this.pending.size;
  }

  private closeEntry(key: string, entry: Pending, cause: CloseCause): void {
    this.pending.delete(key);
    this.remember(key);
    const built = this.tryBuild(entry);
    const last = entry.sources[entry.sources.length - 1];
    if (Array.isArray(built) && built.length > 0 && last !== undefined) {
      built.forEach((event, i) =>
        this.closed.events.push({
          event,
          record: last,
          index: CLOSED_EVENT_INDEX + entry.lastLine + i,
        }),
      );
      return;
    }
    this.settle(key, entry, cause, undefined, built);
  }

  /** The event's command events, or the error that building them raised (never thrown). */
  private tryBuild(entry: Pending): CommandEvent[] | DecodeError {
    try {
      return this.build(entry.records, entry.originals, entry.ctx);
    } catch (error) {
      // A record that cannot become an event must still reach a dead letter, with all
      // of its event's records, not only the one whose line happened to complete it.
      if (error instanceof DecodeError) return error;
      const message = errorMessage(error);
      return new DecodeError('INVALID_FIELD', `unexpected decoder failure: ${message}`, {
        internal: true,
      });
    }
  }

  /**
   * Accounts for the records of an event that gives no command (but `except`, which
   * its caller accounts for): dead letters with the error when building it `failed`;
   * ignored when it is known not to be an exec (a SYSCALL of another call); else dead
   * letters saying what was missing. Returns the dead letters' error, or undefined
   * when the records were ignored.
   */
  private settle(
    key: string,
    entry: Pending,
    cause: CloseCause | undefined,
    except?: RawRecord,
    failed?: CommandEvent[] | DecodeError,
  ): DecodeError | undefined {
    const others = entry.sources.filter((record) => record !== except);
    if (failed instanceof DecodeError) {
      for (const record of others) this.closed.deadLetters.push({ record, error: failed });
      return failed;
    }
    const syscall = entry.records.find((r) => r.type === 'SYSCALL');
    if (syscall !== undefined && !isExecSyscall(syscall)) {
      for (const record of others) this.closed.ignored.push({ record, reason: 'not_a_command' });
      return undefined;
    }
    const how =
      cause === undefined
        ? 'ended'
        : cause === 'time-out'
          ? `was closed after the ${this.timeoutMs} ms time-out`
          : `was closed (${cause})`;
    const error = new DecodeError(
      'AUDITD_INCOMPLETE',
      `auditd: event ${key} ${how} without a command: has ${describeParts(entry.records)}; missing ${missingParts(entry.records)}`,
      { format: 'auditd', event: key, ...(cause === undefined ? {} : { closedBy: cause }) },
    );
    for (const record of others) this.closed.deadLetters.push({ record, error });
    return error;
  }

  private remember(key: string): void {
    this.done.add(key);
    if (this.done.size > this.maxPending * 4) {
      const oldest = this.done.values().next().value;
      if (oldest !== undefined) this.done.delete(oldest);
    }
  }

  private build(records: AuditRecord[], originals: string[], ctx: DecodeContext): CommandEvent[] {
    const fields = auditEventFields(records);
    if (fields === undefined) return [];
    return [finish(fields, 'auditd', { ...ctx, original: originals.join('\n') })];
  }
}

function emptyClosed(): ClosedRecords {
  return { events: [], deadLetters: [], ignored: [] };
}

function isComplete(records: readonly AuditRecord[]): boolean {
  let syscall: AuditRecord | undefined;
  let execve = false;
  let cwd = false;
  let proctitle = false;
  let paths = 0;
  for (const r of records) {
    if (r.type === 'SYSCALL') syscall = r;
    else if (r.type === 'EXECVE') execve = true;
    else if (r.type === 'CWD') cwd = true;
    else if (r.type === 'PROCTITLE') proctitle = true;
    else if (r.type === 'PATH') paths++;
  }
  // Another call than an exec (an open() a watch rule logs) has no EXECVE to wait for.
  if (!syscall || !cwd || !proctitle || (!execve && isExecSyscall(syscall))) return false;
  const items = Number(syscall.fields.get('items')?.value ?? '0');
  return paths >= items;
}

/** `SYSCALL, CWD, 1 PATH` — the parts an event has. */
function describeParts(records: readonly AuditRecord[]): string {
  const counts = new Map<string, number>();
  for (const r of records) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  return [...counts].map(([type, n]) => (n === 1 ? type : `${n} ${type}`)).join(', ');
}

/** What an exec event still lacked: SYSCALL, EXECVE, CWD, PROCTITLE, the PATHs announced, EOE. */
function missingParts(records: readonly AuditRecord[]): string {
  const has = (type: string): boolean => records.some((r) => r.type === type);
  const missing = ['SYSCALL', 'EXECVE', 'CWD', 'PROCTITLE'].filter((type) => !has(type));
  const syscall = records.find((r) => r.type === 'SYSCALL');
  const items = Number(syscall?.fields.get('items')?.value ?? '0');
  const paths = records.filter((r) => r.type === 'PATH').length;
  if (paths < items) missing.push(`${items - paths} of ${items} PATH`);
  if (!has('EOE')) missing.push('EOE');
  return missing.join(', ');
}
