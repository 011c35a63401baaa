import { createHash } from 'node:crypto';
import type { CommandEvent } from '../event';

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

/** The group-by fields' values of an event; undefined when one of them is missing. */
export function groupOf(
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

/** The state key of a rule's group: `<rule id>\0<group as JSON>`. */
export function windowKey(ruleId: string, group: Record<string, string>): string {
  return `${ruleId}\u0000${JSON.stringify(group)}`;
}

/** The rule id of a state key. */
export function ruleIdOfKey(key: string): string {
  return key.slice(0, key.indexOf('\u0000'));
}

function hashKey(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** The deterministic id of a correlation alert. */
export function correlationAlertId(ruleId: string, groupKey: string, firstEventId: string): string {
  return `cor:${ruleId}:${hashKey(groupKey)}:${firstEventId}`;
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
