import { describe, expect, it } from 'vitest';
import { auditDocument, patchAction } from './audit-document';

describe('auditDocument', () => {
  it('is an ECS configuration event naming who changed which rule, and how', () => {
    const document = auditDocument({
      action: 'rule-patched',
      ruleId: 'SW-NET-0001',
      user: 'ci-deploy',
      versionBefore: '"abc"',
      versionAfter: '"def"',
      change: { severity: 'high' },
      file: 'network/SW-NET-0001.json',
      at: new Date('2026-12-07T07:00:00.000Z'),
    });
    expect(document).toEqual({
      '@timestamp': '2026-12-07T07:00:00.000Z',
      event: {
        kind: 'event',
        category: ['configuration'],
        type: ['change'],
        action: 'rule-patched',
        outcome: 'success',
        module: 'shellwatch',
      },
      user: { name: 'ci-deploy' },
      rule: { id: 'SW-NET-0001' },
      file: { path: 'network/SW-NET-0001.json' },
      shellwatch: {
        audit: { version_before: '"abc"', version_after: '"def"', change: { severity: 'high' } },
      },
    });
  });

  it.each([
    ['rule-created', 'creation'],
    ['rule-replaced', 'change'],
    ['rule-enabled', 'change'],
    ['rule-disabled', 'change'],
    ['rule-deleted', 'deletion'],
  ] as const)('gives %s the event.type %s', (action, type) => {
    const document = auditDocument({
      action,
      ruleId: 'SW-NET-0001',
      user: 'default',
      versionBefore: null,
      versionAfter: null,
      change: null,
      file: 'x.json',
      at: new Date(0),
    });
    expect(document.event.type).toEqual([type]);
  });

  it.each([
    [null, 'creation'],
    ['"o12"', 'change'],
  ] as const)('gives a push with version before %s the event.type %s', (versionBefore, type) => {
    const document = auditDocument({
      action: 'rule-pushed',
      ruleId: 'SW-NET-0001',
      user: 'cli:ops',
      versionBefore,
      versionAfter: '"o40"',
      change: { id: 'SW-NET-0001' },
      file: 'network/SW-NET-0001.json',
      at: new Date(0),
    });
    expect(document.event).toMatchObject({ action: 'rule-pushed', type: [type] });
  });
});

describe('patchAction', () => {
  it('calls a patch of enabled alone an enable or a disable, anything else a patch', () => {
    expect(patchAction({ enabled: true })).toBe('rule-enabled');
    expect(patchAction({ enabled: false })).toBe('rule-disabled');
    expect(patchAction({ enabled: false, severity: 'low' })).toBe('rule-patched');
    expect(patchAction({ enabled: null })).toBe('rule-patched');
    expect(patchAction({ name: 'x' })).toBe('rule-patched');
  });
});
