import type { ErrorObject } from 'ajv';
import type { PointedProblem } from './compile-condition';
import { ruleIdProblem } from './rule-id';
import { listValidator, ruleValidator } from './schema-validators.generated';

/**
 * Schema validation of rule and list files against the published schemas in
 * rules/schema/ (the same files editors use through `$schema`), with the validators
 * ajv generated from them (`npm run rules:validators`, checked in; compiling the
 * schemas in each process was ~0.1 s of every rule load, issue 25). Errors are turned into
 * pointer + message pairs a person can act on; ajv's bookkeeping errors (the
 * "must match then schema" wrappers of if/then) are dropped because the real error
 * inside the branch is reported too.
 */

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
  return ruleValidator(document) ? [] : toProblems(ruleValidator.errors);
}

/** Validates a parsed list file against list.schema.json; an empty array means valid. */
export function validateListDocument(document: unknown): PointedProblem[] {
  return listValidator(document) ? [] : toProblems(listValidator.errors);
}
