import { createHash } from 'node:crypto';
import type { SharedNode } from './compile-condition';
import type { loadLists } from './load-lists';
import type { LoadedRule } from './load-rule-set';
import type { RegexSpec } from './operators/check-regex';
import type { Prefilter } from './prefilter';
import type { SourceFile } from './types';

/** A rule compiled by an earlier load and the regexes its compile asked about. */
export interface CompiledRuleEntry {
  readonly rule: LoadedRule;
  readonly regexes: readonly RegexSpec[];
}

/** How the last load got its rules: taken from the cache, or compiled. */
export interface CompileCounts {
  readonly reused: number;
  readonly compiled: number;
}

type LoadedLists = ReturnType<typeof loadLists>;

/**
 * What one rule-set load leaves for the next (issue 25: a hot reload that changes one
 * rule costs about one rule). Keyed by content: a rule file whose path and text are
 * unchanged, with the same list files, is taken as compiled before — provided each
 * regex it uses is still allowed, which the load asks again (a Map lookup for a
 * pattern already decided). A compiled rule does not depend on its regexes' verdicts
 * otherwise: its compile succeeded only because every one of them was allowed.
 *
 * Holds the rules of the LAST load only (its files that compiled), so it is bounded by
 * the size of one rule set; a change to any list file empties it, since rules read
 * lists when they compile. Also kept for the next load: the shared-condition table
 * (so a recompiled rule still shares conditions with the reused ones) and the last
 * prefilter, whose keyword scanners are reused when their keyword set is unchanged.
 *
 * One cache per stream of loads of one folder (the rule store's); not for loads of
 * unrelated files, which would evict it.
 */
export class RuleCompileCache {
  private entries = new Map<string, CompiledRuleEntry>();
  private lists: { hash: string; loaded: LoadedLists } | undefined;
  private sharedNodes = new Map<string, SharedNode>();
  /** The prefilter of the last load that compiled an evaluator. */
  prefilter: Prefilter | undefined;
  private counts: CompileCounts = { reused: 0, compiled: 0 };

  /** Rules held (those of the last load). */
  get size(): number {
    return this.entries.size;
  }

  /** What the last finished load reused and compiled. */
  get lastLoad(): CompileCounts {
    return this.counts;
  }

  /**
   * Starts a load of `ruleFiles` with list files whose content hash is `listsHash`:
   * everything compiled against other lists is dropped.
   */
  begin(listsHash: string, ruleFiles: number, load: () => LoadedLists): CompileSession {
    if (this.lists?.hash !== listsHash) {
      this.entries.clear();
      this.sharedNodes = new Map();
      this.lists = { hash: listsHash, loaded: load() };
    }
    // Conditions of rules long gone only cost memory: start afresh when they pile up.
    if (this.sharedNodes.size > 8 * ruleFiles + 1024) this.sharedNodes = new Map();
    return new CompileSession(this.entries, this.lists.loaded, this.sharedNodes, (kept, counts) => {
      this.entries = kept;
      this.counts = counts;
    });
  }
}

/** One load's use of a {@link RuleCompileCache}: lookups, then {@link finish}. */
export class CompileSession {
  private readonly kept = new Map<string, CompiledRuleEntry>();
  private reused = 0;
  private compiled = 0;

  constructor(
    private readonly previous: ReadonlyMap<string, CompiledRuleEntry>,
    readonly lists: LoadedLists,
    readonly shared: Map<string, SharedNode>,
    private readonly done: (kept: Map<string, CompiledRuleEntry>, counts: CompileCounts) => void,
  ) {}

  /** The entry compiled for this exact file (path and text), if any. */
  lookup(file: SourceFile): { key: string; entry: CompiledRuleEntry | undefined } {
    const key = createHash('sha256')
      .update(file.path)
      .update('\0')
      .update(file.text)
      .digest('base64');
    return { key, entry: this.previous.get(key) };
  }

  /** Keeps an entry for the next load; `reused` says whether it came from the cache. */
  keep(key: string, entry: CompiledRuleEntry, reused: boolean): void {
    this.kept.set(key, entry);
    if (reused) this.reused += 1;
    else this.compiled += 1;
  }

  /** Ends the load: the cache now holds what this load kept. */
  finish(): void {
    this.done(this.kept, { reused: this.reused, compiled: this.compiled });
  }
}
