import { randomUUID } from 'node:crypto';
import { restatementOf } from '../core/rule-log';
import type { RejectedOutcome, RestatementRecord, RuleLogState } from '../core/rule-log';

export interface RestaterOptions {
  /**
   * How long a replica leaves the writer of a rejected record to restate it before
   * doing so itself (plus a random share of as much again, so that replicas that
   * noticed together do not all restate together).
   */
  graceMs: number;
  /** Appends a record to the rule topic; resolves once Kafka took it. */
  produce: (record: RestatementRecord) => Promise<void>;
  /** Hears of each restatement produced for a record this replica did not write, and of failures. */
  report: (event: { rejected: RejectedOutcome; error?: unknown }) => void;
  random?: () => number;
  now?: () => Date;
}

/**
 * Keeps rejected records from being the last word on their key (RuleLogState).
 *
 * The replica that wrote a rejected record restates it at once ({@link restateOwn}).
 * If that replica died in between (SIGKILL after its record was written), the
 * rejected record would stay last of its key and, once compaction removed what it
 * lost to, a replica reading the compacted log would apply it and diverge from the
 * replicas that followed the log live. So every replica, after each fold and at
 * start ({@link noticed}), looks for rejected records still last of their key and,
 * after a grace period with jitter, restates the ones nobody has restated. A
 * restatement re-states the same content at the same version whoever writes it, so
 * the rare duplicate (two replicas whose timers fired together) changes nothing; a
 * restatement rejected because the key changed meanwhile is itself a rejected
 * record, restated the same way.
 */
export class Restater {
  /** Rejected records (key → offset) this replica has restated and not yet seen followed. */
  private readonly inFlight = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly random: () => number;
  private readonly now: () => Date;

  constructor(
    private readonly state: RuleLogState,
    private readonly options: RestaterOptions,
  ) {
    this.random = options.random ?? Math.random;
    this.now = options.now ?? (() => new Date());
  }

  /** This replica's own record was rejected: restate it now, the writer needs no grace. */
  restateOwn(rejected: RejectedOutcome): void {
    this.restate(rejected, false);
  }

  /** Records were folded (or the topic read to its end): schedules a sweep if any rejected record is unrestated. */
  noticed(): void {
    if (this.stopped || this.timer !== undefined) return;
    if (this.state.unrestated().length === 0) return;
    const delay = this.options.graceMs * (1 + this.random());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.sweep();
    }, delay);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private sweep(): void {
    if (this.stopped) return;
    for (const [key, offset] of this.inFlight) {
      if (!this.state.isUnrestated(key, offset)) this.inFlight.delete(key);
    }
    for (const rejected of this.state.unrestated()) {
      if (this.inFlight.get(rejected.key) !== rejected.offset) this.restate(rejected, true);
    }
  }

  private restate(rejected: RejectedOutcome, forAnother: boolean): void {
    if (this.inFlight.get(rejected.key) === rejected.offset) return;
    this.inFlight.set(rejected.key, rejected.offset);
    const record = restatementOf(rejected, randomUUID(), this.now().toISOString());
    this.options
      .produce(record)
      .then(() => {
        if (forAnother) this.options.report({ rejected });
      })
      .catch((error: unknown) => {
        // Not taken: try again at the next sweep.
        if (this.inFlight.get(rejected.key) === rejected.offset) this.inFlight.delete(rejected.key);
        this.options.report({ rejected, error });
        this.noticed();
      });
  }
}
