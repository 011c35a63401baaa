/**
 * An Aho-Corasick automaton over UTF-16 code units: one pass over a text reports
 * every keyword that occurs in it, whatever the number of keywords.
 *
 * Hand-written rather than taken from npm on purpose: the prefilter's promise is
 * "a keyword is reported whenever `text.includes(keyword)`", i.e. plain code-unit
 * substrings. The maintained packages we tried match whole grapheme clusters
 * (modern-ahocorasick 3.3 does not find `rm` in `rm\u0301`), which would let a
 * prefilter drop a rule that matches. Transitions for ASCII are a dense table
 * (a shell line is almost all ASCII); other code units follow failure links. The
 * table has one column per ASCII character that occurs in some keyword plus one for
 * all the others, not 128: with thousands of keywords it stays small enough for the
 * CPU caches, which is most of a scan's cost.
 */
const ASCII = 128;

export class KeywordScanner {
  /** Dense goto function for ASCII code units: `table[state * width + columnOf[code]]`. */
  private readonly table: Int32Array | Uint16Array;
  /** The table column of each ASCII code unit; 0 for those in no keyword. */
  private readonly columnOf: Uint8Array;
  private readonly width: number;
  /** Trie children for non-ASCII code units, per state (sparse). */
  private readonly wide: (Map<number, number> | undefined)[];
  private readonly fail: Int32Array;
  /** Keyword ids ending at each state, its failure chain included; null when none. */
  private readonly output: (readonly number[] | null)[];

