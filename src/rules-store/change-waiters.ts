import type { ApplyOutcome } from '../core/rule-log';

interface Waiter {
  resolve: (outcome: ApplyOutcome) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Changes this replica produced and waits to read back, by change id: the API
 * answers only once its own record has been applied here (or rejected).
 */
export class ChangeWaiters {
  private readonly waiting = new Map<string, Waiter>();

  /** Resolves with the outcome of the record carrying `changeId`; rejects after `timeoutMs`. */
  wait(changeId: string, timeoutMs: number): Promise<ApplyOutcome> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(changeId);
        reject(new Error(`change ${changeId} not applied within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(changeId, { resolve, reject, timer });
    });
  }

  /** The record of `changeId` was folded in. */
  settle(changeId: string, outcome: ApplyOutcome): void {
    const waiter = this.waiting.get(changeId);
    if (waiter === undefined) return;
    this.waiting.delete(changeId);
    clearTimeout(waiter.timer);
    waiter.resolve(outcome);
  }

  cancel(changeId: string, error: Error): void {
    const waiter = this.waiting.get(changeId);
    if (waiter === undefined) return;
    this.waiting.delete(changeId);
    clearTimeout(waiter.timer);
    waiter.reject(error);
  }

  cancelAll(reason: string): void {
    for (const changeId of [...this.waiting.keys()]) this.cancel(changeId, new Error(reason));
  }
}
