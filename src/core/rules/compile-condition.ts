import type { EventFacts, FactName } from './facts';
import { FACT_NAMES, LINE_FACT_NAMES } from './facts';
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
  /**
   * Conditions already compiled in this rule set, by their JSON text: a condition that
   * several rules share (say `isRoot = true`, or a whole block) is then evaluated once
   * per event for all of them.
   */
  shared?: Map<string, SharedNode>;
  /** Pointer overrides for leaves synthesized from another place in the file (exceptions). */
  leafPointers?: WeakMap<object, string>;
}

const FACTS: ReadonlySet<string> = new Set(FACT_NAMES);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * What a fact costs to read, relative to reading a field of the event: the derived
 * facts built from the shell parser cost the most, so conditions on them run last.
 */
const FACT_COST: Readonly<Record<FactName, number>> = {
  process: 1,
  user: 1,
  host: 1,
  source: 1,
  session: 1,
  event: 1,
  log: 1,
  labels: 1,
  tty: 1,
  // Time operators format the timestamp in a zone (memoized per event and zone).
  timestamp: 3,
  commandLine: 2,
  decoded: 8,
  commands: 16,
  programs: 16,
  isRoot: 16,
};

/**
 * The children, in the rule's order, of every compiled `any` node: the prefilter runs
 * only the children of a rule's top-level `any` whose own necessary condition the event
 * meets (prefilter.ts).
 */
export const anyChildren = new WeakMap<CompiledNode, readonly CompiledNode[]>();

interface CostedNode {
  test: CompiledNode;
  cost: number;
  /** Reads only facts of the command line (LINE_FACT_NAMES): its answer is the line's. */
  lineOnly: boolean;
}

/**
 * Compiles a json-rules-engine condition tree with the same semantics as the engine:
 * `all` (every child), `any` (some child), `not` (negation), leaves as
 * `operator(path(fact), value)`. Returns undefined and records problems when the tree
 * cannot be compiled; all problems of the tree are collected, not just the first.
 *
 * Operators are pure and never throw, so the order in which an `all` or `any` tries its
 * children cannot change its answer: when no matched leaves are asked for
 * (`matched === null`), children run cheapest first, so that a rule whose event-field
 * condition fails never makes the event's line be parsed. When they are asked for,
 * children run in the rule's own order, so the reported leaves are the engine's.
 */
export function compileCondition(
  node: unknown,
  pointer: string,
  options: CompileConditionOptions,
): CompiledNode | undefined {
  const compiled = compileNode(node, pointer, options);
  if (compiled?.lineOnly === true) lineOnlyConditions.add(compiled.test);
  return compiled?.test;
}

/** The conditions compileCondition returned that read only facts of the command line. */
const lineOnlyConditions = new WeakSet<CompiledNode>();

/**
 * Whether a condition compileCondition returned reads only facts of the command line
 * (LINE_FACT_NAMES): then its answer, and the leaves a match reports (the fact values
 * seen are the line's), are the same for every event with the same line.
 */
export function readsLineOnly(condition: CompiledNode): boolean {
  return lineOnlyConditions.has(condition);
}

/** A condition seen in an earlier rule; `memoized` is made when a second rule uses it. */
export interface SharedNode {
  node: CostedNode;
  memoized?: CostedNode;
  /** The regexes its compile asked about, asked again for each rule that reuses it. */
  regexes: readonly { source: string; flags: string }[];
}

function compileNode(
  node: unknown,
  pointer: string,
  options: CompileConditionOptions,
): CostedNode | undefined {
  const shared = options.shared;
  if (shared === undefined || !isRecord(node)) return compileUnshared(node, pointer, options);
  const key = JSON.stringify(node);
  const seen = shared.get(key);
  // A reuse asks the regex check again, as a compile would: the check (and whoever
  // records what it is asked) sees every regex of every rule, shared or not, and a
  // regex refused now is reported at this rule's pointer by compiling it afresh. The
  // table may outlive a load (rule-compile-cache.ts), when verdicts can differ.
  if (
    seen !== undefined &&
    seen.regexes.every((r) => options.ctx.checkRegex(r.source, r.flags) === undefined)
  ) {
    seen.memoized ??= memoize(seen.node);
    return seen.memoized;
  }
  if (seen !== undefined) return compileUnshared(node, pointer, options);
  const regexes: { source: string; flags: string }[] = [];
  const ctx = options.ctx;
  const recording: CompileConditionOptions = {
    ...options,
    ctx: {
      ...ctx,
      checkRegex: (source, flags) => {
        regexes.push({ source, flags });
        return ctx.checkRegex(source, flags);
      },
    },
  };
  const compiled = compileUnshared(node, pointer, recording);
  if (compiled !== undefined) shared.set(key, { node: compiled, regexes });
  return compiled;
}

/**
 * The node's yes/no answer kept per event (EventFacts.generation), for conditions several
 * rules share. Operators are pure, so the answer for one event never changes; asking
 * for matched leaves bypasses the memo, since it needs the walk.
 */
