/**
 * What the prefilter's index derives from one rule (its alternatives, or those of each
 * child of its top-level `any`), computed once per rule object and lists.
 */
import { anyChildren } from './compile-condition';
import type { LoadedRule } from './load-rule-set';
import type { CompileContext } from './operators/operator';
import { conditionAlternatives } from './prefilter-conditions';
import type { Alternatives } from './prefilter-conditions';
import { isRecord } from './prefilter-operator-literals';

/**
 * What the index reads of a rule: its source conditions (for a top-level `any`), the
 * compiled node (whose children it gates) and what the rule really evaluates.
 */
export type PrefilterRule = Pick<LoadedRule, 'definition' | 'conditions' | 'engineConditions'>;
/**
 * The necessary conditions of each child of a rule's top-level `any` (undefined for a
 * child without one), or undefined when the rule is not such an `any` or no child has
 * one. The children's order is the compiled node's (compile-condition.ts keeps it).
 */
function childAlternativesOf(rule: PrefilterRule, ctx: CompileContext): Alternatives[] | undefined {
  const node: unknown = rule.definition.conditions;
  const compiled = anyChildren.get(rule.conditions);
  if (!isRecord(node) || !Array.isArray(node['any']) || compiled === undefined) return undefined;
  if (compiled.length !== node['any'].length || compiled.length < 2) return undefined;
  const alternatives = node['any'].map((child) => conditionAlternatives(child, ctx));
  return alternatives.some((a) => a !== undefined) ? alternatives : undefined;
}

/** What the index derives from one rule; computed once per rule object and lists. */
export interface RuleAnalysis {
  children(): Alternatives[] | undefined;
  whole(): Alternatives;
}

/**
 * Per rule object: its analysis and the lists it was made with. A reload reuses the
 * unchanged rules' objects (rule-compile-cache.ts) with the same lists, so only the
 * changed rules are analysed again (issue 25: the analysis was half of an index build).
 */
const analyses = new WeakMap<
  PrefilterRule,
  { lists: CompileContext['lists']; analysis: RuleAnalysis }
>();

export function analysisOf(rule: PrefilterRule, ctx: CompileContext): RuleAnalysis {
  const known = analyses.get(rule);
  if (known !== undefined && known.lists === ctx.lists) return known.analysis;
  let children: { value: Alternatives[] | undefined } | undefined;
  let whole: { value: Alternatives } | undefined;
  const analysis: RuleAnalysis = {
    children: () => (children ??= { value: childAlternativesOf(rule, ctx) }).value,
    whole: () => (whole ??= { value: conditionAlternatives(rule.engineConditions, ctx) }).value,
  };
  analyses.set(rule, { lists: ctx.lists, analysis });
  return analysis;
}
