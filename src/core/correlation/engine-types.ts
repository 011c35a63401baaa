import type { LoadedRule } from '../rules/load-rule-set';
import type { RuleMatch } from '../rules/types';
import type { CompiledCorrelation } from './compile-correlation';

/** Where an event came from: its command document id, stable across redeliveries. */
export interface EventRef {
  id: string;
}

/** One event that contributed to a correlation alert. */
export interface ContributingEvent {
  id: string;
  '@timestamp': string;
  step?: string;
  command_line: string;
}

/** A correlation alert: the rule, the group key, the events that formed it. */
export interface CorrelationAlert {
  /** Deterministic: rule id + hash of the group key + the first contributing event's id. */
  id: string;
  ruleId: string;
  type: 'threshold' | 'sequence';
  /** Group-by field → value. */
  group: Record<string, string>;
  /** Time of the last contributing event (when the pattern was complete). */
  timestamp: string;
  events: ContributingEvent[];
  windowMs: number;
}

/** What processing one event produced. */
export interface CorrelationStep {
  /** The event was older than the watermark: it joined no window. */
  late: boolean;
  /** Single-event matches to write (suppressed ones removed). */
  matches: RuleMatch[];
  /** Correlation alerts to write (suppressed ones removed), including absences that became due. */
  alerts: CorrelationAlert[];
}

/** A suppression count to set on an alert already written. */
export interface SuppressionUpdate {
  alertId: string;
  ruleId: string;
  count: number;
}

export interface CorrelationEngineOptions {
  graceMs: number;
  maxKeys: number;
  maxEventsPerKey?: number;
  /** `false` evaluates every threshold and sequence rule on every event (the differential test's baseline). */
  prefilter?: false;
}

/** Counters since the engine was created (and restored): for metrics and reports. */
export interface CorrelationStats {
  late: number;
  ungrouped: number;
  shedKeys: number;
  droppedEvents: number;
  alerts: number;
  suppressed: number;
  cancelled: number;
}

/** A rule as the engine needs it (a {@link LoadedRule} with correlation parts). */
export type CorrelationRule = Pick<
  LoadedRule,
  'definition' | 'conditions' | 'exceptions' | 'engineConditions'
> & {
  readonly correlation?: CompiledCorrelation | undefined;
};

/** An event kept in a window: enough to order it, count it and cite it. */
export interface Entry {
  id: string;
  ts: number;
  seq: number;
  /** The distinct-field value (threshold with `distinct`). */
  v?: string;
  cmd: string;
}

/** A sequence whose steps completed, waiting for its absence's deadline. */
export interface PendingAbsence {
  chain: (Entry & { step?: string | undefined })[];
  deadline: number;
}

export type ThresholdState = { kind: 'threshold'; seq: number; events: Entry[] };
export type SequenceState = {
  kind: 'sequence';
  seq: number;
  steps: Entry[][];
  absent: Entry[];
  pending: PendingAbsence[];
};
export type SuppressionState = {
  kind: 'suppression';
  seq: number;
  alertId: string;
  first: number;
  until: number;
  count: number;
};

/** Per-key state, JSON as is: this is what the changelog stores. */
export type KeyState = ThresholdState | SequenceState | SuppressionState;

/** Engine-wide state besides the keys. */
export interface EngineMeta {
  maxTs: number | null;
  seq: number;
  stats: CorrelationStats;
}

export function emptyStats(): CorrelationStats {
  return {
    late: 0,
    ungrouped: 0,
    shedKeys: 0,
    droppedEvents: 0,
    alerts: 0,
    suppressed: 0,
    cancelled: 0,
  };
}

/** (ts, seq) order: event time, then arrival. */
export function before(a: Entry, b: Entry): boolean {
  return a.ts < b.ts || (a.ts === b.ts && a.seq < b.seq);
}

/** Inserts in (ts, seq) order; returns the index. */
export function insertSorted(list: Entry[], entry: Entry): number {
  let i = list.length;
  while (i > 0 && before(entry, list[i - 1]!)) i -= 1;
  list.splice(i, 0, entry);
  return i;
}
