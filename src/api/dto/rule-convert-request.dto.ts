import type { ErrorObject } from 'ajv';
import type { RequestSchema, WordedProblem } from '../request-body';

/** What `path` may be: a file name, never anything else. */
export const SIGMA_PATH_PATTERN = /^[A-Za-z0-9._/-]{1,200}$/;

/** The body of POST /rules/convert: one Sigma rule as YAML text. */
export interface RuleConvertRequestDto {
  sigma: string;
  /** The file name it came from (default rule.yml). */
  path?: string;
}

/** POST /rules/convert (component RuleConvertRequest). */
export const RULE_CONVERT_REQUEST: RequestSchema<RuleConvertRequestDto> = {
  what: 'a convert request',
  notObject: 'expected {"sigma": "<YAML text>"} as a JSON object',
  schema: {
    type: 'object',
    description: 'One Sigma rule as YAML text; nothing is saved.',
    additionalProperties: false,
    required: ['sigma'],
    properties: {
      sigma: { type: 'string', description: 'One Sigma rule, YAML text (docs/rules.md, "Sigma")' },
      path: {
        type: 'string',
        nullable: true,
        pattern: SIGMA_PATH_PATTERN.source,
        minLength: 1,
        maxLength: 200,
        description: 'The file name it came from (kept in source.path; names a rule without an id)',
        examples: ['nc_exec.yml'],
      },
    },
  },
  word: convertRequestWording,
};

/** The words of the checks the schema replaced (and the tests assert). */
function convertRequestWording(error: ErrorObject): WordedProblem {
  const missing = (error.params as { missingProperty?: unknown }).missingProperty;
  if (error.instancePath === '/sigma' || missing === 'sigma') {
    return {
      pointer: '/sigma',
      message: 'must be a string',
      headline: '"sigma" must be the rule as YAML text',
      rank: 1,
    };
  }
  if (error.instancePath === '/path') {
    return {
      pointer: '/path',
      message: 'must be 1..200 characters of letters, digits, . _ / -',
      headline: '"path" must be a file name',
      rank: 2,
    };
  }
  return { pointer: error.instancePath, message: error.message ?? error.keyword };
}
