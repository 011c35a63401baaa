/**
 * Which offsets of one partition may be committed. A record is done when every
 * notification it caused is delivered or dead-lettered, and each alert a rate
 * limit held back (a "hold") is released only when the digest that counts it is
 * delivered. The committable offset is the lowest record not yet done (Kafka's
 * committed offset is the next one to read), so a crash never skips a record
 * whose notification, or digest, has not gone out.
 */
export class OffsetHolds {
  /** Unreleased holds per record offset, for records not yet done. */
  private readonly held = new Map<bigint, number>();
  /** One past the highest offset seen. */
  private end: bigint | undefined;
  private committed: bigint | undefined;

  /** Records `offset` as handled, with `holds` notifications still waiting for a digest. */
  handled(offset: string, holds: number): void {
    const at = BigInt(offset);
    if (holds > 0) this.held.set(at, (this.held.get(at) ?? 0) + holds);
    if (this.end === undefined || at + 1n > this.end) this.end = at + 1n;
  }

  /** One hold of `offset` is over (its digest was delivered). */
  release(offset: string): void {
    const at = BigInt(offset);
    const left = (this.held.get(at) ?? 0) - 1;
    if (left > 0) this.held.set(at, left);
    else this.held.delete(at);
  }

  /**
   * The offset to commit now, or undefined when nothing new may be committed
   * (call `committedTo` after the commit succeeded).
   */
  committable(): string | undefined {
    if (this.end === undefined) return undefined;
    let next = this.end;
    for (const offset of this.held.keys()) if (offset < next) next = offset;
    if (this.committed !== undefined && next <= this.committed) return undefined;
    return next.toString();
  }

  committedTo(offset: string): void {
    this.committed = BigInt(offset);
  }

  /** Records held back by a rate limit, waiting for their digest. */
  get heldRecords(): number {
    return this.held.size;
  }
}
