import { fail, finish, type DecodeContext } from './context';
import type { CommandEvent } from '../event';
import { auditEventFields } from './auditd-event';
import { parseAuditRecord, type AuditRecord } from './auditd-record';
import type { DecodeOutcome } from './types';

/** Limits of the auditd buffer; memory stays bounded whatever the input. */
export interface AuditdOptions {
  /** An event still incomplete this long after its first record is emitted as it is (default 5000). */
  timeoutMs?: number;
  /** At most this many events are buffered; the oldest is emitted to make room (default 1024). */
  maxPending?: number;
}

/** Record types that belong to a multi-record event and wait for the others. */
const MULTI = new Set(['SYSCALL', 'EXECVE', 'CWD', 'PATH', 'PROCTITLE', 'EOE']);

interface Pending {
  records: AuditRecord[];
  originals: string[];
  firstSeenMs: number;
  ctx: DecodeContext;
}

/**
 * Joins the records of one audit event (SYSCALL, EXECVE, CWD, PATH…, PROCTITLE,
 * EOE share `msg=audit(time:serial)`) that arrive as separate Kafka records,
 * possibly interleaved with other events. An event is emitted when its EOE
 * arrives, or as soon as every part it announced is there (SYSCALL `items`
 * PATHs, EXECVE, CWD, PROCTITLE; audisp-syslog may drop EOE), or by `flush`
 * after the time-out, or when the buffer is full (oldest first). Late records of
 * an already emitted event are ignored (a small memory of recent ids).
 * One assembler per stream (Kafka partition): order only holds within one.
 */
export class AuditdAssembler {
  private readonly pending = new Map<string, Pending>();
  private readonly done = new Set<string>();
  private readonly timeoutMs: number;
  private readonly maxPending: number;

  constructor(
    options: AuditdOptions,
    private readonly clock: () => number,
  ) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.maxPending = options.maxPending ?? 1024;
  }

  /** Feeds one line; returns the events completed by it (and any evicted), or `pending`. */
  add(line: string, ctx: DecodeContext): DecodeOutcome {
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
    if (this.done.has(key)) return { kind: 'events', events: [] };
    let entry = this.pending.get(key);
    if (entry === undefined) {
      if (!MULTI.has(record.type))
        return { kind: 'events', events: this.build([record], [original], ctx) };
      entry = { records: [], originals: [], firstSeenMs: this.clock(), ctx };
      this.pending.set(key, entry);
    }
    entry.records.push(record);
    if (!entry.originals.includes(original)) entry.originals.push(original);
    if (record.type === 'EOE' || isComplete(entry.records)) {
      return { kind: 'events', events: this.emit(key, entry) };
    }
    if (this.pending.size > this.maxPending) {
      const oldest = this.pending.entries().next();
      if (oldest.done !== true) {
        const [oldestKey, oldestEntry] = oldest.value;
        return { kind: 'events', events: this.emit(oldestKey, oldestEntry) };
      }
    }
    return { kind: 'pending' };
  }

  /** Emits events whose first record is older than the time-out, or all of them. */
  flush(nowMs: number, all = false): CommandEvent[] {
    const events: CommandEvent[] = [];
    for (const [key, entry] of this.pending) {
      if (all || nowMs - entry.firstSeenMs >= this.timeoutMs) events.push(...this.emit(key, entry));
    }
    return events;
  }

  /** Number of events waiting for more records (for metrics and tests). */
  get size(): number {
    return this.pending.size;
  }

  private emit(key: string, entry: Pending): CommandEvent[] {
    this.pending.delete(key);
    this.done.add(key);
    if (this.done.size > this.maxPending * 4) {
      const oldest = this.done.values().next().value;
      if (oldest !== undefined) this.done.delete(oldest);
    }
    return this.build(entry.records, entry.originals, entry.ctx);
  }

  private build(records: AuditRecord[], originals: string[], ctx: DecodeContext): CommandEvent[] {
    const fields = auditEventFields(records);
    if (fields === undefined) return [];
    return [finish(fields, 'auditd', { ...ctx, original: originals.join('\n') })];
  }
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
  if (!syscall || !execve || !cwd || !proctitle) return false;
  const items = Number(syscall.fields.get('items')?.value ?? '0');
  return paths >= items;
}
