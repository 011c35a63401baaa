import { Engine } from 'json-rules-engine';
import type { RuleResult } from 'json-rules-engine';
import type { CommandEvent } from '../event';
import { EventFacts, factsRecord } from './facts';
import type { LoadedRule, RuleSet } from './load-rule-set';
import { toMatch } from './compile-rule-set';
import { CUSTOM_OPERATORS } from './operators/registry';
import type { Predicate } from './operators/operator';
import type { MatchedCondition, RuleMatch } from './types';

/** Evaluates with json-rules-engine itself; the definition of the rule semantics. */
export interface ReferenceEvaluator {
  evaluateReference(event: CommandEvent): Promise<RuleMatch[]>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Leaves that held outside `not` blocks, from json-rules-engine's evaluated condition tree. */
function matchedLeaves(node: unknown, out: MatchedCondition[]): void {
  if (!isRecord(node)) return;
  for (const kind of ['all', 'any'] as const) {
    const children = node[kind];
    if (Array.isArray(children)) {
      for (const child of children) matchedLeaves(child, out);
      return;
    }
  }
  if ('not' in node) return;
  if (
    node['result'] === true &&
    typeof node['fact'] === 'string' &&
    typeof node['operator'] === 'string'
  ) {
    out.push({
      fact: node['fact'],
      ...(typeof node['path'] === 'string' ? { path: node['path'] } : {}),
      operator: node['operator'],
      value: node['value'],
      factValue: node['factResult'],
    });
  }
}

/**
 * The REFERENCE evaluator: runs json-rules-engine 7.3.1 with Shellwatch's facts and
 * operators. Async and slow; the pipeline uses the compiled evaluator, and the
 * differential tests hold both to the same rule ids. One Engine must never run two
 * events at once (an overlapping run stops the other's rule loop), so each call takes an
 * idle Engine from a pool, or builds one when all are busy, and returns it when done:
 * sequential calls reuse one Engine, concurrent calls each get their own. The event's
 * facts are passed to `run()` as that run's facts (the same values `EventFacts` gives
 * the compiled evaluator). Operator values are compiled once per distinct value and
 * cached, never per event.
 */
export function createReferenceEvaluator(ruleSet: RuleSet): ReferenceEvaluator {
  const cache = new Map<string, Predicate>();
  // json-rules-engine hands an operator the same value object on every run, so the
  // identity cache answers without serializing (a 200-needle list is costly to stringify).
  const byValue = new Map<string, WeakMap<object, Predicate>>();
  const predicateFor = (operator: string, value: unknown): Predicate => {
    const identity = typeof value === 'object' && value !== null ? value : undefined;
    let byIdentity = byValue.get(operator);
    if (byIdentity === undefined) byValue.set(operator, (byIdentity = new WeakMap()));
    const known = identity === undefined ? undefined : byIdentity.get(identity);
    if (known !== undefined) return known;
    const key = `${operator}\u0000${JSON.stringify(value)}`;
    let predicate = cache.get(key);
    if (predicate === undefined) {
      const definition = CUSTOM_OPERATORS.find((op) => op.name === operator);
      const result = definition?.compile(value, ruleSet.context);
      predicate = result?.ok === true ? result.test : () => false;
      cache.set(key, predicate);
    }
    if (identity !== undefined) byIdentity.set(identity, predicate);
    return predicate;
  };
  const enabled: readonly LoadedRule[] = ruleSet.rules.filter((rule) => rule.definition.enabled);
  const byId = new Map(enabled.map((rule) => [rule.definition.id, rule]));
  const idle: Engine[] = [];
  const newEngine = (): Engine => {
    const engine = new Engine([], { allowUndefinedFacts: true });
    for (const op of CUSTOM_OPERATORS) {
      engine.addOperator(op.name, (factValue: unknown, value: unknown) =>
        predicateFor(op.name, value)(factValue),
      );
    }
    for (const rule of enabled) {
      engine.addRule({
        name: rule.definition.id,
        conditions: rule.engineConditions as never,
        event: { type: rule.definition.id },
      });
    }
    return engine;
  };
  const run = async (event: CommandEvent): Promise<RuleResult[]> => {
    const engine = idle.pop() ?? newEngine();
    try {
      const { results } = await engine.run(factsRecord(new EventFacts(event)));
      return results;
    } finally {
      idle.push(engine);
    }
  };

  return {
    async evaluateReference(event) {
      const results = await run(event);
      return results
        .map((result: RuleResult) => {
          const rule = byId.get(String(result.name));
          if (rule === undefined) return undefined;
          const matched: MatchedCondition[] = [];
          matchedLeaves(result.conditions, matched);
          return toMatch(rule, matched);
        })
        .filter((match): match is RuleMatch => match !== undefined)
        .sort((a, b) => (a.rule.id < b.rule.id ? -1 : 1));
    },
  };
}
