import { randomUUID } from 'node:crypto';
import type { AuditDocument } from './audit-document';
import { errorMessage } from '../core/errors';

/** A document waiting in the queue, with the `_id` it keeps across attempts (a retry cannot duplicate it). */
export interface QueuedAudit {
  id: string;
  document: AuditDocument;
  bytes: number;
}

/** What one write attempt did with each document: written, to retry, or refused for good. */
export interface AuditWriteResult {
  retry: QueuedAudit[];
  rejected: { entry: QueuedAudit; reason: string }[];
}

/** Writes audit documents (the Elasticsearch adapter); throws when the request as a whole failed. */
export type AuditWriter = (entries: QueuedAudit[]) => Promise<AuditWriteResult>;

/** Where the trail reports what it does (MetricsService and the logger in the service). */
export interface AuditReporter {
  written(count: number): void;
  /** A document that will never be written: logged whole, so it survives in the logs. */
  dropped(document: AuditDocument, reason: string): void;
  attemptFailed(reason: string, queued: number, firstOfOutage: boolean): void;
  recovered(written: number, failedAttempts: number): void;
  queueLength(length: number): void;
}

export interface AuditTrailOptions {
  /** Most bytes (JSON) of documents held while Elasticsearch is down. */
  maxQueueBytes: number;
  /** Most documents in one write. */
  maxBatch: number;
  /** First and largest delay between failed attempts. */
  minDelayMs: number;
  maxDelayMs: number;
}

/**
 * The audit trail's delivery: a change is recorded at once (the API never waits
 * for Elasticsearch), queued in memory and written in the background; a failed
 * write is retried with exponential back-off. Memory is bounded by
 * `maxQueueBytes`: beyond it a new document is dropped — counted, and logged
 * whole at error level so that it is not lost silently. The queue does not
 * survive the process: at close, whatever cannot be written is logged the same
 * way (docs/operations.md, "Audit trail").
 */
export class AuditTrail {
  private readonly queue: QueuedAudit[] = [];
  private queuedBytes = 0;
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private delayMs = 0;
  private failedAttempts = 0;
  private closed = false;

  constructor(
    private readonly write: AuditWriter,
    private readonly reporter: AuditReporter,
    private readonly options: AuditTrailOptions,
  ) {}

  /**
   * Queues the document of one change and starts writing it unless a back-off is pending.
   * `id` is its `_id`: several replicas recording the same change under one id leave one
   * document (the others' `create` finds it there).
   */
  record(document: AuditDocument, id: string = randomUUID()): void {
    const bytes = Buffer.byteLength(JSON.stringify(document));
    if (this.closed) {
      this.reporter.dropped(document, 'the service is shutting down');
      return;
    }
    if (this.queuedBytes + bytes > this.options.maxQueueBytes) {
      this.reporter.dropped(
        document,
        `the audit queue is full (${this.queue.length} documents, ${this.queuedBytes} bytes waiting for Elasticsearch)`,
      );
      return;
    }
    this.queue.push({ id, document, bytes });
    this.queuedBytes += bytes;
    this.reporter.queueLength(this.queue.length);
    if (this.timer === null) this.kick();
  }

  /** Documents waiting to be written. */
  get pending(): number {
    return this.queue.length;
  }

  /** Resolves when the queue is empty or the trail is waiting to retry (for tests and shutdown). */
  async settled(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  /**
   * Stops retrying, makes one last attempt, and reports what is still queued as
   * dropped (logged whole) — the process is about to lose its memory.
   */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.settled();
    if (this.queue.length > 0) await this.attempt();
    for (const entry of this.queue.splice(0)) {
      this.reporter.dropped(entry.document, 'not written before the service stopped');
    }
    this.queuedBytes = 0;
    this.reporter.queueLength(0);
  }

  private kick(): void {
    if (this.running !== null) return;
    this.running = this.drain().finally(() => {
      this.running = null;
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.closed) {
      const ok = await this.attempt();
      if (!ok) {
        this.delayMs =
          this.delayMs === 0
            ? this.options.minDelayMs
            : Math.min(this.delayMs * 2, this.options.maxDelayMs);
        this.timer = setTimeout(() => {
          this.timer = null;
          this.kick();
        }, this.delayMs);
        this.timer.unref();
        return;
      }
    }
  }

  /** One write of the head of the queue; false when it must be retried later. */
  private async attempt(): Promise<boolean> {
    const batch = this.queue.slice(0, this.options.maxBatch);
    let result: AuditWriteResult;
    try {
      result = await this.write(batch);
    } catch (error) {
      return this.failed(errorMessage(error));
    }
    const retry = new Set(result.retry.map((entry) => entry.id));
    const rejected = new Set(result.rejected.map(({ entry }) => entry.id));
    for (const { entry, reason } of result.rejected) this.reporter.dropped(entry.document, reason);
    const done = batch.filter((entry) => !retry.has(entry.id));
    const written = done.length - rejected.size;
    // The written and rejected leave the queue; the ones to retry keep their place (and _id).
    const leaving = new Set(done.map((entry) => entry.id));
    const kept = this.queue.filter((entry) => !leaving.has(entry.id));
    this.queue.splice(0, this.queue.length, ...kept);
    this.queuedBytes = kept.reduce((sum, entry) => sum + entry.bytes, 0);
    this.reporter.queueLength(this.queue.length);
    if (written > 0) this.reporter.written(written);
    if (retry.size > 0) return this.failed(result.retry.length + ' document(s) to retry');
    if (this.failedAttempts > 0) this.reporter.recovered(written, this.failedAttempts);
    this.failedAttempts = 0;
    this.delayMs = 0;
    return true;
  }

  private failed(reason: string): false {
    this.failedAttempts += 1;
    this.reporter.attemptFailed(reason, this.queue.length, this.failedAttempts === 1);
    return false;
  }
}
