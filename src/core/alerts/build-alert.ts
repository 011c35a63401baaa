import type { CommandEvent, Severity } from '../event';
import { maxSeverity } from '../event';
import type { RuleMatch } from '../rules/types';
import type { NormalizedRule } from '../rules/load-rule-set';
import type { RecordPosition } from './document-ids';
import { ecsCommandFields, threatFields } from './ecs';

/** ECS `event.severity` (numeric, so dashboards can sort and range-filter). */
export const SEVERITY_SCORE: Record<Severity, number> = {
  informational: 10,
  low: 21,
  medium: 47,
  high: 73,
  critical: 99,
};

/** The `shellwatch.kafka.*` block every document carries: where the record came from. */
export function kafkaFields(position: RecordPosition): {
  topic: string;
  partition: number;
  offset: number;
} {
  return { topic: position.topic, partition: position.partition, offset: Number(position.offset) };
}

/**
 * What an alert says about its rule, in ECS places: `rule.*` (ECS has no severity or
 * tags there), `tags`, `threat.*`, and the rest under `shellwatch.rule`.
 */
export function ruleFields(
  rule: Pick<NormalizedRule, 'id' | 'name' | 'description' | 'version' | 'severity'> & {
    tags?: readonly string[];
    mitre?: readonly string[];
  },
): { body: Record<string, unknown>; shellwatch: Record<string, unknown> } {
  const tags = [...(rule.tags ?? [])];
  return {
    body: {
      rule: {
        id: rule.id,
        name: rule.name,
        description: rule.description,
        version: String(rule.version),
        ruleset: 'shellwatch',
      },
      ...(tags.length === 0 ? {} : { tags }),
      threat: threatFields(rule.mitre ?? []),
    },
    shellwatch: { rule: { severity: rule.severity, tags } },
  };
}

/**
 * The alert document for one (event, rule) match: the command event's ECS fields, then
 * what the rule says and why it matched. `@timestamp` is the command's time,
 * `event.created` the time Shellwatch saw it.
 */
export function buildAlert(
  event: CommandEvent,
  match: RuleMatch,
  position: RecordPosition,
  createdAt: string,
): Record<string, unknown> {
  const { rule } = match;
  const command = ecsCommandFields(event);
  const described = ruleFields(rule);
  // The same keys in the same order as `{ ...body, event, ...described.body, shellwatch }`,
  // added in place to the fresh objects ecsCommandFields returns (no copies per document).
  const body = command.body;
  const ecsEvent = body.event as Record<string, unknown>;
  ecsEvent.kind = 'alert';
  ecsEvent.created = createdAt;
  ecsEvent.severity = SEVERITY_SCORE[rule.severity];
  for (const key in described.body) body[key] = described.body[key];
  const shellwatch = command.shellwatch;
  for (const key in described.shellwatch) shellwatch[key] = described.shellwatch[key];
  shellwatch.matched = match.matched;
  shellwatch.kafka = kafkaFields(position);
  body.shellwatch = shellwatch;
  return body;
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
  const command = ecsCommandFields(event);
  const body = command.body;
  const args = (body.process as { args?: unknown }).args;
  // In place, in the order `{ ...body, event: { ...event, kind, created }, shellwatch }` has.
  const ecsEvent = body.event as Record<string, unknown>;
  ecsEvent.kind = 'event';
  ecsEvent.created = createdAt;
  const shellwatch = command.shellwatch;
  // Whether process.args were split from the line here, for the way back to the
  // event (stored-command.ts): a rule reading process.args saw none then.
  if (args !== undefined) shellwatch.args_from_command_line = event.process.args === undefined;
  shellwatch.rule_ids = matches.map((m) => m.rule.id);
  shellwatch.alert_count = matches.length;
  if (severity !== undefined) shellwatch.severity = severity;
  shellwatch.kafka = kafkaFields(position);
  body.shellwatch = shellwatch;
  return body;
}
