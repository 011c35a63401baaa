/**
 * Rule exceptions: structured "do not alert when ..." entries, so tuning a false
 * positive is a data change, not a condition rewrite. Each exception is translated to
 * a json-rules-engine condition; a rule matches when its conditions hold and NO
 * exception holds. Both evaluators use this one translation.
 *
 * Shapes (see rules/schema/rule.schema.json, `exception`):
 * - `{"field": "user.name", "operator": "in", "values": ["backup", "deploy"]}`
 * - `{"field": "process.working_directory", "operator": "glob", "value": "/srv/build/**"}`
 * - `{"all": [{...}, {...}], "reason": "nightly job on db1"}` (every test must hold)
 *
 * `field` is a fact name optionally followed by a dotted path (`user.name` is fact
 * `user` with path `$.name`). `values` means "any of these", except for `in`/`notIn`,
 * which take the whole array as their value.
 */

const SET_OPERATORS = new Set(['in', 'notIn', 'not:in', 'not:notIn']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A translated exception tree plus, for each leaf, the pointer of the value it came from. */
export interface TranslatedExceptions {
  condition: Record<string, unknown>;
  leafPointers: WeakMap<object, string>;
}

function leafFor(test: Record<string, unknown>, value: unknown): Record<string, unknown> {
  const field = typeof test['field'] === 'string' ? test['field'] : '';
  const [fact, ...rest] = field.split('.');
  return {
    fact,
    operator: test['operator'],
    value,
    ...(rest.length > 0 ? { path: `$.${rest.join('.')}` } : {}),
  };
}

function translateTest(
  test: Record<string, unknown>,
  pointer: string,
  leafPointers: WeakMap<object, string>,
): Record<string, unknown> {
  const values = test['values'];
  if (Array.isArray(values) && !SET_OPERATORS.has(String(test['operator']))) {
    return {
      any: values.map((value, i) => {
        const leaf = leafFor(test, value);
        leafPointers.set(leaf, `${pointer}/values/${i}`);
        return leaf;
      }),
    };
  }
  const leaf = leafFor(test, Array.isArray(values) ? values : test['value']);
  leafPointers.set(leaf, `${pointer}/${Array.isArray(values) ? 'values' : 'value'}`);
  return leaf;
}

/** Translates a rule's `exceptions` array; undefined when there are none. */
export function translateExceptions(
  exceptions: readonly unknown[] | undefined,
): TranslatedExceptions | undefined {
  if (exceptions === undefined || exceptions.length === 0) return undefined;
  const leafPointers = new WeakMap<object, string>();
  const any = exceptions.map((exception, i) => {
    const pointer = `/exceptions/${i}`;
    if (isRecord(exception) && Array.isArray(exception['all'])) {
      return {
        all: exception['all'].map((test: unknown, j) =>
          translateTest(isRecord(test) ? test : {}, `${pointer}/all/${j}`, leafPointers),
        ),
      };
    }
    return translateTest(isRecord(exception) ? exception : {}, pointer, leafPointers);
  });
  return { condition: { any }, leafPointers };
}
