/**
 * The restatement of a rejected record: the record that re-states what its key
 * holds, so that compaction (which keeps the last record of a key) never keeps the
 * rejected record as the key's last word. Pure: the caller gives the change id and
 * the clock.
 */
import { encodeChangeHeader, encodeRuleRecord, RULE_RECORD_SCHEMA_VERSION } from './rule-record';
import type { ChangeMeta } from './rule-record';
import type { RejectedOutcome } from './rule-log-state';

/** A record to append to the rule topic; `value` null is a tombstone, `header` its metadata. */
export interface RestatementRecord {
  key: string;
  value: string | null;
  header?: string;
}

/**
 * The restatement of `rejected`, the key as it stood after the rejection. Any
 * replica may produce it (the writer of the rejected record, or one that found it
 * unrestated): two restatements of one rejected record re-state the same content
 * at the same version, so a duplicate changes nothing.
 */
export function restatementOf(
  rejected: RejectedOutcome,
  changeId: string,
  at: string,
): RestatementRecord {
  const meta: ChangeMeta = {
    schemaVersion: RULE_RECORD_SCHEMA_VERSION,
    kind: 'restated',
    expect: null,
    changeId,
    user: rejected.meta?.user ?? '',
    at,
    restates: { rejected: rejected.offset, version: rejected.current?.version ?? null },
  };
  const current = rejected.current;
  if (current === undefined)
    return { key: rejected.key, value: null, header: encodeChangeHeader(meta) };
  return {
    key: rejected.key,
    value: encodeRuleRecord({ ...meta, path: current.path, [current.kind]: current.document }),
  };
}
