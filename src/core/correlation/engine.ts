import type { CommandEvent } from '../event';
import { factsOf } from '../rules/facts';
import type { EventFacts } from '../rules/facts';
import type { CompiledNode } from '../rules/compile-condition';
import type { RuleMatch } from '../rules/types';
import type { CompiledCorrelation } from './compile-correlation';
import { emptyStats } from './engine-types';
import type {
  CorrelationAlert,
  CorrelationEngineOptions,
  CorrelationRule,
  CorrelationStats,
  CorrelationStep,
  EngineMeta,
  Entry,
  EventRef,
  KeyState,
  SuppressionUpdate,
} from './engine-types';
import { correlationAlertId, fieldValue, groupOf, ruleIdOfKey, windowKey } from './group-key';
import { KeyStore } from './key-store';
import { alertOf, groupEvent } from './raise-alert';
import { addToSequence, expireSequence, takeDueAbsences } from './sequence';
import { Suppressions } from './suppression';
import { addToThreshold, expireThreshold } from './threshold';
import { WindowRuleIndex } from './window-rule-index';

export type {
  ContributingEvent,
  CorrelationAlert,
  CorrelationEngineOptions,
  CorrelationRule,
  CorrelationStats,
  CorrelationStep,
  EngineMeta,
  EventRef,
  KeyState,
  SuppressionUpdate,
} from './engine-types';
export { correlationAlertId, fieldValue, setPath } from './group-key';

/**
 * The correlation engine: in-stream thresholds, sequences and suppression over the
 * events of ONE input partition, in event time. Pure and synchronous; its state is
 * plain JSON per key so the service can checkpoint it (see docs/correlation.md).
 * This is the front; the parts are a module each: the key store with eviction and
 * change tracking (key-store.ts), thresholds (threshold.ts), sequences with absences
 * (sequence.ts), suppression (suppression.ts), group keys and ids (group-key.ts).
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

/** Characters of a command line kept per window entry (cited in alerts). */
const MAX_CMD = 200;

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
  private readonly store: KeyStore;
  private readonly suppressions: Suppressions;
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
  private readonly cap = (list: Entry[]): void => {
    while (list.length > this.maxEventsPerKey) {
      list.shift();
      this.stats.droppedEvents += 1;
    }
  };

  constructor(
    rules: readonly CorrelationRule[],
    private readonly options: CorrelationEngineOptions,
  ) {
    // 200 keeps one key's checkpoint record far below the broker's 1 MiB message limit.
    this.maxEventsPerKey = options.maxEventsPerKey ?? 200;
    this.store = new KeyStore(options.maxKeys, () => {
      this.stats.shedKeys += 1;
    });
    this.suppressions = new Suppressions(this.store);
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
    return this.store.size;
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
    for (const [key, state] of this.store.entries()) {
      const correlation = this.byId.get(ruleIdOfKey(key))?.correlation;
      if (state.kind === 'suppression') {
        if (wm >= state.until) this.store.drop(key);
        continue;
      }
      const windowMs = correlation?.threshold?.windowMs ?? correlation?.sequence?.windowMs;
      if (windowMs === undefined) {
        this.store.drop(key);
        continue;
      }
      const horizon = wm - windowMs;
      if (state.kind === 'threshold') {
        if (expireThreshold(state, horizon)) this.store.changed(key);
        if (state.events.length === 0) this.store.drop(key);
      } else {
        if (expireSequence(state, horizon)) this.store.changed(key);
        if (state.pending.length === 0 && state.steps.every((s) => s.length === 0))
          this.store.drop(key);
      }
    }
  }

  /** Suppression counts changed since the last call: one per alert, the count from state. */
  takeSuppressionUpdates(): SuppressionUpdate[] {
    return this.suppressions.takeUpdates();
  }

  /** Keys changed (with their state as JSON-ready objects) and keys removed since the last call. */
  takeChanges(): { updated: [string, KeyState][]; removed: string[] } {
    return this.store.takeChanges();
  }

  /** Engine-wide state to checkpoint with the keys. */
  meta(): EngineMeta {
    return { maxTs: this.maxTs, seq: this.seq, stats: { ...this.stats } };
  }

  /** Every key and its state (tests, small checkpoints). */
  snapshot(): { meta: EngineMeta; keys: Record<string, KeyState> } {
    return { meta: this.meta(), keys: this.store.snapshot() };
  }

  /** Replaces all state with a checkpoint (from {@link snapshot} or the changelog's latest value per key). */
  restore(meta: EngineMeta | undefined, keys: Iterable<[string, KeyState]>): void {
    this.suppressions.clear();
    this.maxTs = meta?.maxTs ?? null;
    this.seq = meta?.seq ?? 0;
    this.stats = meta === undefined ? emptyStats() : { ...emptyStats(), ...meta.stats };
    this.store.load(keys);
    this.nextDeadline = Number.POSITIVE_INFINITY;
    for (const [, state] of this.store.entries()) {
      if (state.kind === 'sequence')
        for (const p of state.pending) this.nextDeadline = Math.min(this.nextDeadline, p.deadline);
    }
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
    const state = this.store.touch(windowKey(rule.definition.id, group), this.seq, () => ({
      kind: 'threshold' as const,
      seq: 0,
      events: [] as Entry[],
    }));
    if (state.kind !== 'threshold') return undefined;
    const own: Entry = value === undefined ? { ...entry } : { ...entry, v: value };
    const chain = addToThreshold(state, own, spec, this.cap);
    return chain === undefined
      ? undefined
      : alertOf('threshold', rule, group, chain, spec.windowMs);
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
    const state = this.store.touch(windowKey(rule.definition.id, group), this.seq, () => ({
      kind: 'sequence' as const,
      seq: 0,
      steps: spec.steps.map((): Entry[] => []),
      absent: [] as Entry[],
      pending: [],
    }));
    if (state.kind !== 'sequence') return undefined;
    const outcome = addToSequence(state, entry, matchedSteps, absent, spec, this.cap, this.stats);
    if (outcome.kind === 'pending') {
      this.nextDeadline = Math.min(this.nextDeadline, outcome.deadline);
      return undefined;
    }
    if (outcome.kind === 'none') return undefined;
    return alertOf('sequence', rule, group, outcome.chain, spec.windowMs);
  }

  private resolveAbsences(watermark: number, out: CorrelationAlert[]): void {
    if (watermark <= this.nextDeadline) return;
    let next = Number.POSITIVE_INFINITY;
    for (const [key, state] of this.store.entries()) {
      if (state.kind !== 'sequence' || state.pending.length === 0) continue;
      const { due, next: keyNext } = takeDueAbsences(state, watermark);
      next = Math.min(next, keyNext);
      if (due.length === 0) continue;
      this.store.changed(key);
      const ruleId = ruleIdOfKey(key);
      const rule = this.byId.get(ruleId);
      const spec = rule?.correlation?.sequence;
      if (rule === undefined || spec === undefined) continue;
      const group = JSON.parse(key.slice(ruleId.length + 1)) as Record<string, string>;
      for (const pending of due) {
        const alert = alertOf('sequence', rule, group, pending.chain, spec.windowMs);
        this.emit(rule, alert, out);
      }
    }
    this.nextDeadline = next;
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
    return this.suppressions.suppress(ruleId, spec, event, ts, alertId, this.seq, this.stats);
  }
}
