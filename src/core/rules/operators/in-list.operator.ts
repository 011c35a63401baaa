import { anyString, compiled, problem } from './operator';
import type { OperatorDefinition } from './operator';

/**
 * `inList`: the fact (string, or any string in an array) is exactly an item of a named
 * list from rules/lists/*.json, so a list shared by many rules is tuned in one place.
 * An unknown list name rejects the rule at load.
 */
export const inListOperator: OperatorDefinition = {
  name: 'inList',
  compile(value, ctx) {
    if (typeof value !== 'string') return problem('inList needs a list name');
    const items = ctx.lists.get(value);
    if (items === undefined) return problem(`unknown list "${value}"`);
    const one = (s: string): boolean => items.has(s);
    return compiled((fact) => anyString(fact, one));
  },
};
