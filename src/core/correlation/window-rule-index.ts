import type { EventFacts } from '../rules/facts';
import { Prefilter } from '../rules/prefilter';
import type { PrefilterRule } from '../rules/prefilter';
import type { CorrelationRule } from './engine-types';

/** A threshold or sequence rule as the prefilter sees it, with the rule it stands for. */
interface IndexedRule extends PrefilterRule {
  readonly rule: CorrelationRule;
}

/**
 * The single-event evaluator's prefilter (rules/prefilter.ts) over the threshold and
 * sequence rules, so the engine evaluates only those whose conditions could hold for
 * an event: most lines then need no shell parsing for correlation either.
 */
export class WindowRuleIndex {
  private readonly out: CorrelationRule[] = [];

  private constructor(private readonly prefilter: Prefilter<IndexedRule>) {}

  /**
   * The index of `rules` (built once per rule array: the engine gets the same array
   * with every batch until a reload), or undefined when there is nothing to index.
   */
  static of(rules: readonly CorrelationRule[]): WindowRuleIndex | undefined {
    if (!cache.has(rules)) cache.set(rules, WindowRuleIndex.build(rules));
    return cache.get(rules);
  }

  /** The threshold and sequence rules that could hold, in `rules` order; valid until the next call. */
  candidates(facts: EventFacts): readonly CorrelationRule[] {
    const out = this.out;
    out.length = 0;
    for (const indexed of this.prefilter.candidates(facts)) out.push(indexed.rule);
    return out;
  }

  /** Builds the index of the enabled threshold and sequence rules of `rules`. */
  private static build(rules: readonly CorrelationRule[]): WindowRuleIndex | undefined {
    const windowed = rules.filter(
      (rule) =>
        rule.definition.enabled &&
        (rule.correlation?.threshold !== undefined || rule.correlation?.sequence !== undefined),
    );
    const context = windowed[0]?.correlation?.context;
    if (windowed.length === 0 || context === undefined) return undefined;
    return new WindowRuleIndex(new Prefilter(windowed.map(indexed), context));
  }
}

const cache = new WeakMap<readonly CorrelationRule[], WindowRuleIndex | undefined>();

/**
 * What the engine evaluates of a rule: a threshold's conditions, a sequence's steps
 * (its `engineConditions`) and also its absence, which is checked on every event.
 */
function indexed(rule: CorrelationRule): IndexedRule {
  const absence = rule.definition.sequence?.absence?.conditions;
  return {
    definition: rule.definition,
    conditions: rule.conditions,
    engineConditions:
      absence === undefined ? rule.engineConditions : { any: [rule.engineConditions, absence] },
    rule,
  };
}
