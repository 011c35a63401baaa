/**
 * A bounded map from a command line to work that depends on that line alone (issue 25):
 * audit streams repeat a few lines heavily (`ls`, `cd ..`, `git status`), and the shell
 * parse and the prefilter's keyword scans of a line give the same answer every time.
 *
 * Keyed by the line's text and nothing else, so only work that reads nothing but the
 * line may be kept here (facts.ts: the parsed commands, programs and payloads;
 * prefilter-index.ts: which targets the line's keywords mark). Memory is bounded twice:
 * at most `maxEntries` lines, and lines longer than `maxLineLength` are never kept
 * (long lines rarely repeat, and their parse is the largest). When full, the entry
 * stored first is dropped (a Map iterates in insertion order): cheaper per event than
 * a least-recently-used order, and a line still in use is stored again on its next miss.
 *
 * A line is kept only the second time it is offered (a "doorkeeper": a table of line
 * hashes, no strings kept). Keeping every line made a stream with no repetition 1.3×
 * slower per record than no cache at all (scan-ab --distinct): each kept entry outlives
 * the young generation, so the collector copies and promotes it, for nothing.
 */
export class LineCache<V> {
  private readonly entries = new Map<string, V>();
  /** Hashes of lines offered once, by `hash & mask`; 0 is an empty slot. */
  private readonly offered: Uint32Array;
  private readonly mask: number;

  constructor(
    readonly maxEntries: number,
    readonly maxLineLength: number,
  ) {
    // Four slots per entry, a power of two: few collisions (a collision only admits early).
    let slots = 1;
    while (slots < maxEntries * 4) slots *= 2;
    this.offered = new Uint32Array(slots);
    this.mask = slots - 1;
  }

  get size(): number {
    return this.entries.size;
  }

  get(line: string): V | undefined {
    return this.entries.get(line);
  }

  /**
   * Keeps `value` for `line` if the line was offered before (see the class comment) and
   * is not too long; drops the oldest entry when full. Returns whether it was kept.
   */
  set(line: string, value: V): boolean {
    if (!this.offer(line)) return false;
    this.keep(line, value);
    return true;
  }

  /**
   * The doorkeeper alone: whether a line offered now would be kept (offered before, not
   * too long). For a value worth making only if it is kept: `if (offer(l)) keep(l, v)`.
   */
  offer(line: string): boolean {
    if (this.maxEntries <= 0 || line.length > this.maxLineLength) return false;
    const hash = lineHash(line);
    const slot = hash & this.mask;
    if (this.offered[slot] !== hash) {
      this.offered[slot] = hash;
      return false;
    }
    return true;
  }

  /** Keeps `value` for `line` (after `offer` said yes); drops the oldest entry when full. */
  keep(line: string, value: V): void {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(line, value);
  }

  clear(): void {
    this.entries.clear();
    this.offered.fill(0);
  }
}

/** FNV-1a over the UTF-16 code units, never 0 (the empty slot). */
function lineHash(line: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < line.length; i++) hash = Math.imul(hash ^ line.charCodeAt(i), 0x01000193);
  return hash >>> 0 || 1;
}

/**
 * Lines kept per cache. The bench mix draws from ~4,600 corpus lines; a fleet's stream
 * repeats far fewer. An entry of the parse cache is a few hundred bytes to a few KB
 * (the line's ShellCommand objects), so the parse cache stays under ~10 MB.
 */
export const LINE_CACHE_ENTRIES = 4096;
/** Longer lines are parsed and scanned every time (see LineCache). */
export const LINE_CACHE_MAX_LENGTH = 512;
