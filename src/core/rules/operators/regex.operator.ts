import { anyString, compiled, isObject, problem } from './operator';
import type { CompileContext, CompileResult, OperatorDefinition } from './operator';

/**
 * Compiles a regex value — `"pattern"` or `{ "pattern": "...", "flags": "i" }` — after
 * the safety check; exported for the `anyCommand` string matchers.
 */
export function compileRegex(
  value: unknown,
  ctx: CompileContext,
): { regex: RegExp } | CompileResult {
  let source: unknown = value;
  let flags: unknown = '';
  if (isObject(value)) {
    source = value['pattern'];
    flags = value['flags'] ?? '';
  }
  if (typeof source !== 'string')
    return problem('regex needs a pattern string or {"pattern", "flags"}');
  if (typeof flags !== 'string') return problem('regex flags must be a string', '/flags');
  const reason = ctx.checkRegex(source, flags);
  if (reason !== undefined) return problem(reason, isObject(value) ? '/pattern' : '');
  return { regex: new RegExp(source, flags) };
}

/**
 * `regex`: the fact (a string, or any string in an array) matches the pattern somewhere
 * (anchor with `^`/`$` as needed). Compiled once at load; never per event.
 */
export const regexOperator: OperatorDefinition = {
  name: 'regex',
  compile(value, ctx) {
    const result = compileRegex(value, ctx);
    if (!('regex' in result)) return result;
    const { regex } = result;
    const one = (s: string): boolean => regex.test(s);
    return compiled((fact) => anyString(fact, one));
  },
};
