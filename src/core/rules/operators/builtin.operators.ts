import { compiled, problem } from './operator';
import type { OperatorDefinition } from './operator';

/**
 * json-rules-engine's built-in operators, re-implemented for the compiled evaluator
 * with exactly the engine's semantics (engine-default-operators.js in 7.3.1): e.g.
 * `contains` needs an array fact, `lessThan` needs a fact that parses as a number.
 * The differential test holds the two to the same answers.
 */
function numeric(factValue: unknown): boolean {
  return Number.parseFloat(factValue as string).toString() !== 'NaN';
}

function arrayValue(
  name: string,
  test: (fact: unknown, value: unknown[]) => boolean,
): OperatorDefinition {
  return {
    name,
    compile: (value) =>
      Array.isArray(value)
        ? compiled((fact) => test(fact, value))
        : problem(`${name} needs an array value`),
  };
}

function anyValue(
  name: string,
  test: (fact: unknown, value: unknown) => boolean,
): OperatorDefinition {
  return { name, compile: (value) => compiled((fact) => test(fact, value)) };
}

function numberValue(
  name: string,
  test: (fact: number, value: number) => boolean,
): OperatorDefinition {
  return {
    name,
    compile: (value) =>
      typeof value === 'number'
        ? compiled((fact) => numeric(fact) && test(fact as number, value))
        : problem(`${name} needs a number value`),
  };
}

/** The ten operators json-rules-engine registers by default. */
export const BUILTIN_OPERATORS: readonly OperatorDefinition[] = [
  anyValue('equal', (a, b) => a === b),
  anyValue('notEqual', (a, b) => a !== b),
  arrayValue('in', (a, b) => b.indexOf(a) > -1),
  arrayValue('notIn', (a, b) => b.indexOf(a) === -1),
  anyValue('contains', (a, b) => Array.isArray(a) && a.indexOf(b) > -1),
  anyValue('doesNotContain', (a, b) => Array.isArray(a) && a.indexOf(b) === -1),
  numberValue('lessThan', (a, b) => a < b),
  numberValue('lessThanInclusive', (a, b) => a <= b),
  numberValue('greaterThan', (a, b) => a > b),
  numberValue('greaterThanInclusive', (a, b) => a >= b),
];

/** Names json-rules-engine already knows; the reference evaluator must not re-register them. */
export const BUILTIN_OPERATOR_NAMES: ReadonlySet<string> = new Set(
  BUILTIN_OPERATORS.map((op) => op.name),
);