function memoize(node: CostedNode): CostedNode {
  const inner = node.test;
  let generation = -1;
  let answer = false;
  const test: CompiledNode = (facts, matched) => {
    if (matched !== null) return inner(facts, matched);
    if (generation !== facts.generation) {
      answer = inner(facts, null);
      generation = facts.generation;
    }
    return answer;
  };
  const children = anyChildren.get(inner);
  if (children !== undefined) anyChildren.set(test, children);
  return { test, cost: node.cost, lineOnly: node.lineOnly };
}

/** Ids of line-only conditions, the keys of a line's answers (EventFacts.lineAnswers). */
let nextLineConditionId = 0;

/**
 * Answers kept per line at most. With the prefilter an event runs a few candidates, but
 * the nodes of their gated children add up (the bench's 1,000-rule set: 64 a line made
 * it 1.6x slower than no memo, 256 1.6x faster, 1,024 3.6x, in one quick run each).
 * Without the prefilter (the CLI's first events) or across rule sets in one process
 * (reloads, the bench's sets one after the other) every condition would add its answer
 * to every line, thousands per line. A full table is emptied and starts again, so the
 * answers of a rule set no longer in use give way to the current set's. Bound: 4,096
 * lines of at most 512 small entries (~15 bytes each), ~30 MB in the worst case.
 */
export const MAX_LINE_ANSWERS = 512;

/**
 * The node's yes/no answer kept per command line (issue 25): audit streams repeat lines,
 * and nearly every rule condition reads the line alone (`commands`, `commandLine`), so an
 * answer found once holds for every later event with that line. Operators are pure (no
 * clock, no state: regex flags exclude `g`/`y`) and lists are fixed at compile time, so
 * a compiled node gives one answer per line; a node compiled anew (a reload) has a new
 * id. Asking for matched leaves bypasses the table, since it needs the walk.
 */
function lineMemo(node: CostedNode): CostedNode {
  const inner = node.test;
  const id = nextLineConditionId++;
  const test: CompiledNode = (facts, matched) => {
    if (matched !== null) return inner(facts, matched);
    const answers = facts.lineAnswers;
    if (answers === undefined) return inner(facts, null);
    const known = answers.get(id);
    if (known !== undefined) return known;
    const answer = inner(facts, null);
    if (answers.size >= MAX_LINE_ANSWERS) answers.clear();
    answers.set(id, answer);
    return answer;
  };
  const children = anyChildren.get(inner);
  if (children !== undefined) anyChildren.set(test, children);
  return { test, cost: node.cost, lineOnly: true };
}

function compileUnshared(
  node: unknown,
  pointer: string,
  options: CompileConditionOptions,
): CostedNode | undefined {
  const { problems } = options;
  if (!isRecord(node)) {
    problems.push({ pointer, message: 'a condition must be an object' });
    return undefined;
  }
  if (Array.isArray(node['all']) || Array.isArray(node['any'])) {
    const kind = Array.isArray(node['all']) ? 'all' : 'any';
    const children = (node[kind] as unknown[]).map((child, i) =>
      compileNode(child, `${pointer}/${kind}/${i}`, options),
    );
    if (children.some((c) => c === undefined)) return undefined;
    const costed = children as CostedNode[];
    const inOrder = costed.map((c) => c.test);
    // Array.prototype.sort is stable: equal costs keep the rule's order.
    const cheapFirst = [...costed].sort((a, b) => a.cost - b.cost).map((c) => c.test);
    const cost = costed.reduce((sum, c) => sum + c.cost, 0);
    const lineOnly = costed.every((c) => c.lineOnly);
    const kept = (node: CostedNode): CostedNode => (lineOnly ? lineMemo(node) : node);
    if (kind === 'all') {
      return kept({
        cost,
        lineOnly,
        test: (facts, matched) => {
          if (matched === null) {
            for (let i = 0; i < cheapFirst.length; i++)
              if (!cheapFirst[i]!(facts, null)) return false;
            return true;
          }
          const mark = matched.length;
          for (const child of inOrder) {
            if (!child(facts, matched)) {
              if (matched.length !== mark) matched.length = mark;
              return false;
            }
          }
          return true;
        },
      });
    }
    const test: CompiledNode = (facts, matched) => {
      if (matched === null) {
        for (let i = 0; i < cheapFirst.length; i++) if (cheapFirst[i]!(facts, null)) return true;
        return false;
      }
      for (const child of inOrder) {
        const mark = matched.length;
        if (child(facts, matched)) return true;
        if (matched.length !== mark) matched.length = mark;
      }
      return false;
    };
    anyChildren.set(test, inOrder);
    return kept({ cost, test, lineOnly });
  }
  if ('not' in node) {
    const inner = compileNode(node['not'], `${pointer}/not`, options);
    if (inner === undefined) return undefined;
    const test = inner.test;
    // Its inner node keeps the answer already.
    return { cost: inner.cost, test: (facts) => !test(facts, null), lineOnly: inner.lineOnly };
  }
  const leaf = compileLeaf(node, pointer, options);
  if (leaf === undefined) return undefined;
  const fact = node['fact'] as FactName;
  const costed = { test: leaf, cost: FACT_COST[fact] ?? 1, lineOnly: LINE_FACT_NAMES.has(fact) };
  return costed.lineOnly ? lineMemo(costed) : costed;
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
