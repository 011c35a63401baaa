import { ShellwatchError } from '../errors';

/** One problem in decoder options or a formats definition, located by a JSON pointer. */
export interface FormatProblem {
  /** JSON pointer into the checked object, e.g. `/formats/2/regex`. */
  pointer: string;
  message: string;
}

/**
 * Bad decoder configuration (an unknown format name, an unsafe regex in an
 * operator-defined format). Raised once at start, never per record, listing
 * every problem so the operator fixes them all in one go. Code
 * `INVALID_FORMAT_CONFIG`, not retriable.
 */
export class FormatConfigError extends ShellwatchError {
  constructor(readonly problems: readonly FormatProblem[]) {
    super(
      'INVALID_FORMAT_CONFIG',
      `invalid format configuration:\n${problems.map((p) => `  ${p.pointer || '/'}: ${p.message}`).join('\n')}`,
      false,
      { problems },
    );
  }
}