  /** `keywords[i]` is reported as id `i`; empty keywords are ignored (they would match everything). */
  constructor(readonly keywords: readonly string[]) {
    this.columnOf = new Uint8Array(ASCII);
    let width = 1;
    for (const keyword of keywords)
      for (let i = 0; i < keyword.length; i++) {
        const code = keyword.charCodeAt(i);
        if (code < ASCII && this.columnOf[code] === 0) this.columnOf[code] = width++;
      }
    this.width = width;
    // The trie is written straight into the dense table (issue 25: a Map per state made
    // the construction a tenth of a second with the pack's 8,000 keywords): a row holds
    // a state's children until breadth-first order reaches it, then its transitions.
    const count = trieSize(keywords);
    // 16-bit states when they fit: half the bytes a scan pulls through the cache.
    const table = count <= 0xffff ? new Uint16Array(count * width) : new Int32Array(count * width);
    this.table = table;
    this.wide = new Array<Map<number, number> | undefined>(count).fill(undefined);
    this.fail = new Int32Array(count);
    // First the ids of the keywords ending at each state; the breadth-first pass adds
    // those of its failure chain (a Map of the ends was a fifth of a build).
    const output = new Array<number[] | null>(count).fill(null);
    this.output = output;
    // The ASCII trie edge into each state (column -1: a non-ASCII edge's target):
    // the breadth-first pass below fills each row from its failure row first.
    const edgeFrom = new Int32Array(count);
    const edgeColumn = new Int32Array(count).fill(-1);
    let states = 1;
    keywords.forEach((keyword, id) => {
      if (keyword === '') return;
      let state = 0;
      for (let i = 0; i < keyword.length; i++) {
        const code = keyword.charCodeAt(i);
        if (code < ASCII) {
          const cell = state * width + this.columnOf[code]!;
          let next = table[cell]!;
          if (next === 0) {
            next = table[cell] = states++;
            edgeFrom[next] = state;
            edgeColumn[next] = this.columnOf[code]!;
          }
          state = next;
        } else {
          let map = this.wide[state];
          if (map === undefined) this.wide[state] = map = new Map();
          let next = map.get(code);
          if (next === undefined) map.set(code, (next = states++));
          state = next;
        }
      }
      const own = output[state]!;
      if (own === null) output[state] = [id];
      else own.push(id);
    });

    // The ASCII children of each state, from the edges: a row is overwritten (below)
    // before its children are read, so they are kept apart.
    const firstChild = new Int32Array(count).fill(-1);
    const nextSibling = new Int32Array(count).fill(-1);
    for (let child = states - 1; child > 0; child--) {
      if (edgeColumn[child] === -1) continue; // a non-ASCII edge's target
      nextSibling[child] = firstChild[edgeFrom[child]!]!;
      firstChild[edgeFrom[child]!] = child;
    }
    // Breadth-first: a state's failure target is shallower, so its row is final when
    // used. A state's row is its failure target's row (a copy: one memmove instead of a
    // loop over the columns, issue 25) with its own children written over it.
    const queue: number[] = [0];
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head]!;
      const failure = this.fail[state]!;
      const own = output[state]!;
      const inherited = state === 0 ? null : output[failure]!;
      output[state] = own === null ? inherited : inherited === null ? own : [...own, ...inherited];
      const row = state * width;
      const failureRow = failure * width;
      if (state !== 0) table.copyWithin(row, failureRow, failureRow + width);
      for (let child = firstChild[state]!; child !== -1; child = nextSibling[child]!) {
        const column = edgeColumn[child]!;
        this.fail[child] = state === 0 ? 0 : table[failureRow + column]!;
        table[row + column] = child;
        queue.push(child);
      }
      const wide = this.wide[state];
      if (wide !== undefined)
        for (const [code, child] of wide) {
          this.fail[child] = state === 0 ? 0 : this.wideStep(failure, code);
          queue.push(child);
        }
    }
  }

  /** Calls `visit(id)` for every keyword occurrence in `text` (an id may be visited more than once). */
  scan(text: string, visit: (id: number) => void): void {
    const { table, output, columnOf, width } = this;
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      state = code < ASCII ? table[state * width + columnOf[code]!]! : this.wideStep(state, code);
      const hits = output[state];
      if (hits !== null && hits !== undefined) for (const id of hits) visit(id);
    }
  }

  /**
   * `scan(text.toLowerCase(), visit)` without building the lowercase string when `text`
   * is ASCII (A-Z folded on the fly, which is all toLowerCase does to ASCII). At the
   * first non-ASCII code unit it scans `text.toLowerCase()` from the start instead, so
   * some ids may be visited twice. With `terminator` (an ASCII code unit), scans as if
   * the text ended with it, and with `initiator` as if it began with it, without
   * building that string.
   */
  scanLowerCase(
    text: string,
    visit: (id: number) => void,
    terminator?: number,
    initiator?: number,
  ): void {
    const { table, output, columnOf, width } = this;
    let state = 0;
    if (initiator !== undefined) {
      state = table[columnOf[initiator]!]!;
      const hits = output[state];
      if (hits !== null && hits !== undefined) for (const id of hits) visit(id);
    }
    for (let i = 0; i < text.length; i++) {
      let code = text.charCodeAt(i);
      if (code >= ASCII) {
        const lower = text.toLowerCase();
        const start = initiator === undefined ? '' : String.fromCharCode(initiator);
        const end = terminator === undefined ? '' : String.fromCharCode(terminator);
        this.scan(start + lower + end, visit);
        return;
      }
      if (code >= 65 && code <= 90) code += 32;
      state = table[state * width + columnOf[code]!]!;
      const hits = output[state];
      if (hits !== null && hits !== undefined) for (const id of hits) visit(id);
    }
    if (terminator !== undefined) {
      const hits = output[table[state * width + columnOf[terminator]!]!];
      if (hits !== null && hits !== undefined) for (const id of hits) visit(id);
    }
  }

  /**
   * `scan` of an ASCII-only `text` with each code unit replaced by `fold[code]`, between
   * two `boundary` code units: for callers that fold keywords and text alike (case,
   * separators) and look for keywords at the text's ends too.
   */
  scanFolded(text: string, fold: Uint8Array, boundary: number, visit: (id: number) => void): void {
    const { table, output, columnOf, width } = this;
    let state = table[columnOf[boundary]!]!;
    const first = output[state];
    if (first !== null && first !== undefined) for (const id of first) visit(id);
    for (let i = 0; i <= text.length; i++) {
      const code = i < text.length ? fold[text.charCodeAt(i) & 0x7f]! : boundary;
      state = table[state * width + columnOf[code]!]!;
      const hits = output[state];
      if (hits !== null && hits !== undefined) for (const id of hits) visit(id);
    }
  }

  /** Whether any keyword occurs in `text`: `scan` that stops at the first occurrence. */
  matchesAny(text: string): boolean {
    const { table, output, columnOf, width } = this;
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      state = code < ASCII ? table[state * width + columnOf[code]!]! : this.wideStep(state, code);
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

/**
 * The number of trie states for `keywords` (the root and one per distinct non-empty
 * prefix), counted from the sorted keywords' common prefixes without building the trie.
 */
function trieSize(keywords: readonly string[]): number {
  const sorted = keywords.filter((k) => k !== '').sort();
  let count = 1;
  let previous = '';
  for (const keyword of sorted) {
    let common = 0;
    const limit = Math.min(previous.length, keyword.length);
    while (common < limit && previous.charCodeAt(common) === keyword.charCodeAt(common)) common++;
    count += keyword.length - common;
    previous = keyword;
  }
  return count;
}
