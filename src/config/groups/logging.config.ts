import { oneOf } from '../config-variable';
import type { ConfigVariable } from '../config-variable';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

/** Logging: how much the service says. */
export const LOGGING_CONFIG = {
  level: {
    name: 'LOG_LEVEL',
    default: 'info',
    doc: 'fatal, error, warn, info, debug or trace. Command lines appear only at debug.',
    parse: oneOf(LOG_LEVELS),
  },
} as const satisfies Record<string, ConfigVariable<unknown>>;
