import Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import listSchema from '../../../rules/schema/list.schema.json';
import ruleSchema from '../../../rules/schema/rule.schema.json';
import type { PointedProblem } from './compile-condition';
import { ruleIdProblem } from './rule-id';

/**
 * Schema validation of rule and list files with ajv, against the published schemas in
 * rules/schema/ (the same files editors use through `$schema`). Errors are turned into
 * pointer + message pairs a person can act on; ajv's bookkeeping errors (the
 * "must match then schema" wrappers of if/then) are dropped because the real error
 * inside the branch is reported too.
 */

let validators: { rule: ValidateFunction; list: ValidateFunction } | undefined;

function getValidators(): { rule: ValidateFunction; list: ValidateFunction } {
  if (validators === undefined) {
    const ajv = new Ajv({
      allErrors: true,
      strict: true,
      strictRequired: false,
      strictTypes: false,
      allowUnionTypes: true,
      verbose: true,
    });
    addFormats(ajv);
    validators = {
      rule: ajv.compile(ruleSchema as object),
      list: ajv.compile(listSchema as object),
    };
  }
  return validators;
}

const MAX_ENUM_SHOWN = 8;
const NEEDS_BLOCK = 'a condition block needs "all", "any" or "not"';

function describe(error: ErrorObject): PointedProblem | undefined {
  const pointer = error.instancePath;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'if':
      return undefined;
    case 'additionalProperties':
      return {
        pointer: `${pointer}/${String(params['additionalProperty'])}`,
        message: 'unknown property',
      };
    case 'required': {
      const missing = String(params['missingProperty']);
      // Only a block that has neither `all` nor `any` reaches the `not` branch.
      if (missing === 'not') return { pointer, message: NEEDS_BLOCK };
      return { pointer, message: `missing required property "${missing}"` };
    }
    case 'enum': {
      const allowed = (params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v));
      const shown =
        allowed.length > MAX_ENUM_SHOWN
          ? `${allowed.slice(0, MAX_ENUM_SHOWN).join(', ')}, ...`
          : allowed.join(', ');
      return { pointer, message: `must be one of ${shown}` };
    }
    case 'not':
      if (error.schemaPath.endsWith('/value/not'))
        return { pointer, message: 'comparing to another fact ({"fact": ...}) is not supported' };
      return { pointer, message: 'give either "value" or "values", not both' };
    case 'pattern':
      // The id pattern is long; say in words what is wrong with this id.
      if (pointer === '/id' && typeof error.data === 'string')
        return { pointer, message: ruleIdProblem(error.data) ?? error.message ?? 'invalid id' };
      return { pointer, message: error.message ?? error.keyword };
    default:
      return { pointer, message: error.message ?? error.keyword };
  }
}

function toProblems(errors: readonly ErrorObject[] | null | undefined): PointedProblem[] {
  const seen = new Set<string>();
  const problems: PointedProblem[] = [];
  for (const error of errors ?? []) {
    const problem = describe(error);
    if (problem === undefined) continue;
    const key = `${problem.pointer}\u0000${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  // Under a block that lacks all/any/not, "unknown property" for each of its keys is noise.
  const blocks = new Set(problems.filter((p) => p.message === NEEDS_BLOCK).map((p) => p.pointer));
  return problems.filter(
    (p) =>
      p.message !== 'unknown property' ||
      !blocks.has(p.pointer.slice(0, p.pointer.lastIndexOf('/'))),
  );
}

/** Validates a parsed rule file against rule.schema.json; an empty array means valid. */
export function validateRuleDocument(document: unknown): PointedProblem[] {
  const { rule } = getValidators();
  return rule(document) ? [] : toProblems(rule.errors);
}

/** Validates a parsed list file against list.schema.json; an empty array means valid. */
export function validateListDocument(document: unknown): PointedProblem[] {
  const { list } = getValidators();
  return list(document) ? [] : toProblems(list.errors);
}
