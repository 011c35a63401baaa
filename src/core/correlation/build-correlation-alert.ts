import { SEVERITY_SCORE } from '../alerts/build-alert';
import type { NormalizedRule } from '../rules/load-rule-set';
import type { CorrelationAlert } from './engine';
import { setPath } from './engine';

/**
 * The alert document of a threshold or sequence match. Like a single-event alert
 * (`rule.*`, `threat.*`, `event.kind: "alert"`), with the group-key fields in their
 * ECS places, the last contributing command as `process.command_line`, and
 * `shellwatch.correlation` citing every contributing event (document id, time, step).
 * A rule with suppression starts with `shellwatch.suppressed_count: 0`.
 */
export function buildCorrelationAlert(
  alert: CorrelationAlert,
  rule: Readonly<NormalizedRule>,
  createdAt: string,
): Record<string, unknown> {
  const last = alert.events[alert.events.length - 1];
  const body: Record<string, unknown> = { '@timestamp': alert.timestamp };
  for (const [path, value] of Object.entries(alert.group)) setPath(body, path, value);
  setPath(body, 'process.command_line', last?.command_line ?? '');
  return {
    ...body,
    event: {
      kind: 'alert',
      created: createdAt,
      severity: SEVERITY_SCORE[rule.severity],
      original: last?.command_line ?? '',
    },
    log: { source: 'correlation' },
    rule: {
      id: rule.id,
      name: rule.name,
      description: rule.description,
      version: rule.version,
      severity: rule.severity,
      tags: rule.tags ?? [],
    },
    threat: { framework: 'MITRE ATT&CK', technique: { id: rule.mitre ?? [] } },
    shellwatch: {
      correlation: {
        type: alert.type,
        window_ms: alert.windowMs,
        group: alert.group,
        event_count: alert.events.length,
        events: alert.events,
      },
      ...(rule.suppression === undefined ? {} : { suppressed_count: 0 }),
    },
  };
}
