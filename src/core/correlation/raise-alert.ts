import type { CommandEvent } from '../event';
import type { CorrelationAlert, CorrelationRule, Entry } from './engine-types';
import { setPath } from './group-key';

/** Contributing events cited at most (the first ones and the last). */
const MAX_CITED = 50;

/** A correlation alert (without its id) from the chain of events that completed it. */
export function alertOf(
  type: 'threshold' | 'sequence',
  rule: CorrelationRule,
  group: Record<string, string>,
  chain: (Entry & { step?: string | undefined })[],
  windowMs: number,
): Omit<CorrelationAlert, 'id'> {
  const last = chain[chain.length - 1]!;
  const cite = chain.length > MAX_CITED ? [...chain.slice(0, MAX_CITED - 1), last] : chain;
  return {
    ruleId: rule.definition.id,
    type,
    group,
    timestamp: new Date(last.ts).toISOString(),
    windowMs,
    events: cite.map((e) => ({
      id: e.id,
      '@timestamp': new Date(e.ts).toISOString(),
      ...(e.step === undefined ? {} : { step: e.step }),
      command_line: e.cmd,
    })),
  };
}

/** A stand-in event holding a correlation alert's group fields (to compute its suppression key). */
export function groupEvent(alert: Omit<CorrelationAlert, 'id'>): CommandEvent {
  const event: Record<string, unknown> = {
    '@timestamp': alert.timestamp,
    process: { command_line: '' },
    event: { original: '' },
    log: { source: 'correlation' },
  };
  for (const [path, value] of Object.entries(alert.group)) setPath(event, path, value);
  return event as unknown as CommandEvent;
}
