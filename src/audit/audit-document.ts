/**
 * The audit trail's document: one per rule change through the API or `shellwatch rules
 * push` (RULES_STORE=kafka), in ECS
 * (`event.category: configuration`), so that Kibana and Elastic Security read
 * it like any other configuration-change event. Pure: no I/O.
 */
import type { RuleChangeKind } from '../core/rule-log/rule-record';

/**
 * What happened to the rule: the rule-log change kinds a user makes to one rule
 * (`rule-enabled` / `rule-disabled` are patches of `enabled` alone). List pushes and
 * the store's own restatements are not rule changes anyone made, so they are not audited.
 */
export type AuditAction = Exclude<RuleChangeKind, 'list-pushed' | 'restated'>;

/** ECS `event.type` of each action. */
const EVENT_TYPE: Record<AuditAction, 'creation' | 'change' | 'deletion'> = {
  'rule-created': 'creation',
  'rule-replaced': 'change',
  'rule-patched': 'change',
  'rule-enabled': 'change',
  'rule-disabled': 'change',
  'rule-deleted': 'deletion',
  // A push of a rule the store did not hold is a creation (see auditDocument).
  'rule-pushed': 'change',
};

/** One change, as the API saw it. */
export interface RuleChangeRecord {
  action: AuditAction;
  ruleId: string;
  /** The name of the key that made the change (never the key). */
  user: string;
  /** ETag of the rule's file before the change; null for a creation. */
  versionBefore: string | null;
  /** ETag of the rule's file after the change; null for a deletion. */
  versionAfter: string | null;
  /** The merge patch, or the new document; null for a deletion. */
  change: unknown;
  /** File relative to RULES_DIR. */
  file: string;
  at: Date;
}

export interface AuditDocument {
  '@timestamp': string;
  event: {
    kind: 'event';
    category: ['configuration'];
    type: ['creation' | 'change' | 'deletion'];
    action: AuditAction;
    outcome: 'success';
    module: 'shellwatch';
  };
  user: { name: string };
  rule: { id: string };
  file: { path: string };
  shellwatch: {
    audit: { version_before: string | null; version_after: string | null; change: unknown };
  };
}

/** The audit document of a change. */
export function auditDocument(record: RuleChangeRecord): AuditDocument {
  return {
    '@timestamp': record.at.toISOString(),
    event: {
      kind: 'event',
      category: ['configuration'],
      type: [
        record.action === 'rule-pushed' && record.versionBefore === null
          ? 'creation'
          : EVENT_TYPE[record.action],
      ],
      action: record.action,
      outcome: 'success',
      module: 'shellwatch',
    },
    user: { name: record.user },
    rule: { id: record.ruleId },
    file: { path: record.file },
    shellwatch: {
      audit: {
        version_before: record.versionBefore,
        version_after: record.versionAfter,
        change: record.change,
      },
    },
  };
}

/**
 * The action of a PATCH: `rule-enabled` / `rule-disabled` when the patch sets
 * `enabled` and nothing else, otherwise `rule-patched`.
 */
export function patchAction(patch: Record<string, unknown>): AuditAction {
  const keys = Object.keys(patch);
  if (keys.length === 1 && typeof patch['enabled'] === 'boolean') {
    return patch['enabled'] ? 'rule-enabled' : 'rule-disabled';
  }
  return 'rule-patched';
}
