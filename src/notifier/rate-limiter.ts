/**
 * At most `max` messages per rule per window per output; the alerts beyond are
 * counted, and when the window ends one digest says how many were held back.
 * A window starts with the first alert of its (output, rule) and lasts
 * `windowMs`; the next alert after it starts a new one. Pure: the caller passes
 * the time (tests use a fake clock).
 *
 * `H` is what each held-back alert leaves to release when its digest is
 * delivered (the notifier's record offsets).
 */
export interface Digest<H> {
  output: string;
  ruleId: string;
  ruleName: string | undefined;
  windowStart: number;
  windowEnd: number;
  /** Alerts of the window sent one by one. */
  sent: number;
  /** Alerts of the window held back: the digest's count. */
  suppressed: number;
  /** Up to MAX_DIGEST_HOSTS distinct hosts of the held-back alerts. */
  hosts: string[];
  holds: H[];
}

export type Admission = 'send' | 'suppress';

/** Hosts named in one digest at most (the count covers all). */
export const MAX_DIGEST_HOSTS = 10;

interface Window<H> extends Digest<H> {
  max: number;
}

export class RateLimiter<H> {
  private readonly open = new Map<string, Window<H>>();
  private readonly ended: Window<H>[] = [];

  constructor(private readonly limitFor: (output: string) => { max: number; windowMs: number }) {}

  /**
   * Whether an alert of `ruleId` goes to `output` now, or is held back for the
   * window's digest (then `hold` is kept and returned with the digest).
   */
  admit(
    output: string,
    alert: { ruleId: string; ruleName?: string | undefined; host?: string | undefined },
    now: number,
    hold: H,
  ): Admission {
    const key = `${output}\u0000${alert.ruleId}`;
    let window = this.open.get(key);
    if (window !== undefined && now >= window.windowEnd) {
      this.ended.push(window);
      window = undefined;
    }
    if (window === undefined) {
      const { max, windowMs } = this.limitFor(output);
      window = {
        output,
        ruleId: alert.ruleId,
        ruleName: alert.ruleName,
        windowStart: now,
        windowEnd: now + windowMs,
        sent: 0,
        suppressed: 0,
        hosts: [],
        holds: [],
        max,
      };
      this.open.set(key, window);
    }
    if (window.sent < window.max) {
      window.sent += 1;
      return 'send';
    }
    window.suppressed += 1;
    window.holds.push(hold);
    if (
      alert.host &&
      window.hosts.length < MAX_DIGEST_HOSTS &&
      !window.hosts.includes(alert.host)
    ) {
      window.hosts.push(alert.host);
    }
    return 'suppress';
  }

  /** The digests of windows that ended by `now` with alerts held back; windows without any are dropped. */
  due(now: number): Digest<H>[] {
    for (const [key, window] of this.open) {
      if (now >= window.windowEnd) {
        this.ended.push(window);
        this.open.delete(key);
      }
    }
    const digests = this.ended
      .filter((w) => w.suppressed > 0)
      .map(({ max: _max, ...digest }) => digest);
    this.ended.length = 0;
    return digests;
  }

  /** Forgets every window (partitions moved: their alerts will be redelivered and counted again). */
  reset(): void {
    this.open.clear();
    this.ended.length = 0;
  }
}
