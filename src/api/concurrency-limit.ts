/**
 * At most `limit` holders at once, without queueing: a request over the limit is
 * turned away at once (the caller answers 429) rather than waiting, because what it
 * waits for is minutes of someone else's scan.
 */
export class ConcurrencyLimit {
  private holders = 0;

  constructor(readonly limit: number) {}

  /** How many hold a place now. */
  get running(): number {
    return this.holders;
  }

  /** A place and the function that gives it back (once), or undefined when all are taken. */
  tryEnter(): (() => void) | undefined {
    if (this.holders >= this.limit) return undefined;
    this.holders += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holders -= 1;
    };
  }
}
