import { describe, expect, it } from 'vitest';
import ruleSchema from '../../../rules/schema/rule.schema.json';
import { COMMAND_SPEC_KEYS } from './operators/any-command.operator';
import { OPERATORS } from './operators/registry';
import { STRING_MATCHER_KEYS } from './operators/string-matcher';
import { FACT_NAMES } from './facts';
import { PATH_PATTERN } from './resolve-path';

/** The published schema is hand-maintained JSON; these keep it in step with the code. */
describe('rule.schema.json agrees with the code', () => {
  const defs = ruleSchema.definitions;

  it('lists every fact', () => {
    expect([...defs.leafCondition.properties.fact.enum].sort()).toEqual([...FACT_NAMES].sort());
  });

  it('lists every operator, plain and with not:', () => {
    const names = [...OPERATORS.keys()];
    expect([...defs.leafCondition.properties.operator.enum].sort()).toEqual(
      [...names, ...names.map((n) => `not:${n}`)].sort(),
    );
  });

  it('lists every command spec key and string matcher key', () => {
    expect(Object.keys(defs.commandSpec.properties).sort()).toEqual([...COMMAND_SPEC_KEYS].sort());
    expect(Object.keys(defs.stringMatcher.else.else.properties).sort()).toEqual(
      [...STRING_MATCHER_KEYS].sort(),
    );
  });

  it('uses the path syntax the compiled evaluator resolves', () => {
    expect(defs.leafCondition.properties.path.pattern).toBe(PATH_PATTERN);
  });
});
