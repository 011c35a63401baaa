import { anyCommandOperator } from './any-command.operator';
import { BUILTIN_OPERATORS } from './builtin.operators';
import { CASE_INSENSITIVE_OPERATORS } from './case-insensitive.operators';
import { cidrOperator } from './cidr.operator';
import { containsWordOperator } from './contains-word.operator';
import { existsOperator } from './exists.operator';
import { globOperator } from './glob.operator';
import { hasFlagOperator } from './has-flag.operator';
import { inListOperator } from './in-list.operator';
import { compiled } from './operator';
import type { CompileContext, CompileResult, OperatorDefinition } from './operator';
import { regexOperator } from './regex.operator';
import { dayOfWeekOperator, timeOfDayOperator } from './time-window.operators';

/** Shellwatch's own operators, registered once into every reference engine. */
export const CUSTOM_OPERATORS: readonly OperatorDefinition[] = [
  regexOperator,
  globOperator,
  ...CASE_INSENSITIVE_OPERATORS,
  containsWordOperator,
  inListOperator,
  cidrOperator,
  hasFlagOperator,
  timeOfDayOperator,
  dayOfWeekOperator,
  existsOperator,
  anyCommandOperator,
];

/** Every operator a rule may name, built-in and custom, by name. */
export const OPERATORS: ReadonlyMap<string, OperatorDefinition> = new Map(
  [...BUILTIN_OPERATORS, ...CUSTOM_OPERATORS].map((op) => [op.name, op] as const),
);

/** The `not:` decorator prefix, json-rules-engine's own, the only decorator rules may use. */
export const NOT_PREFIX = 'not:';

/**
 * Compiles `operator`/`value` of one condition. `not:X` negates X exactly as
 * json-rules-engine's `not` decorator does (X's own fact checks included).
 */
export function compileOperator(
  operator: string,
  value: unknown,
  ctx: CompileContext,
): CompileResult {
  const negated = operator.startsWith(NOT_PREFIX);
  const name = negated ? operator.slice(NOT_PREFIX.length) : operator;
  const definition = OPERATORS.get(name);
  if (definition === undefined) {
    return { ok: false, problems: [{ pointer: '', message: `unknown operator "${operator}"` }] };
  }
  const result = definition.compile(value, ctx);
  if (!result.ok || !negated) return result;
  const inner = result.test;
  return compiled((fact) => !inner(fact));
}
