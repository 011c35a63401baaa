/**
 * Why a Sigma rule is not converted. The code is stable (the report groups by it);
 * the message says what in the rule is the problem.
 */
export type SkipCode =
  | 'invalid-yaml'
  | 'invalid-sigma'
  | 'logsource'
  | 'unknown-field'
  | 'modifier'
  | 'aggregation'
  | 'condition'
  | 'value'
  | 'does-not-load'
  | 'duplicate-id';

/** Thrown while converting one rule: the rule is skipped as a whole with this reason. */
export class SigmaSkipError extends Error {
  constructor(
    readonly code: SkipCode,
    message: string,
  ) {
    super(message);
  }
}

export function skip(code: SkipCode, message: string): never {
  throw new SigmaSkipError(code, message);
}
