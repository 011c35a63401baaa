import type { CorrelationEngine, EngineMeta, KeyState } from '../core/correlation';
import { correlatedRules, createCorrelationEngine, EngineCorrelation } from '../core/event-run';
import type { CorrelationSettings, RunCorrelation } from '../core/event-run';
import type { CorrelateHook, OutputDocument } from '../core/process-batch';
import type { LoadedRule } from '../core/rules/load-rule-set';
import type { ChangelogRecord, StateChangelogPort } from '../kafka/state-changelog';

export type PartitionCorrelationOptions = CorrelationSettings;

/** The marker record of a checkpoint: the engine's meta and the last offset it covers. */
interface CheckpointMarker {
  offset: string;
  meta: EngineMeta;
}

const MARKER = '\u0001checkpoint';

/** Changelog key prefix of a partition's records. */
export function partitionPrefix(partition: number): string {
  return `${partition}:`;
}

interface PartitionState {
  engine: CorrelationEngine;
  /** Offset the in-memory state ends at (the next record to feed); undefined while a batch is in flight. */
  nextOffset: string | undefined;
  /** Records at or below it were fed before the checkpoint the state was restored from. */
  restoredOffset: bigint | undefined;
}

/** Counters of a batch for metrics. */
export interface BatchCorrelationStats {
  partition: number;
  alerts: number;
  late: number;
  shedKeys: number;
  activeKeys: number;
  restored: boolean;
}

/**
 * The correlation of one batch of one partition: the hook that feeds each event to
 * the partition's engine (and applies suppression to single-event matches), the
 * documents to add to the batch's bulk request (the core's {@link EngineCorrelation}),
 * and the checkpoint to write once Elasticsearch accepted them.
 */
export class BatchCorrelation implements RunCorrelation {
  private readonly run: EngineCorrelation;
  private readonly shedBefore: number;
  private readonly lateBefore: number;

  constructor(
    private readonly partition: number,
    private readonly state: PartitionState,
    private readonly rules: ReadonlyMap<string, LoadedRule>,
    private readonly changelog: StateChangelogPort,
    firstOffset: string,
    readonly restored: boolean,
  ) {
    this.run = new EngineCorrelation(state.engine, rules, firstOffset);
    this.shedBefore = state.engine.counters.shedKeys;
    this.lateBefore = state.engine.counters.late;
  }

  /** For the event run: feeds one event, returns the single-event matches to write. */
  readonly correlate: CorrelateHook = (event, ids, matches, offset) => {
    const restoredOffset = this.state.restoredOffset;
    if (restoredOffset !== undefined && BigInt(offset) <= restoredOffset) {
      // Already fed before the checkpoint: its alerts were written then. Suppressed
      // rules' matches are left out (the first of their period is already written).
      this.run.passOver(offset);
      return matches.filter(
        (m) => this.rules.get(m.rule.id)?.correlation?.suppression === undefined,
      );
    }
    return this.run.correlate(event, ids, matches, offset);
  };

  /** Correlation alerts (create) and suppression counts (update) to add to the bulk request. */
  documents(createdAt: string): OutputDocument[] {
    return this.run.documents(createdAt);
  }

  stats(): BatchCorrelationStats {
    const counters = this.state.engine.counters;
    return {
      partition: this.partition,
      alerts: this.run.alertCount,
      late: counters.late - this.lateBefore,
      shedKeys: counters.shedKeys - this.shedBefore,
      activeKeys: this.state.engine.keyCount,
      restored: this.restored,
    };
  }

  /** The checkpoint's records, computed once so a retried write sends the very same ones. */
  private checkpointRecords: ChangelogRecord[] | undefined;

  /**
   * Writes the changed keys and the checkpoint marker (the batch's last offset) in
   * one send. Call only after Elasticsearch accepted the batch; ack the batch only
   * after it resolved. Safe to call again after a failure (same records).
   */
  async checkpoint(batchLastOffset: string): Promise<void> {
    this.checkpointRecords ??= this.collectChanges(batchLastOffset);
    await this.changelog.write(this.partition, this.checkpointRecords);
    this.state.nextOffset = (BigInt(batchLastOffset) + 1n).toString();
    this.state.restoredOffset = undefined;
  }

  private collectChanges(batchLastOffset: string): ChangelogRecord[] {
    const engine = this.state.engine;
    engine.expire();
    const changes = engine.takeChanges();
    const prefix = partitionPrefix(this.partition);
    const records: ChangelogRecord[] = [
      ...changes.updated.map(([key, value]) => ({
        key: prefix + key,
        value: JSON.stringify(value),
      })),
      ...changes.removed.map((key) => ({ key: prefix + key, value: null })),
    ];
    const marker: CheckpointMarker = { offset: batchLastOffset, meta: engine.meta() };
    records.push({ key: prefix + MARKER, value: JSON.stringify(marker) });
    return records;
  }
}

/**
 * One correlation engine per partition, its state checkpointed to the changelog.
 * Not a Nest provider itself (no I/O of its own): {@link CorrelationService} wires it.
 */
export class PartitionCorrelations {
  private readonly partitions = new Map<number, PartitionState>();

  constructor(
    private readonly changelog: StateChangelogPort,
    private readonly options: PartitionCorrelationOptions,
  ) {}

  /**
   * Prepares the correlation of a batch; undefined when no loaded rule needs it (then
   * the pipeline behaves exactly as without correlation, no changelog traffic). The
   * state is rebuilt from the changelog when the partition is new to this process or
   * the batch does not start where the in-memory state ends (rebalance, abandoned batch).
   */
  async begin(
    partition: number,
    firstOffset: string,
    rules: readonly LoadedRule[],
  ): Promise<BatchCorrelation | undefined> {
    const correlated = correlatedRules(rules);
    if (correlated.size === 0) return undefined;
    await this.changelog.ensureTopic();
    let state = this.partitions.get(partition);
    let restored = false;
    if (state === undefined || state.nextOffset !== firstOffset) {
      state = await this.restore(partition, rules);
      this.partitions.set(partition, state);
      restored = true;
    }
    state.engine.setRules(rules);
    // In flight: if this batch is abandoned, the next one restores from the changelog.
    state.nextOffset = undefined;
    return new BatchCorrelation(
      partition,
      state,
      correlated,
      this.changelog,
      firstOffset,
      restored,
    );
  }

  /** Active keys over all partitions of this process. */
  activeKeys(): number {
    let n = 0;
    for (const state of this.partitions.values()) n += state.engine.keyCount;
    return n;
  }

  private async restore(partition: number, rules: readonly LoadedRule[]): Promise<PartitionState> {
    const prefix = partitionPrefix(partition);
    const latest = await this.changelog.read(partition, prefix);
    let marker: CheckpointMarker | undefined;
    const keys: [string, KeyState][] = [];
    for (const [key, value] of latest) {
      const name = key.slice(prefix.length);
      if (name === MARKER) marker = JSON.parse(value) as CheckpointMarker;
      else keys.push([name, JSON.parse(value) as KeyState]);
    }
    const engine = createCorrelationEngine(rules, this.options);
    engine.restore(marker?.meta, keys);
    return {
      engine,
      nextOffset: undefined,
      restoredOffset: marker === undefined ? undefined : BigInt(marker.offset),
    };
  }
}
