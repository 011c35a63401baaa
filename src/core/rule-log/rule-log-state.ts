/**
 * The rule topic as a deterministic state machine. Every replica folds the same
 * log with this class and reaches the same state: which rules and lists exist,
 * their documents, and their versions. Pure: no I/O, no clock.
 *
 * Rules of the fold, per key (keys are independent):
 * - A record whose expectation does not hold at its point of the log is REJECTED:
 *   it changes nothing, on every replica alike.
 * - A record that applies sets the key to its document (or removes it) at version
 *   `"o<offset>"`: versions come from the log, so every replica agrees on them.
 * - Compaction keeps a suffix of each key's records. So that the fold of a
 *   compacted log equals the fold of the whole log, (1) the first record this
 *   replica sees for a key applies whatever it expected (what it expected was
 *   compacted away, or the key is new), and (2) every rejected record is followed
 *   by a `restated` record re-stating what the key holds (see `restatementOf`):
 *   the replica that produced it appends one at once; if it died first, any replica
 *   that finds the rejected record still last of its key (`unrestated()`)
 *   appends it; a restatement applies when the key is still at that version, or at
 *   the version the rejected record would have set (a replica that saw only the
 *   rejected record's suffix), and sets the re-stated version.
 * - A record this build cannot read (not JSON, a newer schema, a bad path) changes
 *   nothing and is kept as a problem of its key until a readable record of the key
 *   follows.
 */
import { decodeRuleRecord } from './rule-record';
import type {
  ChangeMeta,
  DecodedChange,
  Expectation,
  JsonObject,
  TopicRecord,
} from './rule-record';

/** One rule or list of the state. */
export interface LogEntry {
  key: string;
  kind: 'rule' | 'list';
  path: string;
  document: JsonObject;
  /** Strong ETag, `"o<offset>"` of the record that set this content. */
  version: string;
}

export type RejectReason =
  /** The record expected the key to exist (an update, a delete) and it does not. */
  | 'absent'
  /** The record expected the key not to exist (a creation) and it does. */
  | 'exists'
  /** The record expected other versions than the key's current one. */
  | 'version';

export type ApplyOutcome =
  | {
      result: 'applied';
      offset: string;
      key: string;
      meta: ChangeMeta | null;
      before: LogEntry | undefined;
      after: LogEntry | undefined;
    }
  | {
      result: 'rejected';
      offset: string;
      key: string;
      meta: ChangeMeta | null;
      reason: RejectReason;
      current: LogEntry | undefined;
    }
  | { result: 'skipped'; offset: string }
  | { result: 'unreadable'; offset: string; key: string | null; reason: string };

/** A rejected record: it changed nothing; `current` is what its key holds. */
export type RejectedOutcome = Extract<ApplyOutcome, { result: 'rejected' }>;

/** A record of the log this replica could not apply, still the last word on its key. */
export interface UnreadableRecord {
  key: string | null;
  offset: string;
  reason: string;
}

/** The version a record at `offset` gives its key. */
export function versionAt(offset: string): string {
  return `"o${offset}"`;
}

export class RuleLogState {
  private readonly entries = new Map<string, LogEntry>();
  /** Keys of which this replica has read at least one record. */
  private readonly seen = new Set<string>();
  private readonly unreadable = new Map<string, UnreadableRecord>();
  /** Rejected records that are still the last record of their key (see {@link unrestated}). */
  private readonly lastRejected = new Map<string, RejectedOutcome>();
  /** Offset of the record that last set each key (deletes included). */
  private readonly setBy = new Map<string, string>();
  private lastOffset = -1n;

  /** Offset of the last record folded in; -1 before the first. */
  get position(): bigint {
    return this.lastOffset;
  }

  get(key: string): LogEntry | undefined {
    return this.entries.get(key);
  }

