import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { auditDocument } from './audit-document';
import type { AuditDocument } from './audit-document';
import { AuditTrail } from './audit-trail';
import type { AuditReporter, AuditWriteResult, QueuedAudit } from './audit-trail';

function change(ruleId: string): AuditDocument {
  return auditDocument({
    action: 'rule-created',
    ruleId,
    user: 'default',
    versionBefore: null,
    versionAfter: '"v1"',
    change: { id: ruleId },
    file: `${ruleId}.json`,
    at: new Date(0),
  });
}

/** A fake Elasticsearch: down (throws) or up; records every written id once. */
class FakeIndex {
  up = true;
  attempts = 0;
  readonly stored = new Map<string, AuditDocument>();
  retryOnce = new Set<string>();
  reject = new Set<string>();

  write = (entries: QueuedAudit[]): Promise<AuditWriteResult> => {
    this.attempts += 1;
    if (!this.up) return Promise.reject(new Error('connect ECONNREFUSED'));
    const result: AuditWriteResult = { retry: [], rejected: [] };
    for (const entry of entries) {
      const ruleId = entry.document.rule.id;
      if (this.retryOnce.delete(ruleId)) result.retry.push(entry);
      else if (this.reject.has(ruleId)) result.rejected.push({ entry, reason: 'mapping' });
      else this.stored.set(entry.id, entry.document);
    }
    return Promise.resolve(result);
  };

  ruleIds(): string[] {
    return [...this.stored.values()].map((document) => document.rule.id);
  }
}

function reporter(): AuditReporter & {
  events: string[];
  droppedIds: string[];
  written_: number;
  queue: number;
} {
  const report = {
    events: [] as string[],
    droppedIds: [] as string[],
    written_: 0,
    queue: 0,
    written: (count: number) => {
      report.written_ += count;
    },
    dropped: (document: AuditDocument, reason: string) => {
      report.droppedIds.push(document.rule.id);
      report.events.push(`dropped ${document.rule.id}: ${reason}`);
    },
    attemptFailed: (reason: string, queued: number, first: boolean) => {
      report.events.push(`failed ${queued} ${first ? 'first' : 'again'}: ${reason}`);
    },
    recovered: (written: number, attempts: number) => {
      report.events.push(`recovered ${written} after ${attempts}`);
    },
    queueLength: (length: number) => {
      report.queue = length;
    },
  };
  return report;
}

const OPTIONS = { maxQueueBytes: 1_000_000, maxBatch: 2, minDelayMs: 100, maxDelayMs: 400 };

describe('AuditTrail', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes each recorded change once, in batches', async () => {
    const index = new FakeIndex();
    const report = reporter();
    const trail = new AuditTrail(index.write, report, OPTIONS);
    for (const id of ['SW-A-0001', 'SW-A-0002', 'SW-A-0003']) trail.record(change(id));
    await trail.settled();
    expect(index.ruleIds()).toEqual(['SW-A-0001', 'SW-A-0002', 'SW-A-0003']);
    expect(index.attempts).toBe(2);
    expect(report.written_).toBe(3);
    expect(report.queue).toBe(0);
    expect(report.events).toEqual([]);
  });

  it('keeps documents while Elasticsearch is down, retries with back-off, and writes them once', async () => {
    const index = new FakeIndex();
    index.up = false;
    const report = reporter();
    const trail = new AuditTrail(index.write, report, OPTIONS);
    trail.record(change('SW-A-0001'));
    await trail.settled();
    trail.record(change('SW-A-0002'));
    expect(trail.pending).toBe(2);
    expect(report.queue).toBe(2);
    // Back-off: 100, 200, 400, 400 ms — no attempt before each delay has passed.
    await vi.advanceTimersByTimeAsync(99);
    expect(index.attempts).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(index.attempts).toBe(2);
    await vi.advanceTimersByTimeAsync(200);
    expect(index.attempts).toBe(3);
    await vi.advanceTimersByTimeAsync(400);
    expect(index.attempts).toBe(4);
    index.up = true;
    await vi.advanceTimersByTimeAsync(400);
    await trail.settled();
    expect(index.ruleIds()).toEqual(['SW-A-0001', 'SW-A-0002']);
    expect(trail.pending).toBe(0);
    expect(report.events).toEqual([
      'failed 1 first: connect ECONNREFUSED',
      'failed 2 again: connect ECONNREFUSED',
      'failed 2 again: connect ECONNREFUSED',
      'failed 2 again: connect ECONNREFUSED',
      'recovered 2 after 4',
    ]);
  });

  it('retries the items Elasticsearch asks to retry with the same id, and drops refused ones loudly', async () => {
    const index = new FakeIndex();
    index.retryOnce.add('SW-A-0001');
    index.reject.add('SW-A-0002');
    const report = reporter();
    const trail = new AuditTrail(index.write, report, OPTIONS);
    trail.record(change('SW-A-0001'));
    trail.record(change('SW-A-0002'));
    await trail.settled();
    expect(index.ruleIds()).toEqual([]);
    await vi.advanceTimersByTimeAsync(100);
    await trail.settled();
    expect(report.droppedIds).toEqual(['SW-A-0002']);
    expect(report.events[0]).toBe('failed 2 first: 1 document(s) to retry');
    expect(index.ruleIds()).toEqual(['SW-A-0001']);
    expect(index.stored.size).toBe(1);
    expect(trail.pending).toBe(0);
  });

  it('drops, and reports, a change beyond the bounded queue instead of growing without bound', async () => {
    const index = new FakeIndex();
    index.up = false;
    const report = reporter();
    const size = Buffer.byteLength(JSON.stringify(change('SW-A-0001')));
    const trail = new AuditTrail(index.write, report, { ...OPTIONS, maxQueueBytes: size * 2 });
    trail.record(change('SW-A-0001'));
    trail.record(change('SW-A-0002'));
    trail.record(change('SW-A-0003'));
    await trail.settled();
    expect(trail.pending).toBe(2);
    expect(report.droppedIds).toEqual(['SW-A-0003']);
    expect(report.events[0]).toMatch(/dropped SW-A-0003: the audit queue is full \(2 documents/);
  });

  it('at close, makes one last attempt and reports every document it could not write', async () => {
    const index = new FakeIndex();
    index.up = false;
    const report = reporter();
    const trail = new AuditTrail(index.write, report, OPTIONS);
    trail.record(change('SW-A-0001'));
    await trail.settled();
    await trail.close();
    expect(index.attempts).toBe(2);
    expect(report.droppedIds).toEqual(['SW-A-0001']);
    expect(report.events.at(-1)).toMatch(/not written before the service stopped/);
    trail.record(change('SW-A-0002'));
    expect(report.droppedIds).toEqual(['SW-A-0001', 'SW-A-0002']);
  });

  it('at close, writes what it can', async () => {
    const index = new FakeIndex();
    index.up = false;
    const trail = new AuditTrail(index.write, reporter(), OPTIONS);
    trail.record(change('SW-A-0001'));
    await trail.settled();
    index.up = true;
    await trail.close();
    expect(index.ruleIds()).toEqual(['SW-A-0001']);
  });
});
