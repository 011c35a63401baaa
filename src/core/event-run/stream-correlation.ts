import { buildCorrelationAlert } from '../correlation/build-correlation-alert';
import type { CorrelationAlert, CorrelationEngine } from '../correlation/engine';
import type { LoadedRule } from '../rules/load-rule-set';
import type { CorrelateHook, OutputDocument } from '../process-batch';

/**
 * What an event run needs from correlation: a hook that sees every event in order
 * (and removes suppressed single-event matches), and the documents it produced since
 * the last call. The service's per-partition correlation (src/correlation) is one,
 * restored from and checkpointed to the changelog; {@link EngineCorrelation} is the
 * plain in-memory one.
 */
export interface RunCorrelation {
  readonly correlate: CorrelateHook;
  /** Correlation alerts (create) and suppression counts (update) since the last call. */
  documents(createdAt: string): OutputDocument[];
}

/** True when a rule needs the correlation engine: a threshold, a sequence, or suppression. */
export function needsCorrelation(rule: LoadedRule): boolean {
  return rule.definition.enabled && rule.correlation !== undefined;
}

/**
 * One correlation engine fed by an event run: each event's single-event matches go
 * through suppression, correlation alerts are collected with the offset of the event
 * that completed them and become documents (deterministic ids from the engine).
 */
export class EngineCorrelation implements RunCorrelation {
  private pending: { alert: CorrelationAlert; offset: string }[] = [];
  private lastOffset: string;
  /** Correlation alerts raised so far (metrics). */
  alertCount = 0;

  constructor(
    readonly engine: CorrelationEngine,
    private readonly rules: ReadonlyMap<string, LoadedRule>,
    firstOffset = '0',
  ) {
    this.lastOffset = firstOffset;
  }

  readonly correlate: CorrelateHook = (event, ids, matches, offset) => {
    this.lastOffset = offset;
    const step = this.engine.process(event, { id: ids.commandId }, matches, ids.alertId);
    for (const alert of step.alerts) this.collect(alert, offset);
    return step.matches;
  };

  /** A record whose event is not fed (already correlated before a checkpoint): counts updates at it. */
  passOver(offset: string): void {
    this.lastOffset = offset;
  }

  /** End of a finite input: every pending absence whose steps completed is decided. */
  finish(): void {
    for (const alert of this.engine.finish()) this.collect(alert, this.lastOffset);
  }

  documents(createdAt: string): OutputDocument[] {
    const documents: OutputDocument[] = [];
    for (const { alert, offset } of this.pending) {
      const rule = this.rules.get(alert.ruleId);
      if (rule === undefined) continue;
      documents.push({
        target: 'alerts',
        id: alert.id,
        body: buildCorrelationAlert(alert, rule.definition, createdAt),
        offset,
      });
    }
    this.pending = [];
    for (const update of this.engine.takeSuppressionUpdates()) {
      documents.push({
        target: 'alerts',
        op: 'update',
        id: update.alertId,
        body: { shellwatch: { suppressed_count: update.count } },
        offset: this.lastOffset,
      });
    }
    return documents;
  }

  private collect(alert: CorrelationAlert, offset: string): void {
    this.pending.push({ alert, offset });
    this.alertCount += 1;
  }
}

/** The rules that need correlation, by id; empty when none does. */
export function correlatedRules(rules: readonly LoadedRule[]): Map<string, LoadedRule> {
  return new Map(rules.filter(needsCorrelation).map((rule) => [rule.definition.id, rule]));
}
