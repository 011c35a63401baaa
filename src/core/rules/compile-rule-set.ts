import type { CommandEvent } from '../event';
import { EventFacts } from './facts';
import type { LoadedRule, RuleSet } from './load-rule-set';
import type { MatchedCondition, RuleEvaluator, RuleMatch } from './types';

function toMatch(rule: LoadedRule, matched: MatchedCondition[]): RuleMatch {
  const { id, name, description, severity, tags, mitre, version } = rule.definition;
  return {
    rule: {
      id,
      name,
      ...(description !== undefined ? { description } : {}),
      severity,
      ...(tags !== undefined ? { tags } : {}),
      ...(mitre !== undefined ? { mitre } : {}),
      version,
    },
    matched,
  };
}

/**
 * The evaluator the pipeline uses: synchronous, walks each rule's precompiled
 * condition closures over one lazily-computed {@link EventFacts}. Same semantics as the
 * json-rules-engine reference (see reference-evaluator.ts and the differential test).
 *
 * Prefilter hook (issue 8): `candidates()` is the one place that picks which rules run
 * for an event; an index by program name / literal keyword replaces its body.
 */
export class CompiledRuleEvaluator implements RuleEvaluator {
  private readonly enabled: readonly LoadedRule[];
  private readonly byId: ReadonlyMap<string, LoadedRule>;

  constructor(readonly ruleSet: RuleSet) {
    this.enabled = ruleSet.rules.filter((rule) => rule.definition.enabled);
    this.byId = new Map(ruleSet.rules.map((rule) => [rule.definition.id, rule]));
  }

  get ruleCount(): number {
    return this.enabled.length;
  }

  /** Matches of every enabled rule, ordered by rule id. Never throws on input. */
  evaluate(event: CommandEvent): RuleMatch[] {
    const facts = new EventFacts(event);
    const matches: RuleMatch[] = [];
    for (const rule of this.candidates(facts)) {
      const match = evaluateRule(rule, facts);
      if (match !== undefined) matches.push(match);
    }
    return matches;
  }

  /** One rule, enabled or not (for `rules test` and examples); undefined when it does not match. */
  evaluateRule(ruleId: string, event: CommandEvent): RuleMatch | undefined {
    const rule = this.byId.get(ruleId);
    return rule === undefined ? undefined : evaluateRule(rule, new EventFacts(event));
  }

  private candidates(_facts: EventFacts): readonly LoadedRule[] {
    return this.enabled;
  }
}

function evaluateRule(rule: LoadedRule, facts: EventFacts): RuleMatch | undefined {
  try {
    const matched: MatchedCondition[] = [];
    if (!rule.conditions(facts, matched)) return undefined;
    if (rule.exceptions?.(facts, null) === true) return undefined;
    return toMatch(rule, matched);
  } catch {
    // Predicates and the parser do not throw; this guard keeps one broken rule from stopping the stream.
    return undefined;
  }
}

/** Builds the synchronous evaluator for a loaded rule set. */
export function compileRuleSet(ruleSet: RuleSet): CompiledRuleEvaluator {
  return new CompiledRuleEvaluator(ruleSet);
}
