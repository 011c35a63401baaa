import type { CommandEvent } from '../event';
import type { LoadedRule } from '../rules/load-rule-set';
import type { RuleMatch } from '../rules/types';
import type { RunRules } from './event-run';

/** What {@link oneRuleRules} needs of an evaluator: one rule by id, enabled or not. */
export interface SingleRuleEvaluator {
  evaluateRule(ruleId: string, event: CommandEvent): RuleMatch | undefined;
}

/**
 * The rules of a run that tries one rule, enabled or not (`POST /rules/test`, a
 * rule's examples): the rule alone, as if enabled, so its suppression, threshold or
 * sequence runs as the service would run it.
 */
export function oneRuleRules(rule: LoadedRule, evaluator: SingleRuleEvaluator): RunRules {
  const ruleId = rule.definition.id;
  return {
    evaluator: {
      ruleCount: 1,
      evaluate: (event) => {
        const match = evaluator.evaluateRule(ruleId, event);
        return match === undefined ? [] : [match];
      },
    },
    rules: [{ ...rule, definition: { ...rule.definition, enabled: true } }],
  };
}
