import { describe, expect, it } from 'vitest';
import type { AlertFields } from '../core/alerts/alert-fields';
import { compileRoutes, outputsFor } from './routing';

function alert(fields: Partial<AlertFields>): AlertFields {
  return {
    ruleId: undefined,
    ruleName: undefined,
    severity: undefined,
    tags: [],
    host: undefined,
    user: undefined,
    commandLine: undefined,
    timestamp: undefined,
    ...fields,
  };
}

const routes = compileRoutes([
  { name: 'critical', match: { severity: ['critical', 'high'] }, outputs: ['pager', 'chat'] },
  { name: 'network rules', match: { ruleId: ['SW-NET-*'] }, outputs: ['netops'] },
  { name: 'tagged', match: { tag: ['destruction', 'exfiltration'] }, outputs: ['chat'] },
  {
    name: 'db hosts, medium',
    match: { host: ['db-*.example.internal'], severity: ['medium'] },
    outputs: ['dba'],
  },
  { name: 'everything', outputs: ['archive'] },
]);

describe('routing', () => {
  it('sends an alert to the union of the outputs of every matching route, each once', () => {
    expect(
      outputsFor(
        alert({ severity: 'critical', ruleId: 'SW-DST-0001', tags: ['destruction'] }),
        routes,
      ),
    ).toEqual(['pager', 'chat', 'archive']);
  });

  it('matches rule ids by glob', () => {
    expect(outputsFor(alert({ ruleId: 'SW-NET-0007', severity: 'low' }), routes)).toEqual([
      'netops',
      'archive',
    ]);
    expect(outputsFor(alert({ ruleId: 'SW-NETX', severity: 'low' }), routes)).toEqual(['archive']);
  });

  it('needs every criterion of a route to match', () => {
    expect(
      outputsFor(alert({ host: 'db-1.example.internal', severity: 'medium' }), routes),
    ).toEqual(['dba', 'archive']);
    expect(outputsFor(alert({ host: 'db-1.example.internal', severity: 'low' }), routes)).toEqual([
      'archive',
    ]);
  });

  it('does not match a criterion on a field the alert lacks', () => {
    expect(outputsFor(alert({}), routes)).toEqual(['archive']);
  });

  it('routes nowhere when no route matches', () => {
    const only = compileRoutes([{ match: { severity: ['critical'] }, outputs: ['pager'] }]);
    expect(outputsFor(alert({ severity: 'low' }), only)).toEqual([]);
  });
});
