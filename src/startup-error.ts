import { ShellwatchError } from './core/errors';

/** A start-up check failed: the process exits with this one-line message, no stack. */
export class StartupError extends ShellwatchError {
  constructor(message: string) {
    super('STARTUP_FAILED', message);
  }
}
