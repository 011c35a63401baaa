import type { CommandEvent } from '../core/event';
import { compileRuleSet } from '../core/rules/compile-rule-set';
import type { CompiledRuleEvaluator } from '../core/rules/compile-rule-set';
import type { RuleEvaluator, RuleMatch } from '../core/rules/types';

/**
 * Events evaluated with every rule before the prefilter index is built. In a fresh
 * process, after the pack's load, building the index cost 0.75–0.85 s of CPU (0.15 s
 * the second time: most of it is the code's first, unoptimised run) and an event
 * without it 3.3–4.1 ms over the first 200 events (1.4–1.8 ms later), against ~0.2 ms
 * with it (2026-12-07, load 12–16 on 2 cores). At 100 events a long input pays ~0.35 s
 * more than with the index from the start, and an input of up to 100 lines (the
 * README's three, a `rules test` fixture) saves the build.
 */
export const INDEX_AFTER_EVENTS = 100;

/**
 * The CLI's single-event evaluator (issue 25): every enabled rule on each of the first
 * {@link INDEX_AFTER_EVENTS} events, then the prefilter index, built from the same rule
 * set, as the service runs from its start. The prefilter only skips rules that cannot
 * match, and a match is reported from the rule's own conditions either way, so the
 * matches are the same before and after (lazy-index-evaluator.spec.ts).
 */
export class LazyIndexEvaluator implements RuleEvaluator {
  private indexed: CompiledRuleEvaluator | undefined;
  private unindexedEvents = 0;

  /** `unindexed`: the rule set's evaluator without its index (`prefilter: false`). */
  constructor(
    private readonly unindexed: CompiledRuleEvaluator,
    private readonly indexAfter: number = INDEX_AFTER_EVENTS,
  ) {}

  get ruleCount(): number {
    return this.unindexed.ruleCount;
  }

  /** Whether the index has been built (tests). */
  get isIndexed(): boolean {
    return this.indexed !== undefined;
  }

  evaluate(event: CommandEvent): RuleMatch[] {
    if (this.indexed !== undefined) return this.indexed.evaluate(event);
    if (this.unindexedEvents >= this.indexAfter) {
      this.indexed = compileRuleSet(this.unindexed.ruleSet);
      return this.indexed.evaluate(event);
    }
    this.unindexedEvents += 1;
    return this.unindexed.evaluate(event);
  }
}
