import { LRUCache } from 'lru-cache';

/** Why a regex must not be used, or undefined when it is safe (see checkRegex). */
export type RegexVerdict = string | undefined;

/** Bytes a cache entry is counted as beyond its strings: the LRU's node and the Map slot. */
const ENTRY_OVERHEAD_BYTES = 64;

/**
 * Verdicts of the backtracking analysis, least recently used first out, bounded in
 * BYTES rather than entries: a count bound let one 250 KB pattern a request grow the
 * heap by 590 MB in 400 requests (issue 20). Strings count two bytes a character
 * (V8 may store them in one; the bound errs on the safe side). Only definite verdicts
 * belong here (safe, vulnerable, unsupported syntax), never "ran out of time".
 */
export class RegexVerdictCache {
  private readonly entries: LRUCache<string, { verdict: RegexVerdict }>;

  constructor(readonly maxBytes: number) {
    this.entries = new LRUCache<string, { verdict: RegexVerdict }>({
      maxSize: maxBytes,
      sizeCalculation: (value, key) =>
        ENTRY_OVERHEAD_BYTES + 2 * (key.length + (value.verdict?.length ?? 0)),
    });
  }

  /** The cached verdict as `{ verdict }`, or undefined when there is none. */
  get(key: string): { verdict: RegexVerdict } | undefined {
    return this.entries.get(key);
  }

  /** Remembers a verdict; an entry larger than the whole bound is not kept. */
  set(key: string, verdict: RegexVerdict): void {
    this.entries.set(key, { verdict });
  }

  /** Bytes held, as counted against {@link maxBytes}. */
  get bytes(): number {
    return this.entries.calculatedSize;
  }

  get size(): number {
    return this.entries.size;
  }
}
