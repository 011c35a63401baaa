import type { CommandEvent } from '../event';
import { readsLineOnly } from './compile-condition';
import type { CompiledNode } from './compile-condition';
import { EventFacts, factsOf } from './facts';
import type { LoadedRule, RuleSet } from './load-rule-set';
import { Prefilter } from './prefilter';
import type { PrefilterStats } from './prefilter';
import type { MatchedCondition, RuleEvaluator, RuleMatch } from './types';

/** The RuleMatch both evaluators report for a rule that held, with the conditions that did. */
export function toMatch(rule: LoadedRule, matched: MatchedCondition[]): RuleMatch {
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

/** Options for {@link compileRuleSet}. */
export interface CompileRuleSetOptions {
  /** Index rules by program name and literal keyword (default true); false runs every rule on every event. */
  prefilter?: boolean;
  /** The previous set's index, whose parts are reused where they did not change (a reload). */
  reuse?: Prefilter;
}

/**
 * The evaluator the pipeline uses: synchronous, walks each rule's precompiled
 * condition closures over one lazily-computed {@link EventFacts}. Same semantics as the
 * json-rules-engine reference (see reference-evaluator.ts and the differential test).
 *
 * `candidates()` is the one place that picks which rules run for an event: with the
 * prefilter (prefilter.ts), only rules whose necessary condition the event meets.
 */
export class CompiledRuleEvaluator implements RuleEvaluator {
  private readonly enabled: readonly LoadedRule[];
  private readonly byId: ReadonlyMap<string, LoadedRule>;
  private readonly prefilter: Prefilter | undefined;
  /** Rules whose answer and matched leaves depend on the command line alone. */
  private readonly decidedByLine: ReadonlySet<LoadedRule>;

  constructor(
    readonly ruleSet: RuleSet,
    options: CompileRuleSetOptions = {},
  ) {
    this.enabled = ruleSet.rules.filter((rule) => rule.definition.enabled);
    this.byId = new Map(ruleSet.rules.map((rule) => [rule.definition.id, rule]));
    this.decidedByLine = new Set(this.enabled.filter(isDecidedByLine));
    this.prefilter =
      options.prefilter === false
        ? undefined
        : new Prefilter(this.enabled, ruleSet.context, options.reuse, (rule) =>
            this.decidedByLine.has(rule),
          );
  }

  /** The index itself, for the next load to reuse (undefined when it is off). */
  get prefilterIndex(): Prefilter | undefined {
    return this.prefilter;
  }

  /** What the prefilter indexed; undefined when it is off. */
  get prefilterStats(): PrefilterStats | undefined {
    return this.prefilter?.stats;
  }

  get ruleCount(): number {
    return this.enabled.length;
  }

  /** Matches of every enabled rule, ordered by rule id. Never throws on input. */
  evaluate(event: CommandEvent): RuleMatch[] {
    const facts = factsOf(event);
    const matches: RuleMatch[] = [];
    let prefilter = this.prefilter;
    let candidates: readonly LoadedRule[];
    try {
      candidates = prefilter === undefined ? this.enabled : prefilter.candidates(facts, true);
    } catch {
      // Only a bug in the parser could get here; then every rule runs, each guarded,
      // rather than one command line failing its whole batch again and again.
      candidates = this.enabled;
      prefilter = undefined;
    }
    // A repeated line: the rules it decides are answered from their first evaluation
    // with it (the candidates then hold only those of them that match).
    const verdicts = prefilter?.lineVerdicts;
    // The line's first evaluation with a kept entry: record those verdicts.
    const recording =
      prefilter?.awaitsLineVerdicts === true
        ? new Map<LoadedRule, readonly MatchedCondition[]>()
        : undefined;
    for (const rule of candidates) {
      if (verdicts !== undefined && this.decidedByLine.has(rule)) {
        const leaves = verdicts.get(rule);
        if (leaves !== undefined) matches.push(toMatch(rule, leaves.map(copyLeaf)));
        continue;
      }
      // Gated conditions are valid only right after candidates() for this event.
      const conditions = prefilter === undefined ? rule.conditions : prefilter.conditionsOf(rule);
      const match = evaluateRule(rule, conditions, facts);
      if (match === undefined) continue;
      matches.push(match);
      if (recording !== undefined && this.decidedByLine.has(rule))
        recording.set(rule, match.matched.map(copyLeaf));
    }
    if (recording !== undefined) prefilter?.decideLine(recording);
    return matches;
  }

  /** One rule, enabled or not (for `rules test` and examples); undefined when it does not match. */
  evaluateRule(ruleId: string, event: CommandEvent): RuleMatch | undefined {
    const rule = this.byId.get(ruleId);
    return rule === undefined
      ? undefined
      : evaluateRule(rule, rule.conditions, new EventFacts(event));
  }

  /** Ids of the rules that run for this event: all enabled ones without the prefilter (bench, tests). */
  candidateIds(event: CommandEvent): string[] {
    return this.candidates(new EventFacts(event)).map((rule) => rule.definition.id);
  }

  private candidates(facts: EventFacts): readonly LoadedRule[] {
    return this.prefilter === undefined ? this.enabled : this.prefilter.candidates(facts);
  }
}

/**
 * Whether a rule's answer and matched leaves depend on the command line alone: its
 * conditions and exceptions read only line facts (compile-condition.ts), so every event
 * with the same line gets the same verdict.
 */
function isDecidedByLine(rule: LoadedRule): boolean {
  return (
    readsLineOnly(rule.conditions) &&
    (rule.exceptions === undefined || readsLineOnly(rule.exceptions))
  );
}

/** A matched leaf of its own for each match (alerts hold them), the same fields in the same order. */
function copyLeaf(leaf: MatchedCondition): MatchedCondition {
  return { ...leaf };
}

/** Reused for every rule that does not match (most of them): a match gets its own copy. */
const scratch: MatchedCondition[] = [];

function evaluateRule(
  rule: LoadedRule,
  conditions: CompiledNode,
  facts: EventFacts,
): RuleMatch | undefined {
  try {
    // First the yes/no answer, cheapest conditions first (compile-condition.ts); only a
    // match walks the rule again in its own order to collect the leaves that held.
    if (!conditions(facts, null)) return undefined;
    if (rule.exceptions?.(facts, null) === true) return undefined;
    scratch.length = 0;
    conditions(facts, scratch);
    return toMatch(rule, scratch.slice());
  } catch {
    // Predicates and the parser do not throw; this guard keeps one broken rule from stopping the stream.
    return undefined;
  }
}

/** Builds the synchronous evaluator for a loaded rule set. */
export function compileRuleSet(
  ruleSet: RuleSet,
  options: CompileRuleSetOptions = {},
): CompiledRuleEvaluator {
  return new CompiledRuleEvaluator(ruleSet, options);
}
