/**
 * An Aho-Corasick automaton over UTF-16 code units: one pass over a text reports
 * every keyword that occurs in it, whatever the number of keywords.
 *
 * Hand-written rather than taken from npm on purpose: the prefilter's promise is
 * "a keyword is reported whenever `text.includes(keyword)`", i.e. plain code-unit
 * substrings. The maintained packages we tried match whole grapheme clusters
 * (modern-ahocorasick 3.3 does not find `rm` in `rm\u0301`), which would let a
 * prefilter drop a rule that matches. Transitions for ASCII are a dense table
 * (a shell line is almost all ASCII); other code units follow failure links.
 */
const ASCII = 128;

export class KeywordScanner {
  /** Dense goto function for ASCII code units: `table[state * 128 + code]`. */
  private readonly table: Int32Array;
  /** Trie children for non-ASCII code units, per state (sparse). */
  private readonly wide: (Map<number, number> | undefined)[];
  private readonly fail: Int32Array;
  /** Keyword ids ending at each state, its failure chain included; null when none. */
  private readonly output: (readonly number[] | null)[];

  /** `keywords[i]` is reported as id `i`; empty keywords are ignored (they would match everything). */
  constructor(readonly keywords: readonly string[]) {
    const children: Map<number, number>[] = [new Map<number, number>()];
    const ends: number[][] = [[]];
    keywords.forEach((keyword, id) => {
      if (keyword === '') return;
      let state = 0;
      for (let i = 0; i < keyword.length; i++) {
        const code = keyword.charCodeAt(i);
        let next = children[state]!.get(code);
        if (next === undefined) {
          next = children.length;
          children.push(new Map<number, number>());
          ends.push([]);
          children[state]!.set(code, next);
        }
        state = next;
      }
      ends[state]!.push(id);
    });

    const count = children.length;
    this.table = new Int32Array(count * ASCII);
    this.wide = new Array<Map<number, number> | undefined>(count);
    this.fail = new Int32Array(count);
    this.output = new Array<readonly number[] | null>(count).fill(null);
    for (let state = 0; state < count; state++) {
      for (const [code, next] of children[state]!) {
        if (code >= ASCII) {
          let map = this.wide[state];
          if (map === undefined) this.wide[state] = map = new Map();
          map.set(code, next);
        }
      }
    }

    // Breadth-first: a state's failure target is always shallower, so it is final when used.
    const queue: number[] = [];
    for (let code = 0; code < ASCII; code++) {
      const next = children[0]!.get(code);
      this.table[code] = next ?? 0;
      if (next !== undefined) queue.push(next);
    }
    for (const next of this.wide[0]?.values() ?? []) queue.push(next);
    this.output[0] = null;
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head]!;
      const own = ends[state]!;
      const inherited = this.output[this.fail[state]!] ?? null;
      this.output[state] =
        own.length === 0 ? inherited : inherited === null ? own : [...own, ...inherited];
      for (let code = 0; code < ASCII; code++) {
        const next = children[state]!.get(code);
        if (next === undefined) {
          this.table[state * ASCII + code] = this.table[this.fail[state]! * ASCII + code]!;
        } else {
          this.fail[next] = this.table[this.fail[state]! * ASCII + code]!;
          this.table[state * ASCII + code] = next;
          queue.push(next);
        }
      }
      for (const [code, next] of this.wide[state] ?? []) {
        this.fail[next] = this.wideStep(this.fail[state]!, code);
        queue.push(next);
      }
    }
  }

  /** Calls `visit(id)` for every keyword occurrence in `text` (an id may be visited more than once). */
  scan(text: string, visit: (id: number) => void): void {
    const table = this.table;
    const output = this.output;
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      state = code < ASCII ? table[state * ASCII + code]! : this.wideStep(state, code);
      const hits = output[state];
      if (hits !== null && hits !== undefined) for (const id of hits) visit(id);
    }
  }

  /**
   * `scan(text.toLowerCase(), visit)` without building the lowercase string when `text`
   * is ASCII (A-Z folded on the fly, which is all toLowerCase does to ASCII). At the
   * first non-ASCII code unit it scans `text.toLowerCase()` from the start instead, so
   * some ids may be visited twice.
   */
  scanLowerCase(text: string, visit: (id: number) => void): void {
    const table = this.table;
    const output = this.output;
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      let code = text.charCodeAt(i);
      if (code >= ASCII) {
        this.scan(text.toLowerCase(), visit);
        return;
      }
      if (code >= 65 && code <= 90) code += 32;
      state = table[state * ASCII + code]!;
      const hits = output[state];
      if (hits !== null && hits !== undefined) for (const id of hits) visit(id);
    }
  }

  /** Whether any keyword occurs in `text`: `scan` that stops at the first occurrence. */
  matchesAny(text: string): boolean {
    const table = this.table;
    const output = this.output;
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      state = code < ASCII ? table[state * ASCII + code]! : this.wideStep(state, code);
      if (output[state] !== null) return true;
    }
    return false;
  }

  /** Transition on a non-ASCII code unit, following failure links (only built states are used). */
  private wideStep(from: number, code: number): number {
    let state = from;
    for (;;) {
      const next = this.wide[state]?.get(code);
      if (next !== undefined) return next;
      if (state === 0) return 0;
      state = this.fail[state]!;
    }
  }
}
