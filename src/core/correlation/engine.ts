import { createHash } from 'node:crypto';
import type { CommandEvent } from '../event';
import { factsOf } from '../rules/facts';
import type { EventFacts } from '../rules/facts';
import type { CompiledNode } from '../rules/compile-condition';
import type { LoadedRule } from '../rules/load-rule-set';
import type { RuleMatch } from '../rules/types';
import type { CompiledCorrelation } from './compile-correlation';
import { WindowRuleIndex } from './window-rule-index';

/**
 * The correlation engine: in-stream thresholds, sequences and suppression over the
 * events of ONE input partition, in event time. Pure and synchronous; its state is
 * plain JSON per key so the service can checkpoint it (see docs/correlation.md).
 *
 * Semantics, precisely:
 * - Time is the event's `@timestamp`. The watermark is the highest timestamp seen
 *   minus the grace period. An event older than the watermark is LATE: it is counted
 *   (`stats.late`) and reported (`step.late`), single-event rules still see it, but it
 *   joins no window.
 * - Windows slide per key: a threshold fires when some `count` matching events (or
 *   events with `count` distinct values) of one key lie within `window` of each other,
 *   whatever their arrival order; no bucket boundaries.
 * - A sequence fires when events e1..ek of one key match steps 1..k with strictly
 *   increasing (timestamp, arrival) order and ts(ek) - ts(e1) <= window. With an
 *   absence, it fires only once the watermark has passed ts(ek) + within without an
 *   event of the key matching the absence with a timestamp in (ts(ek), ts(ek) + within].
 * - After firing, the key forgets every event up to the last contributing one, so one
 *   burst gives one alert (suppression then merges repeated bursts).
 * - Suppression: after an alert of a rule for a suppression key at time t, later
 *   alerts of that rule and key with timestamps before t + period are not emitted but
 *   counted into the first (`suppressed_count`, see {@link CorrelationEngine.takeSuppressionUpdates}).
 * - Memory: entries older than watermark - window expire; at most `maxKeys` keys (the
 *   least recently updated key is shed, `stats.shedKeys`); at most
 *   `maxEventsPerKey` events per key (oldest dropped, `stats.droppedEvents`).
 */

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
interface Entry {
  id: string;
  ts: number;
  seq: number;
  /** The distinct-field value (threshold with `distinct`). */
  v?: string;
  cmd: string;
}

interface PendingAbsence {
  chain: Entry[];
  deadline: number;
}

/** Per-key state, JSON as is: this is what the changelog stores. */
export type KeyState =
  | { kind: 'threshold'; seq: number; events: Entry[] }
  | {
      kind: 'sequence';
      seq: number;
      steps: Entry[][];
      absent: Entry[];
      pending: PendingAbsence[];
    }
  | {
      kind: 'suppression';
      seq: number;
      alertId: string;
      first: number;
      until: number;
      count: number;
    };

/** Engine-wide state besides the keys. */
export interface EngineMeta {
  maxTs: number | null;
  seq: number;
  stats: CorrelationStats;
}

const MAX_CMD = 200;
const MAX_CITED = 50;

