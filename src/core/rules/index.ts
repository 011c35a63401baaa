/**
 * The rule core: load and validate rule files, compile them, evaluate events.
 *
 * - {@link loadRuleSet}(files, lists) → a rule set + synchronous evaluator, or every problem.
 * - {@link CompiledRuleEvaluator} is what the pipeline runs (`evaluate(event)`).
 * - {@link createReferenceEvaluator} is json-rules-engine itself, the semantic reference.
 * - {@link runRuleExamples} checks a rule's embedded examples.
 *
 * Facts and operators: see facts.ts, operators/ and docs/rules.md ("Facts", "Operators").
 */
export {
  loadRuleSet,
  formatRuleProblems,
  isSingleEventRule,
  ruleSetRegexes,
  verdictLookup,
} from './load-rule-set';
export type {
  LoadRuleSetOptions,
  LoadRuleSetResult,
  LoadedRule,
  NormalizedRule,
  RuleSet,
} from './load-rule-set';
export { compileRuleSet, CompiledRuleEvaluator } from './compile-rule-set';
export { createReferenceEvaluator } from './reference-evaluator';
export type { ReferenceEvaluator } from './reference-evaluator';
export { runRuleExamples, exampleEvent } from './run-rule-examples';
export type { ExampleFailure } from './run-rule-examples';
export { EventFacts, FACT_NAMES, EVENT_FACT_NAMES, DERIVED_FACT_NAMES } from './facts';
export type { FactName } from './facts';
export { OPERATORS, CUSTOM_OPERATORS } from './operators/registry';
export { contentHash } from './content-hash';
export type * from './types';
export { RULE_ID_PATTERN, RULE_ID_MAX_LENGTH, isPackRuleId, ruleIdProblem } from './rule-id';
