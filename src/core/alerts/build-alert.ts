import type { CommandEvent, Severity } from '../event';
import { maxSeverity } from '../event';
import type { RuleMatch } from '../rules/types';
import type { RecordPosition } from './document-ids';

/** ECS-style numeric severity, so dashboards can sort and range-filter. */
export const SEVERITY_SCORE: Record<Severity, number> = {
  informational: 10,
  low: 21,
  medium: 47,
  high: 73,
  critical: 99,
};

/** The `kafka.*` block every document carries: where the record came from. */
export function kafkaFields(position: RecordPosition): {
  topic: string;
  partition: number;
  offset: number;
} {
  return { topic: position.topic, partition: position.partition, offset: Number(position.offset) };
}

/**
 * The alert document for one (event, rule) match: the command event's own
 * fields, then what the rule says and why it matched. `@timestamp` is the
 * command's time, `event.created` the time Shellwatch saw it.
 */
export function buildAlert(
  event: CommandEvent,
  match: RuleMatch,
  position: RecordPosition,
  createdAt: string,
): Record<string, unknown> {
  const { rule } = match;
  return {
    ...event,
    event: {
      ...event.event,
      kind: 'alert',
      created: createdAt,
      severity: SEVERITY_SCORE[rule.severity],
    },
    rule: {
      id: rule.id,
      name: rule.name,
      description: rule.description,
      version: rule.version,
      severity: rule.severity,
      tags: rule.tags ?? [],
    },
    threat: {
      framework: 'MITRE ATT&CK',
      technique: { id: rule.mitre ?? [] },
    },
    shellwatch: { matched: match.matched },
    kafka: kafkaFields(position),
  };
}

/**
 * The command document: the event, enriched once with what matched it, so the
 * audit trail never needs a second write.
 */
export function buildCommandDocument(
  event: CommandEvent,
  matches: RuleMatch[],
  position: RecordPosition,
  createdAt: string,
): Record<string, unknown> {
  let severity: Severity | undefined;
  for (const match of matches) severity = maxSeverity(severity, match.rule.severity);
  return {
    ...event,
    event: { ...event.event, kind: 'event', created: createdAt },
    shellwatch: {
      rule_ids: matches.map((m) => m.rule.id),
      alert_count: matches.length,
      ...(severity === undefined ? {} : { severity }),
    },
    kafka: kafkaFields(position),
  };
}
