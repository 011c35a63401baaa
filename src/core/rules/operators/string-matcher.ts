import { CASE_INSENSITIVE_OPERATORS } from './case-insensitive.operators';
import { containsWordOperator } from './contains-word.operator';
import { globOperator } from './glob.operator';
import { inListOperator } from './in-list.operator';
import { isObject } from './operator';
import type { CompileContext, CompileProblem, OperatorDefinition } from './operator';
import { regexOperator } from './regex.operator';

/** Tests one string (a program name, an argument, a redirect target). */
export type StringTest = (value: string) => boolean;

const MATCHER_OPERATORS: ReadonlyMap<string, OperatorDefinition> = new Map(
  [
    regexOperator,
    globOperator,
    inListOperator,
    containsWordOperator,
    ...CASE_INSENSITIVE_OPERATORS,
  ].map((op) => [op.name, op] as const),
);

/** The operator names usable as a string matcher key, e.g. `{"glob": "/etc/*"}`. */
export const STRING_MATCHER_KEYS: readonly string[] = [...MATCHER_OPERATORS.keys()];

/**
 * Compiles a string matcher as used inside `anyCommand`: a string (exact), an array of
 * strings (exact, any of), or an object with exactly one operator key whose value is
 * what that operator takes: `{"regex": "^/dev/tcp/"}`, `{"glob": ["/etc/*"]}`,
 * `{"inList": "shells"}`, `{"startsWithI": "/tmp/"}`, `{"containsWord": "nc"}`.
 */
export function compileStringMatcher(
  value: unknown,
  ctx: CompileContext,
): { test: StringTest } | { problems: CompileProblem[] } {
  if (typeof value === 'string') return { test: (s) => s === value };
  if (Array.isArray(value)) {
    if (value.length === 0 || !value.every((v) => typeof v === 'string')) {
      return {
        problems: [{ pointer: '', message: 'a matcher array must hold one or more strings' }],
      };
    }
    const set = new Set(value);
    return { test: (s) => set.has(s) };
  }
  const keys = isObject(value) ? Object.keys(value) : [];
  const key = keys[0];
  const operator = key === undefined ? undefined : MATCHER_OPERATORS.get(key);
  if (!isObject(value) || keys.length !== 1 || key === undefined || operator === undefined) {
    const message = `a matcher is a string, an array of strings or an object with one of: ${STRING_MATCHER_KEYS.join(', ')}`;
    return { problems: [{ pointer: '', message }] };
  }
  const result = operator.compile(value[key], ctx);
  if (!result.ok) {
    return {
      problems: result.problems.map((p) => ({
        pointer: `/${key}${p.pointer}`,
        message: p.message,
      })),
    };
  }
  return { test: result.test };
}
