import type { EventFacts, FactName } from './facts';
import { FACT_NAMES } from './facts';
import type { CompileContext } from './operators/operator';
import { compileOperator } from './operators/registry';
import { compilePath } from './resolve-path';
import type { MatchedCondition } from './types';

/**
 * A compiled condition: answers for one event's facts and, when `matched` is given,
 * appends the leaf conditions that held (outside `not` blocks) with the values seen.
 * Built only from validated data; no eval, no per-event compilation.
 */
export type CompiledNode = (facts: EventFacts, matched: MatchedCondition[] | null) => boolean;

/** A problem found while compiling, with its JSON pointer inside the rule file. */
export interface PointedProblem {
  pointer: string;
  message: string;
}

/** Options for {@link compileCondition}. */
export interface CompileConditionOptions {
  ctx: CompileContext;
  problems: PointedProblem[];
  /** Pointer overrides for leaves synthesized from another place in the file (exceptions). */
  leafPointers?: WeakMap<object, string>;
}

const FACTS: ReadonlySet<string> = new Set(FACT_NAMES);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Compiles a json-rules-engine condition tree with the same semantics as the engine:
 * `all` (every child), `any` (some child), `not` (negation), leaves as
 * `operator(path(fact), value)`. Returns undefined and records problems when the tree
 * cannot be compiled; all problems of the tree are collected, not just the first.
 */
export function compileCondition(
  node: unknown,
  pointer: string,
  options: CompileConditionOptions,
): CompiledNode | undefined {
  const { problems } = options;
  if (!isRecord(node)) {
    problems.push({ pointer, message: 'a condition must be an object' });
    return undefined;
  }
  if (Array.isArray(node['all']) || Array.isArray(node['any'])) {
    const kind = Array.isArray(node['all']) ? 'all' : 'any';
    const children = (node[kind] as unknown[]).map((child, i) =>
      compileCondition(child, `${pointer}/${kind}/${i}`, options),
    );
    if (children.some((c) => c === undefined)) return undefined;
    const compiled = children as CompiledNode[];
    if (kind === 'all') {
      return (facts, matched) => {
        const mark = matched?.length ?? 0;
        for (const child of compiled) {
          if (!child(facts, matched)) {
            if (matched !== null && matched.length !== mark) matched.length = mark;
            return false;
          }
        }
        return true;
      };
    }
    return (facts, matched) => {
      for (const child of compiled) {
        const mark = matched?.length ?? 0;
        if (child(facts, matched)) return true;
        if (matched !== null && matched.length !== mark) matched.length = mark;
      }
      return false;
    };
  }
  if ('not' in node) {
    const inner = compileCondition(node['not'], `${pointer}/not`, options);
    return inner === undefined ? undefined : (facts) => !inner(facts, null);
  }
  return compileLeaf(node, pointer, options);
}

function compileLeaf(
  node: Record<string, unknown>,
  pointer: string,
  options: CompileConditionOptions,
): CompiledNode | undefined {
  const { fact, operator, value, path } = node;
  if (typeof fact !== 'string' || !FACTS.has(fact)) {
    options.problems.push({
      pointer: `${pointer}/fact`,
      message: `unknown fact ${JSON.stringify(fact)}`,
    });
    return undefined;
  }
  if (typeof operator !== 'string') {
    options.problems.push({ pointer: `${pointer}/operator`, message: 'operator must be a string' });
    return undefined;
  }
  const valuePointer = options.leafPointers?.get(node) ?? `${pointer}/value`;
  const result = compileOperator(operator, value, options.ctx);
  if (!result.ok) {
    for (const p of result.problems)
      options.problems.push({
        pointer: valuePointer + p.pointer,
        message: `${operator}: ${p.message}`,
      });
    return undefined;
  }
  const factName = fact as FactName;
  const resolve = compilePath(typeof path === 'string' ? path : undefined);
  const { test } = result;
  const witness = result.witness ?? (fact === 'commands' ? commandRaws : (v: unknown) => v);
  return (facts, matched) => {
    const factValue = resolve(facts.get(factName));
    if (!test(factValue)) return false;
    if (matched !== null) {
      matched.push({
        fact,
        ...(typeof path === 'string' ? { path } : {}),
        operator,
        value,
        factValue: witness(factValue),
      });
    }
    return true;
  };
}

function commandRaws(value: unknown): unknown {
  return Array.isArray(value) ? value.map((c: unknown) => (isRecord(c) ? c['raw'] : c)) : value;
}
