/**
 * The one base class for Shellwatch's own errors. Callers decide from the
 * properties, never from the message: `retriable` says whether trying again may
 * succeed, `code` is stable and documented (docs/errors.md) and is what the
 * dead-letter topic records as the reason.
 */
export class ShellwatchError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retriable = false,
    readonly context: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A record that no decoder could turn into a command event. Never retriable. */
export class DecodeError extends ShellwatchError {
  constructor(code: DecodeErrorCode, message: string, context: Record<string, unknown> = {}) {
    super(code, message, false, context);
  }
}

/** Reasons a record is dead-lettered at decode time; stable, documented. */
export type DecodeErrorCode =
  | 'EMPTY_RECORD'
  | 'INVALID_UTF8'
  | 'INVALID_JSON'
  | 'UNKNOWN_FORMAT'
  | 'MISSING_FIELD'
  | 'INVALID_FIELD'
  | 'INVALID_TIMESTAMP'
  | 'RECORD_TOO_LARGE'
  | 'AUDITD_INCOMPLETE';

/**
 * The message of whatever was thrown: an Error's `message`, else its string form
 * (a rejected promise or a library may throw a string or a plain object).
 */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
