import { CorrelationEngine } from '../correlation/engine';
import type { CorrelationRule } from '../correlation/engine';

/** How a stream's correlation engine keeps time and bounds its memory. */
export interface CorrelationSettings {
  /** How far behind the highest `@timestamp` seen an event may arrive and still join windows. */
  graceMs: number;
  /** Group keys kept at most; beyond it the least recently updated key is shed. */
  maxKeys: number;
  /** Events kept per key at most (oldest dropped); the engine's default when absent. */
  maxEventsPerKey?: number;
}

/**
 * The service's defaults (CORRELATION_GRACE_MS, CORRELATION_MAX_KEYS): the config
 * schema, `shellwatch eval`, `rules test` and `POST /rules/test` all start from these,
 * so an offline run correlates as the service does.
 */
export const DEFAULT_CORRELATION_SETTINGS: Readonly<CorrelationSettings> = Object.freeze({
  graceMs: 60_000,
  maxKeys: 100_000,
});

/**
 * The one place a {@link CorrelationEngine} is built: the event run builds its own
 * from its options, the service's per-partition state (src/correlation) builds the
 * one it restores from the changelog. Settings left out are the service's defaults.
 */
export function createCorrelationEngine(
  rules: readonly CorrelationRule[],
  settings: Partial<CorrelationSettings> = {},
): CorrelationEngine {
  return new CorrelationEngine(rules, { ...DEFAULT_CORRELATION_SETTINGS, ...settings });
}
