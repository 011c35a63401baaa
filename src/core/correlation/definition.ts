/**
 * The correlation blocks of a rule file (see rules/schema/rule.schema.json and
 * docs/correlation.md). A rule without `type` (or with `type: "single"`) is a
 * single-event rule; `threshold` and `sequence` rules look at several events of one
 * group key; `suppression` may be added to any rule.
 */

/** A duration as written in a rule: `<integer><unit>`, unit one of ms, s, m, h, d (`90s`, `5m`). */
export type DurationText = string;

export type RuleType = 'single' | 'threshold' | 'sequence';

/** `threshold`: at least `count` matching events (or `count` distinct values of `distinct`) per key within `window`. */
export interface ThresholdDefinition {
  /** Dotted ECS paths that form the group key, e.g. `["host.name", "session.id"]`. */
  groupBy: string[];
  window: DurationText;
  count: number;
  /** When set, count distinct values of this dotted ECS path instead of events. */
  distinct?: string;
}

/** One step of a sequence: a condition set in json-rules-engine's format. */
export interface SequenceStepDefinition {
  name?: string;
  conditions: unknown;
}

/** `sequence`: the steps in event-time order, all within `window`, per key; optionally followed by an absence. */
export interface SequenceDefinition {
  groupBy: string[];
  window: DurationText;
  steps: SequenceStepDefinition[];
  /** "…and then no event matching `conditions` within `within` after the last step." */
  absence?: { name?: string; conditions: unknown; within: DurationText };
}

/** `suppression`: at most one alert per rule and key per `period`; later ones are counted into it. */
export interface SuppressionDefinition {
  groupBy: string[];
  period: DurationText;
}

/** One event of a correlation example: a command at an offset (seconds) from a fixed start. */
export interface CorrelationExampleEvent {
  /** Seconds after the example's start (2026-01-15T12:00:00Z); defaults to the previous event's. */
  at?: number;
  command: string;
  user?: string;
  host?: string;
  session?: string;
  exitCode?: number;
}

/** An ordered input and how many alerts the rule must raise on it. */
export interface CorrelationExample {
  description?: string;
  events: CorrelationExampleEvent[];
  alerts: number;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The duration pattern the schema enforces. */
export const DURATION_PATTERN = /^([0-9]{1,9})(ms|s|m|h|d)$/;

/** Milliseconds of a duration text; undefined when it does not match {@link DURATION_PATTERN}. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION_PATTERN.exec(text);
  if (match === null) return undefined;
  const unit = UNIT_MS[match[2] ?? ''];
  return unit === undefined ? undefined : Number(match[1]) * unit;
}
