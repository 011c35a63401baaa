import { DEFAULT_CORRELATION_SETTINGS } from '../../core/event-run/correlation-settings';
import { integer } from '../config-variable';
import type { ConfigVariable } from '../config-variable';

/** Correlation: the lateness allowed and the memory bound of threshold and sequence rules. */
export const CORRELATION_CONFIG = {
  graceMs: {
    name: 'CORRELATION_GRACE_MS',
    default: String(DEFAULT_CORRELATION_SETTINGS.graceMs),
    doc: 'Correlation rules: how far behind the highest @timestamp seen in a partition an event may arrive and still join windows; older events are counted as late (docs/correlation.md).',
    parse: integer(0, 86400000),
  },
  maxKeys: {
    name: 'CORRELATION_MAX_KEYS',
    default: String(DEFAULT_CORRELATION_SETTINGS.maxKeys),
    doc: 'Correlation rules: at most this many group keys per partition; beyond it the least recently updated key is shed (metric shellwatch_correlation_shed_keys_total).',
    parse: integer(1, 10000000),
  },
} as const satisfies Record<string, ConfigVariable<unknown>>;
