import type { CommandEvent } from '../event';
import type { CompiledCorrelation } from './compile-correlation';
import type { CorrelationStats, SuppressionUpdate } from './engine-types';
import { groupOf } from './group-key';
import type { KeyStore } from './key-store';

type SuppressionSpec = NonNullable<CompiledCorrelation['suppression']>;

/**
 * Suppression over the engine's key store: after an alert of a rule for a
 * suppression key at time t, later alerts of that rule and key before t + period are
 * not emitted but counted into the first; the counts changed since the last
 * {@link takeUpdates} are what the service writes as `shellwatch.suppressed_count`.
 */
export class Suppressions {
  private readonly updates = new Map<string, SuppressionUpdate>();

  constructor(private readonly store: KeyStore) {}

  /**
   * True when the alert `alertId` of `ruleId` (at `ts`, keyed by `event`'s fields) is
   * suppressed and counted; false when it is the first of its period (and starts it).
   */
  suppress(
    ruleId: string,
    spec: SuppressionSpec,
    event: CommandEvent,
    ts: number,
    alertId: string,
    seq: number,
    stats: CorrelationStats,
  ): boolean {
    const group = groupOf(event, spec.groupBy);
    if (group === undefined) return false;
    const key = `${ruleId}\u0000~s\u0000${JSON.stringify(group)}`;
    const existing = this.store.get(key);
    if (existing?.kind === 'suppression' && ts < existing.until && existing.alertId !== alertId) {
      this.store.touch(key, seq, () => existing);
      existing.count += 1;
      stats.suppressed += 1;
      this.updates.set(existing.alertId, {
        alertId: existing.alertId,
        ruleId,
        count: existing.count,
      });
      return true;
    }
    if (existing?.kind === 'suppression' && existing.alertId === alertId) return false;
    if (existing !== undefined) this.store.drop(key);
    this.store.touch(key, seq, () => ({
      kind: 'suppression' as const,
      seq: 0,
      alertId,
      first: ts,
      until: ts + spec.periodMs,
      count: 0,
    }));
    return false;
  }

  /** Suppression counts changed since the last call: one per alert, the count from state. */
  takeUpdates(): SuppressionUpdate[] {
    const updates = [...this.updates.values()];
    this.updates.clear();
    return updates;
  }

  clear(): void {
    this.updates.clear();
  }
}
