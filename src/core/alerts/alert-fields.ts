/**
 * The few fields of an alert document that consumers outside Elasticsearch
 * (the alerts topic, the notifier) read, in one place. The alert document is
 * otherwise opaque to them: its shape is moving to ECS (`rule.severity` may
 * become `shellwatch.rule.severity`, with the number in `event.severity`), so
 * every field is looked up along a list of paths, newest first, and each path
 * is read both as nested objects and as a flattened dotted key.
 */
import type { Severity } from '../event';

/** What routing, grouping and messages need from an alert. Missing fields are `undefined`/empty. */
export interface AlertFields {
  ruleId: string | undefined;
  ruleName: string | undefined;
  /** A severity name (`critical`, `high`, …), or undefined when the document carries none. */
  severity: string | undefined;
  tags: string[];
  host: string | undefined;
  user: string | undefined;
  commandLine: string | undefined;
  timestamp: string | undefined;
}

/** Where each field may live, newest shape first. */
export const ALERT_FIELD_PATHS = {
  ruleId: ['shellwatch.rule.id', 'rule.id'],
  ruleName: ['shellwatch.rule.name', 'rule.name'],
  severity: ['shellwatch.rule.severity', 'rule.severity', 'event.severity'],
  tags: ['shellwatch.rule.tags', 'rule.tags', 'tags'],
  host: ['host.name', 'host.hostname'],
  user: ['user.name'],
  commandLine: ['process.command_line'],
  timestamp: ['@timestamp'],
} as const;

/** Reads the fields of ALERT_FIELD_PATHS from an alert document of any known shape. */
export function alertFields(document: unknown): AlertFields {
  return {
    ruleId: firstString(document, ALERT_FIELD_PATHS.ruleId),
    ruleName: firstString(document, ALERT_FIELD_PATHS.ruleName),
    severity: severityName(firstValue(document, ALERT_FIELD_PATHS.severity)),
    tags: stringList(firstValue(document, ALERT_FIELD_PATHS.tags)),
    host: firstString(document, ALERT_FIELD_PATHS.host),
    user: firstString(document, ALERT_FIELD_PATHS.user),
    commandLine: firstString(document, ALERT_FIELD_PATHS.commandLine),
    timestamp: firstString(document, ALERT_FIELD_PATHS.timestamp),
  };
}

/** The value at a dotted path: nested objects, a flattened key, or a mix (`rule` then `"severity"`). */
export function valueAt(document: unknown, path: string): unknown {
  if (typeof document !== 'object' || document === null) return undefined;
  const object = document as Record<string, unknown>;
  if (path in object) return object[path];
  const parts = path.split('.');
  for (let i = parts.length - 1; i >= 1; i -= 1) {
    const head = parts.slice(0, i).join('.');
    if (head in object) {
      const found = valueAt(object[head], parts.slice(i).join('.'));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function firstValue(document: unknown, paths: readonly string[]): unknown {
  for (const path of paths) {
    const value = valueAt(document, path);
    if (value !== undefined && value !== null) return value;
  }
  return undefined;
}

function firstString(document: unknown, paths: readonly string[]): string | undefined {
  for (const path of paths) {
    const value = valueAt(document, path);
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

function stringList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * Lowest ECS `event.severity` score of each name, highest first (the scores the
 * alert builder writes are 99, 73, 47, 21, 10; kept here rather than imported so
 * that a reshaped builder cannot silently change what routes match).
 */
const SEVERITY_FLOORS: readonly [number, Severity][] = [
  [99, 'critical'],
  [73, 'high'],
  [47, 'medium'],
  [21, 'low'],
  [0, 'informational'],
];

/** A name as is (lowercased); an ECS numeric `event.severity` mapped to its name. */
function severityName(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value.toLowerCase();
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  return SEVERITY_FLOORS.find(([floor]) => value >= floor)?.[1] ?? 'informational';
}
