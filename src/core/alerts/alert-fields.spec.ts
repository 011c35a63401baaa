import { describe, expect, it } from 'vitest';
import { alertFields, valueAt } from './alert-fields';

describe('alertFields', () => {
  it('reads the alert document as the pipeline writes it today', () => {
    const fields = alertFields({
      '@timestamp': '2026-11-25T12:00:00.000Z',
      host: { name: 'web-1' },
      user: { name: 'alice' },
      process: { command_line: 'rm -rf /etc' },
      event: { kind: 'alert', severity: 99 },
      rule: {
        id: 'SW-DST-0001',
        name: 'Forced delete',
        severity: 'critical',
        tags: ['destruction'],
      },
    });
    expect(fields).toEqual({
      ruleId: 'SW-DST-0001',
      ruleName: 'Forced delete',
      severity: 'critical',
      tags: ['destruction'],
      host: 'web-1',
      user: 'alice',
      commandLine: 'rm -rf /etc',
      timestamp: '2026-11-25T12:00:00.000Z',
    });
  });

  it('prefers the ECS-era shellwatch.rule.* fields when both are present', () => {
    const fields = alertFields({
      shellwatch: { rule: { id: 'SW-NEW-0001', severity: 'high', tags: ['new'] } },
      rule: { id: 'SW-OLD-0001', severity: 'low', tags: ['old'] },
    });
    expect(fields).toMatchObject({ ruleId: 'SW-NEW-0001', severity: 'high', tags: ['new'] });
  });

  it('falls back to the numeric ECS event.severity when no severity name is left', () => {
    expect(alertFields({ event: { severity: 99 } }).severity).toBe('critical');
    expect(alertFields({ event: { severity: 73 } }).severity).toBe('high');
    expect(alertFields({ event: { severity: 50 } }).severity).toBe('medium');
    expect(alertFields({ event: { severity: 5 } }).severity).toBe('informational');
  });

  it('reads flattened dotted keys (the summary of an oversized alert)', () => {
    const fields = alertFields({ 'shellwatch.rule.id': 'SW-X-0001', 'host.name': 'db-2' });
    expect(fields).toMatchObject({ ruleId: 'SW-X-0001', host: 'db-2', tags: [] });
  });

  it('leaves fields undefined on anything that is not an alert', () => {
    expect(alertFields(null)).toMatchObject({ ruleId: undefined, severity: undefined, tags: [] });
    expect(alertFields({ rule: 'text' }).ruleId).toBeUndefined();
  });

  it('valueAt mixes nesting and dotted keys', () => {
    expect(valueAt({ rule: { 'x.y': 1 } }, 'rule.x.y')).toBe(1);
    expect(valueAt({ 'rule.x': { y: 2 } }, 'rule.x.y')).toBe(2);
  });
});
