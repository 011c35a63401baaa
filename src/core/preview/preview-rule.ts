import { STORED_ARGS_NOTE } from '../alerts/stored-command';
import type { CommandEvent } from '../event';
import { compileRuleSet } from '../rules/compile-rule-set';
import type { LoadedRule, RuleSet } from '../rules/load-rule-set';
import type { RuleMatch } from '../rules/types';

/**
 * The pipeline's evaluator (CompiledRuleEvaluator, prefilter included) for one rule of
 * a loaded set, run as if enabled: a preview shows what the rule does once it runs,
 * whatever its `enabled` says now. The set is compiled exactly as loadRuleSet compiles
 * the single-event rules of the rules folder.
 */
export function previewEvaluator(
  ruleSet: RuleSet,
  rule: LoadedRule,
): (event: CommandEvent) => RuleMatch | undefined {
  const enabled: LoadedRule = { ...rule, definition: { ...rule.definition, enabled: true } };
  const evaluator = compileRuleSet({ ...ruleSet, rules: [enabled] });
  return (event) => evaluator.evaluate(event)[0];
}

/**
 * What a preview's answer must say about the rule itself, so its counts are read
 * right: a disabled rule raises nothing yet, suppression makes fewer alerts than
 * matches, and process.args is the one field the commands index does not keep exactly.
 */
export function ruleNotes(rule: LoadedRule): string[] {
  const notes: string[] = [];
  const { definition } = rule;
  if (!definition.enabled) {
    notes.push(
      'the rule is disabled: it raises no alerts until enabled; the preview shows what it would match',
    );
  }
  if (definition.suppression !== undefined) {
    notes.push(
      'the rule has suppression: live, matches of one group within its period raise one alert; the counts here are matches',
    );
  }
  if (readsProcessArgs([definition.conditions, definition.exceptions]))
    notes.push(STORED_ARGS_NOTE);
  return notes;
}

/** Whether a condition tree names `process.args` (fact `process` with a path through args). */
function readsProcessArgs(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(readsProcessArgs);
  if (typeof value !== 'object' || value === null) return false;
  const node = value as Record<string, unknown>;
  if (
    node['fact'] === 'process' &&
    typeof node['path'] === 'string' &&
    node['path'].includes('args')
  ) {
    return true;
  }
  return Object.values(node).some(readsProcessArgs);
}
