import { ruleFields, SEVERITY_SCORE } from '../alerts/build-alert';
import {
  commandArgs,
  documentPath,
  ECS_VERSION,
  PROCESS_START,
  processName,
  relatedFields,
} from '../alerts/ecs';
import type { NormalizedRule } from '../rules/load-rule-set';
import type { CorrelationAlert } from './engine-types';
import { setPath } from './group-key';

/**
 * The alert document of a threshold or sequence match. Like a single-event alert
 * (`rule.*`, `threat.*`, `event.kind: "alert"`), with the group-key fields in their
 * document places (ECS, or `shellwatch.*` for `session.id`/`tty`), the last contributing
 * command as `process.command_line`, and `shellwatch.correlation` citing every
 * contributing event (document id, time, step).
 * A rule with suppression starts with `shellwatch.suppressed_count: 0`.
 */
export function buildCorrelationAlert(
  alert: CorrelationAlert,
  rule: Readonly<NormalizedRule>,
  createdAt: string,
): Record<string, unknown> {
  const last = alert.events[alert.events.length - 1];
  const commandLine = last?.command_line ?? '';
  const keyed: Record<string, unknown> = {};
  for (const [path, value] of Object.entries(alert.group))
    setPath(keyed, documentPath(path), value);
  const { shellwatch: keyedVendor, ...keyedEcs } = keyed;
  const args = commandArgs(commandLine);
  const name = processName(undefined, args);
  const process = {
    ...((keyedEcs.process as object | undefined) ?? {}),
    command_line: commandLine,
    ...(name === undefined ? {} : { name }),
    ...(args.length === 0 ? {} : { args, args_count: args.length }),
  };
  const related = relatedFields(keyedEcs);
  const described = ruleFields(rule);
  return {
    '@timestamp': alert.timestamp,
    ...keyedEcs,
    ecs: { version: ECS_VERSION },
    process,
    event: {
      kind: 'alert',
      ...PROCESS_START,
      created: createdAt,
      severity: SEVERITY_SCORE[rule.severity],
      original: commandLine,
    },
    ...(related === undefined ? {} : { related }),
    ...described.body,
    shellwatch: {
      ...(keyedVendor ?? {}),
      log: { source: 'correlation' },
      ...described.shellwatch,
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