  /** Every rule and list, ordered by key. */
  all(): LogEntry[] {
    return [...this.entries.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** Records this replica could not apply and that no later record of their key replaced. */
  problems(): UnreadableRecord[] {
    return [...this.unreadable.values()];
  }

  /**
   * Rejected records that no later record of their key followed yet, in log order:
   * each needs a restatement before compaction may make it the last word on its key.
   * The replica that wrote one restates it at once; when that replica died in
   * between, any replica that finds one here restates it (KafkaRuleStore).
   */
  unrestated(): RejectedOutcome[] {
    return [...this.lastRejected.values()].sort((a, b) =>
      BigInt(a.offset) < BigInt(b.offset) ? -1 : 1,
    );
  }

  /** True while the rejected record at `offset` is still the last record of `key`. */
  isUnrestated(key: string, offset: string): boolean {
    return this.lastRejected.get(key)?.offset === offset;
  }

  /**
   * Folds one record in. Records at or before {@link position} are skipped (a
   * consumer that re-reads after a reconnection must not apply a change twice).
   */
  apply(record: TopicRecord): ApplyOutcome {
    const offset = BigInt(record.offset);
    if (offset <= this.lastOffset) return { result: 'skipped', offset: record.offset };
    this.lastOffset = offset;
    const decoded = decodeRuleRecord(record);
    if (!decoded.ok) {
      const key = record.key;
      this.unreadable.set(key ?? '', { key, offset: record.offset, reason: decoded.reason });
      if (key !== null) {
        this.seen.add(key);
        this.lastRejected.delete(key);
      }
      return { result: 'unreadable', offset: record.offset, key, reason: decoded.reason };
    }
    const change = decoded.change;
    this.unreadable.delete(change.key);
    const firstSight = !this.seen.has(change.key);
    this.seen.add(change.key);
    const current = this.entries.get(change.key);
    const meta = change.meta;
    const reason = firstSight ? undefined : rejection(meta, current, this.setBy.get(change.key));
    if (reason !== undefined) {
      const rejected: RejectedOutcome = {
        result: 'rejected',
        offset: record.offset,
        key: change.key,
        meta,
        reason,
        current,
      };
      this.lastRejected.set(change.key, rejected);
      return rejected;
    }
    this.lastRejected.delete(change.key);
    this.setBy.set(change.key, record.offset);
    const after = this.entryOf(change, record.offset);
    if (after === undefined) this.entries.delete(change.key);
    else this.entries.set(change.key, after);
    return {
      result: 'applied',
      offset: record.offset,
      key: change.key,
      meta,
      before: current,
      after,
    };
  }

  private entryOf(change: DecodedChange, offset: string): LogEntry | undefined {
    if (change.op === 'delete') return undefined;
    const restated = change.meta.restates;
    return {
      key: change.key,
      kind: change.kind,
      path: change.path,
      document: change.document,
      version: restated?.version ?? versionAt(offset),
    };
  }
}

/**
 * Why a record does not apply to a key that holds `current`, last set by the record at
 * `setBy`; undefined when it applies.
 *
 * A restatement applies when the key still holds the re-stated version, or when this
 * replica applied the rejected record itself (it read the compacted log from that
 * record on, so the record was its first sight of the key): whatever that record set
 * (a document at its own offset's version, a deletion, or another restatement's
 * version), the restatement puts it right. Comparing with the version the rejected
 * record would set (`"o<offset>"`) alone missed a rejected delete and a rejected
 * restatement, and the compacted log then folded to another state.
 */
function rejection(
  meta: ChangeMeta | null,
  current: LogEntry | undefined,
  setBy: string | undefined,
): RejectReason | undefined {
  if (meta === null) return undefined;
  if (meta.restates !== undefined) {
    if (setBy === meta.restates.rejected) return undefined;
    if ((current?.version ?? null) === meta.restates.version) return undefined;
    return current === undefined ? 'absent' : 'version';
  }
  return unmet(meta.expect, current);
}

function unmet(
  expect: Expectation | null,
  current: LogEntry | undefined,
): RejectReason | undefined {
  if (expect === null) return undefined;
  switch (expect.state) {
    case 'absent':
      return current === undefined ? undefined : 'exists';
    case 'present':
      return current === undefined ? 'absent' : undefined;
    case 'version':
      if (current === undefined) return 'absent';
      return expect.versions.includes(current.version) ? undefined : 'version';
  }
}