function emptyStats(): CorrelationStats {
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

/** The value of a dotted ECS path as a string; undefined when absent or not a scalar. */
export function fieldValue(event: CommandEvent, path: string): string | undefined {
  let value: unknown = event;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function groupOf(
  event: CommandEvent,
  fields: readonly string[],
): Record<string, string> | undefined {
  const group: Record<string, string> = {};
  for (const field of fields) {
    const value = fieldValue(event, field);
    if (value === undefined) return undefined;
    group[field] = value;
  }
  return group;
}

function before(a: Entry, b: Entry): boolean {
  return a.ts < b.ts || (a.ts === b.ts && a.seq < b.seq);
}

/** Inserts in (ts, seq) order; returns the index. */
function insertSorted(list: Entry[], entry: Entry): number {
  let i = list.length;
  while (i > 0 && before(entry, list[i - 1]!)) i -= 1;
  list.splice(i, 0, entry);
  return i;
}

function hashKey(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** The deterministic id of a correlation alert. */
export function correlationAlertId(ruleId: string, groupKey: string, firstEventId: string): string {
  return `cor:${ruleId}:${hashKey(groupKey)}:${firstEventId}`;
}

/**
 * Thresholds, sequences and suppression for one partition's events. Feed events in
 * partition order with {@link process}; {@link takeChanges} gives the keys to
 * checkpoint; {@link restore} rebuilds the state from a checkpoint.
 */
export class CorrelationEngine {
  private rules: readonly CorrelationRule[] = [];
  /** Which threshold and sequence rules could hold for an event; undefined when there are none. */
  private windowRules: WindowRuleIndex | undefined;
  /** Whether some rule is a threshold or a sequence (without, an event needs no facts here). */
  private windowed = false;
  private byId = new Map<string, CorrelationRule>();
  private readonly keys = new Map<string, KeyState>();
  private readonly dirty = new Set<string>();
  private readonly removed = new Set<string>();
  private readonly suppressionDirty = new Map<string, SuppressionUpdate>();
  private maxTs: number | null = null;
  /**
   * A lower bound of every pending absence's deadline (+Infinity: none pending). The
   * watermark rises with nearly every event, and scanning every key each time was
   * the engine's largest cost in the service's profile; below this bound nothing is due.
   */
  private nextDeadline = Number.POSITIVE_INFINITY;
  private seq = 0;
  private stats: CorrelationStats = emptyStats();
  private readonly maxEventsPerKey: number;

  constructor(
    rules: readonly CorrelationRule[],
    private readonly options: CorrelationEngineOptions,
  ) {
    // 200 keeps one key's checkpoint record far below the broker's 1 MiB message limit.
    this.maxEventsPerKey = options.maxEventsPerKey ?? 200;
    this.setRules(rules);
  }

  /** Replaces the rules (hot reload); state of rules that still exist is kept. */
  setRules(rules: readonly CorrelationRule[]): void {
    this.rules = rules.filter((r) => r.correlation !== undefined && r.definition.enabled);
    this.byId = new Map(this.rules.map((r) => [r.definition.id, r]));
    this.windowed = this.rules.some((r) => r.correlation?.type !== 'single');
    this.windowRules = this.options.prefilter === false ? undefined : WindowRuleIndex.of(rules);
  }

  /** True when some enabled rule is a threshold, a sequence, or suppressed. */
  get active(): boolean {
    return this.rules.length > 0;
  }

  /** Highest timestamp seen minus the grace period; events before it are late. */
  get watermark(): number {
    return this.maxTs === null ? Number.NEGATIVE_INFINITY : this.maxTs - this.options.graceMs;
  }

  get keyCount(): number {
    return this.keys.size;
  }

  get counters(): Readonly<CorrelationStats> {
    return this.stats;
  }

  /**
   * Processes one event: applies suppression to its single-event `matches` (whose
   * alert ids `singleAlertId` gives), feeds it to every threshold and sequence rule,
   * and returns what to write. Never throws on input.
   */
  process(
    event: CommandEvent,
    ref: EventRef,
    matches: readonly RuleMatch[] = [],
    singleAlertId: (ruleId: string) => string = (ruleId) => `${ref.id}:${ruleId}`,
  ): CorrelationStep {
    const step: CorrelationStep = { late: false, matches: [], alerts: [] };
    const ts = Date.parse(event['@timestamp']);
    if (Number.isNaN(ts) || ts < this.watermark) {
      step.late = true;
      this.stats.late += 1;
    }
    for (const match of matches) {
      const rule = this.byId.get(match.rule.id);
      const suppression = rule?.correlation?.suppression;
      if (suppression === undefined || Number.isNaN(ts)) step.matches.push(match);
      else if (!this.suppress(match.rule.id, event, ts, singleAlertId(match.rule.id)))
        step.matches.push(match);
    }
    if (step.late) return step;
    this.seq += 1;
    const entry: Entry = {
      id: ref.id,
      ts,
      seq: this.seq,
      cmd: event.process.command_line.slice(0, MAX_CMD),
    };
    if (this.windowed) this.runWindowRules(event, entry, factsOf(event), step.alerts);
    if (this.maxTs === null || ts > this.maxTs) {
      this.maxTs = ts;
      this.resolveAbsences(this.watermark, step.alerts);
    }
    return step;
  }

  /** End of a finite input (`shellwatch eval`): every pending absence whose steps completed fires. */
  finish(): CorrelationAlert[] {
    const alerts: CorrelationAlert[] = [];
    this.resolveAbsences(Number.POSITIVE_INFINITY, alerts);
    return alerts;
  }

  /** Drops window entries and suppression periods the watermark has passed; removes empty keys. */
  expire(): void {
    const wm = this.watermark;
    if (wm === Number.NEGATIVE_INFINITY) return;
    for (const [key, state] of this.keys) {
      const ruleId = key.slice(0, key.indexOf('\u0000'));
      const correlation = this.byId.get(ruleId)?.correlation;
      if (state.kind === 'suppression') {
        if (wm >= state.until) this.drop(key);
        continue;
      }
      const windowMs = correlation?.threshold?.windowMs ?? correlation?.sequence?.windowMs;
      if (windowMs === undefined) {
        this.drop(key);
        continue;
      }
      const horizon = wm - windowMs;
      const keep = (list: Entry[]): Entry[] => list.filter((e) => e.ts >= horizon);
      if (state.kind === 'threshold') {
        const events = keep(state.events);
        if (events.length !== state.events.length) {
          state.events = events;
          this.dirty.add(key);
        }
        if (events.length === 0) this.drop(key);
      } else {
        const steps = state.steps.map(keep);
        const absent = keep(state.absent);
        const changed =
          absent.length !== state.absent.length ||
          steps.some((s, i) => s.length !== state.steps[i]?.length);
        if (changed) {
          state.steps = steps;
          state.absent = absent;
          this.dirty.add(key);
        }
        if (state.pending.length === 0 && steps.every((s) => s.length === 0)) this.drop(key);
      }
    }
  }

  /** Suppression counts changed since the last call: one per alert, the count from state. */
  takeSuppressionUpdates(): SuppressionUpdate[] {
    const updates = [...this.suppressionDirty.values()];
    this.suppressionDirty.clear();
    return updates;
  }

  /** Keys changed (with their state as JSON-ready objects) and keys removed since the last call. */
  takeChanges(): { updated: [string, KeyState][]; removed: string[] } {
    const updated: [string, KeyState][] = [];
    for (const key of this.dirty) {
      const state = this.keys.get(key);
      if (state !== undefined) updated.push([key, state]);
    }
    const removed = [...this.removed].filter((key) => !this.keys.has(key));
    this.dirty.clear();
    this.removed.clear();
    return { updated, removed };
  }

  /** Engine-wide state to checkpoint with the keys. */
  meta(): EngineMeta {
    return { maxTs: this.maxTs, seq: this.seq, stats: { ...this.stats } };
  }

  /** Every key and its state (tests, small checkpoints). */
  snapshot(): { meta: EngineMeta; keys: Record<string, KeyState> } {
    return { meta: this.meta(), keys: Object.fromEntries(this.keys) };
  }

  /** Replaces all state with a checkpoint (from {@link snapshot} or the changelog's latest value per key). */
  restore(meta: EngineMeta | undefined, keys: Iterable<[string, KeyState]>): void {
    this.keys.clear();
    this.dirty.clear();
    this.removed.clear();
    this.suppressionDirty.clear();
    this.maxTs = meta?.maxTs ?? null;
    this.seq = meta?.seq ?? 0;
    this.stats = meta === undefined ? emptyStats() : { ...emptyStats(), ...meta.stats };
    // Least recently updated first, so shedding picks the same key it would have before the restore.
    const sorted = [...keys].sort((a, b) => a[1].seq - b[1].seq);
    this.nextDeadline = Number.POSITIVE_INFINITY;
    for (const [key, state] of sorted) {
      this.keys.set(key, state);
      if (state.kind === 'sequence')
        for (const p of state.pending) this.nextDeadline = Math.min(this.nextDeadline, p.deadline);
    }
  }

  private touch<T extends KeyState>(key: string, create: () => T): T {
    const existing = this.keys.get(key);
    if (existing !== undefined) {
      this.keys.delete(key);
      this.keys.set(key, existing);
      existing.seq = this.seq;
      this.dirty.add(key);
      return existing as T;
    }
    while (this.keys.size >= this.options.maxKeys) {
      const oldest = this.keys.keys().next().value;
      if (oldest === undefined) break;
      this.drop(oldest);
      this.stats.shedKeys += 1;
    }
    const state = create();
    state.seq = this.seq;
    this.keys.set(key, state);
    this.dirty.add(key);
    return state;
  }

  private drop(key: string): void {
    this.keys.delete(key);
    this.dirty.delete(key);
    this.removed.add(key);
  }

  /** Feeds an event in time to the threshold and sequence rules that could hold for it. */
  private runWindowRules(
    event: CommandEvent,
    entry: Entry,
    facts: EventFacts,
    alerts: CorrelationAlert[],
  ): void {
    for (const rule of this.candidates(facts)) {
      const correlation = rule.correlation;
      if (correlation === undefined || correlation.type === 'single') continue;
      const alert =
        correlation.threshold !== undefined
          ? this.threshold(rule, correlation.threshold, event, entry, facts)
          : correlation.sequence !== undefined
            ? this.sequence(rule, correlation.sequence, event, entry, facts)
            : undefined;
      if (alert !== undefined) this.emit(rule, alert, alerts);
    }
  }

  /** The threshold and sequence rules to run for an event (all of them without the index). */
  private candidates(facts: EventFacts): readonly CorrelationRule[] {
    try {
      return this.windowRules?.candidates(facts) ?? this.rules;
    } catch {
      // As in the evaluator: a parser bug must not fail the batch; every rule runs, guarded.
      return this.rules;
    }
  }

  private holds(rule: CorrelationRule, condition: CompiledNode, facts: EventFacts): boolean {
    try {
      return condition(facts, null) && rule.exceptions?.(facts, null) !== true;
    } catch {
      return false;
    }
  }

  private threshold(
    rule: CorrelationRule,
    spec: NonNullable<CompiledCorrelation['threshold']>,
    event: CommandEvent,
    entry: Entry,
    facts: EventFacts,
  ): Omit<CorrelationAlert, 'id'> | undefined {
    if (!this.holds(rule, rule.conditions, facts)) return undefined;
    const group = groupOf(event, spec.groupBy);
    let value: string | undefined;
    if (spec.distinct !== undefined) value = fieldValue(event, spec.distinct);
    if (group === undefined || (spec.distinct !== undefined && value === undefined)) {
      this.stats.ungrouped += 1;
      return undefined;
    }
    const key = `${rule.definition.id}\u0000${JSON.stringify(group)}`;
    const state = this.touch(key, () => ({
      kind: 'threshold' as const,
      seq: 0,
      events: [] as Entry[],
    }));
    if (state.kind !== 'threshold') return undefined;
    const own: Entry = value === undefined ? { ...entry } : { ...entry, v: value };
    insertSorted(state.events, own);
    this.cap(state.events);
    const list = state.events;
    const idx = list.indexOf(own);
    const w = spec.windowMs;
    let found: [number, number] | undefined;
    // Only windows that contain the new event can newly qualify (the others were checked before).
    for (let i = 0; i <= idx && found === undefined; i += 1) {
      const first = list[i]!;
      if (own.ts - first.ts > w) continue;
      if (spec.distinct === undefined) {
        const last = list[i + spec.count - 1];
        if (i + spec.count - 1 >= idx && last !== undefined && last.ts - first.ts <= w)
          found = [i, i + spec.count - 1];
      } else {
        const seen = new Set<string>();
        for (let j = i; j < list.length && list[j]!.ts - first.ts <= w; j += 1) {
          seen.add(list[j]!.v ?? '');
          if (seen.size >= spec.count) {
            found = [i, j];
            break;
          }
        }
      }
    }
    if (found === undefined) return undefined;
    const chain = list.slice(found[0], found[1] + 1);
    state.events = list.slice(found[1] + 1);
    return this.alertOf('threshold', rule, group, chain, w);
  }

  private sequence(
    rule: CorrelationRule,
    spec: NonNullable<CompiledCorrelation['sequence']>,
    event: CommandEvent,
    entry: Entry,
    facts: EventFacts,
  ): Omit<CorrelationAlert, 'id'> | undefined {
    const matchedSteps = spec.steps.map((step) => this.holds(rule, step, facts));
    const absent = spec.absence !== undefined && this.holds(rule, spec.absence.condition, facts);
    if (!absent && !matchedSteps.includes(true)) return undefined;
    const group = groupOf(event, spec.groupBy);
    if (group === undefined) {
      this.stats.ungrouped += 1;
      return undefined;
    }
    const key = `${rule.definition.id}\u0000${JSON.stringify(group)}`;
    const state = this.touch(key, () => ({
      kind: 'sequence' as const,
      seq: 0,
      steps: spec.steps.map((): Entry[] => []),
      absent: [] as Entry[],
      pending: [] as PendingAbsence[],
    }));
    if (state.kind !== 'sequence') return undefined;
    while (state.steps.length < spec.steps.length) state.steps.push([]);
    if (absent) {
      insertSorted(state.absent, { ...entry });
      this.cap(state.absent);
      const before = state.pending.length;
      state.pending = state.pending.filter((p) => !this.cancels(entry, p));
      this.stats.cancelled += before - state.pending.length;
    }
    matchedSteps.forEach((matched, i) => {
      if (!matched) return;
      const list = state.steps[i]!;
      insertSorted(list, { ...entry });
      this.cap(list);
    });
    if (!matchedSteps.includes(true)) return undefined;
    const chain = this.findChain(state.steps, spec.windowMs);
    if (chain === undefined) return undefined;
    const last = chain[chain.length - 1]!;
    state.steps = state.steps.map((list) => list.filter((e) => before(last, e)));
    const cited = chain.map((e, i) => ({ ...e, step: spec.stepNames[i] }));
    if (spec.absence !== undefined) {
      const pending: PendingAbsence = { chain: cited, deadline: last.ts + spec.absence.withinMs };
      if (state.absent.some((x) => this.cancels(x, pending))) {
        this.stats.cancelled += 1;
        return undefined;
      }
      state.pending.push(pending);
      this.nextDeadline = Math.min(this.nextDeadline, pending.deadline);
      return undefined;
    }
    return this.alertOf('sequence', rule, group, cited, spec.windowMs);
  }

  /** Earliest chain e1..ek with strictly increasing (ts, seq) and ts(ek) - ts(e1) <= window. */
  private findChain(steps: Entry[][], windowMs: number): Entry[] | undefined {
    for (const first of steps[0] ?? []) {
      const chain = [first];
      let prev = first;
      for (let i = 1; i < steps.length; i += 1) {
        const next = steps[i]!.find((e) => before(prev, e));
        if (next === undefined || next.ts - first.ts > windowMs) break;
        chain.push(next);
        prev = next;
      }
      if (chain.length === steps.length) return chain;
    }
    return undefined;
  }

  private cancels(x: Entry, pending: PendingAbsence): boolean {
    const last = pending.chain[pending.chain.length - 1]!;
    return before(last, x) && x.ts <= pending.deadline;
  }

  private resolveAbsences(watermark: number, out: CorrelationAlert[]): void {
    if (watermark <= this.nextDeadline) return;
    let next = Number.POSITIVE_INFINITY;
    for (const [key, state] of this.keys) {
      if (state.kind !== 'sequence' || state.pending.length === 0) continue;
      const due = state.pending.filter((p) => watermark > p.deadline);
      for (const p of state.pending) if (watermark <= p.deadline) next = Math.min(next, p.deadline);
      if (due.length === 0) continue;
      state.pending = state.pending.filter((p) => watermark <= p.deadline);
      this.dirty.add(key);
      const ruleId = key.slice(0, key.indexOf('\u0000'));
      const rule = this.byId.get(ruleId);
      const spec = rule?.correlation?.sequence;
      if (rule === undefined || spec === undefined) continue;
      const group = JSON.parse(key.slice(ruleId.length + 1)) as Record<string, string>;
      for (const pending of due) {
        const alert = this.alertOf('sequence', rule, group, pending.chain, spec.windowMs);
        this.emit(rule, alert, out);
      }
    }
    this.nextDeadline = next;
  }

  private cap(list: Entry[]): void {
    while (list.length > this.maxEventsPerKey) {
      list.shift();
      this.stats.droppedEvents += 1;
    }
  }

  private alertOf(
    type: 'threshold' | 'sequence',
    rule: CorrelationRule,
    group: Record<string, string>,
    chain: (Entry & { step?: string | undefined })[],
    windowMs: number,
  ): Omit<CorrelationAlert, 'id'> {
    const last = chain[chain.length - 1]!;
    const cite = chain.length > MAX_CITED ? [...chain.slice(0, MAX_CITED - 1), last] : chain;
    return {
      ruleId: rule.definition.id,
      type,
      group,
      timestamp: new Date(last.ts).toISOString(),
      windowMs,
      events: cite.map((e) => ({
        id: e.id,
        '@timestamp': new Date(e.ts).toISOString(),
        ...(e.step === undefined ? {} : { step: e.step }),
        command_line: e.cmd,
      })),
    };
  }

  private emit(
    rule: CorrelationRule,
    alert: Omit<CorrelationAlert, 'id'>,
    out: CorrelationAlert[],
  ): void {
    const first = alert.events[0];
    if (first === undefined) return;
    const id = correlationAlertId(rule.definition.id, JSON.stringify(alert.group), first.id);
    const full: CorrelationAlert = { id, ...alert };
    const suppression = rule.correlation?.suppression;
    if (suppression !== undefined) {
      // The suppression key comes from the alert's group (its groupBy must be a subset).
      if (this.suppress(rule.definition.id, groupEvent(alert), Date.parse(alert.timestamp), id))
        return;
    }
    this.stats.alerts += 1;
    out.push(full);
  }

  /** True when the alert is suppressed (and counted); false when it is the first of its period. */
  private suppress(ruleId: string, event: CommandEvent, ts: number, alertId: string): boolean {
    const spec = this.byId.get(ruleId)?.correlation?.suppression;
    if (spec === undefined) return false;
    const group = groupOf(event, spec.groupBy);
    if (group === undefined) return false;
    const key = `${ruleId}\u0000~s\u0000${JSON.stringify(group)}`;
    const existing = this.keys.get(key);
    if (existing?.kind === 'suppression' && ts < existing.until && existing.alertId !== alertId) {
      this.touch(key, () => existing);
      existing.count += 1;
      this.stats.suppressed += 1;
      this.suppressionDirty.set(existing.alertId, {
        alertId: existing.alertId,
        ruleId,
        count: existing.count,
      });
      return true;
    }
    if (existing?.kind === 'suppression' && existing.alertId === alertId) return false;
    if (existing !== undefined) this.drop(key);
    this.touch(key, () => ({
      kind: 'suppression' as const,
      seq: 0,
      alertId,
      first: ts,
      until: ts + spec.periodMs,
      count: 0,
    }));
    return false;
  }
}

/** A stand-in event holding a correlation alert's group fields (to compute its suppression key). */
function groupEvent(alert: Omit<CorrelationAlert, 'id'>): CommandEvent {
  const event: Record<string, unknown> = {
    '@timestamp': alert.timestamp,
    process: { command_line: '' },
    event: { original: '' },
    log: { source: 'correlation' },
  };
  for (const [path, value] of Object.entries(alert.group)) setPath(event, path, value);
  return event as unknown as CommandEvent;
}

/** Sets a dotted path on a plain object, creating the objects on the way. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next === 'object' && next !== null) node = next as Record<string, unknown>;
    else {
      const created: Record<string, unknown> = {};
      node[part] = created;
      node = created;
    }
  }
  node[parts[parts.length - 1] ?? path] = value;
}
