import type { KeyState } from './engine-types';

/**
 * The engine's per-key state with least-recently-updated eviction and change
 * tracking for checkpoints. Map order is update order: a touched key moves to the
 * end, so the first key is the one to shed when `maxKeys` is reached.
 */
export class KeyStore {
  private readonly keys = new Map<string, KeyState>();
  private readonly dirty = new Set<string>();
  private readonly removed = new Set<string>();

  constructor(
    private readonly maxKeys: number,
    /** Called once per key shed to make room. */
    private readonly onShed: () => void,
  ) {}

  get size(): number {
    return this.keys.size;
  }

  get(key: string): KeyState | undefined {
    return this.keys.get(key);
  }

  entries(): IterableIterator<[string, KeyState]> {
    return this.keys.entries();
  }

  /**
   * The key's state, marked updated at `seq` (moved to the end, changed for the next
   * checkpoint); `create` makes it when absent, after shedding the least recently
   * updated keys beyond `maxKeys`.
   */
  touch<T extends KeyState>(key: string, seq: number, create: () => T): T {
    const existing = this.keys.get(key);
    if (existing !== undefined) {
      this.keys.delete(key);
      this.keys.set(key, existing);
      existing.seq = seq;
      this.dirty.add(key);
      return existing as T;
    }
    while (this.keys.size >= this.maxKeys) {
      const oldest = this.keys.keys().next().value;
      if (oldest === undefined) break;
      this.drop(oldest);
      this.onShed();
    }
    const state = create();
    state.seq = seq;
    this.keys.set(key, state);
    this.dirty.add(key);
    return state;
  }

  /** Marks a key changed for the next checkpoint. */
  changed(key: string): void {
    this.dirty.add(key);
  }

  drop(key: string): void {
    this.keys.delete(key);
    this.dirty.delete(key);
    this.removed.add(key);
  }

  /** Keys changed (with their state) and keys removed since the last call. */
  takeChanges(): { updated: [string, KeyState][]; removed: string[] } {
    const updated: [string, KeyState][] = [];
    for (const key of this.dirty) {
      const state = this.keys.get(key);
      if (state !== undefined) updated.push([key, state]);
    }
    const removed = [...this.removed].filter((key) => !this.keys.has(key));
    this.dirty.clear();
    this.removed.clear();
    return { updated, removed };
  }

  /** Every key and its state. */
  snapshot(): Record<string, KeyState> {
    return Object.fromEntries(this.keys);
  }

  /** Replaces every key, least recently updated first (so shedding picks as before a restore). */
  load(keys: Iterable<[string, KeyState]>): void {
    this.keys.clear();
    this.dirty.clear();
    this.removed.clear();
    const sorted = [...keys].sort((a, b) => a[1].seq - b[1].seq);
    for (const [key, state] of sorted) this.keys.set(key, state);
  }
}
