import { describe, expect, it } from 'vitest';
import { assertRuleId, resolveInside, ruleArea, ruleFilePath, RulePathError } from './rule-paths';

const ROOT = '/srv/shellwatch/rules';

describe('assertRuleId', () => {
  it.each([
    'SW-DST-0001',
    'SW-LNX-0042',
    'SW-K8S-9999',
    'ACME-0001',
    'acme.ssh_keys',
    '5f0c3a4e-8d7b-4b1e-9a51-2f6c1d0e7a93',
  ])('accepts %s', (id) => {
    expect(() => assertRuleId(id)).not.toThrow();
  });

  it.each([
    '',
    'sw-dst-0001',
    'SW-DST-001',
    'SW-DST-00001',
    'SW--0001',
    'SW-DST-0001.json',
    ' SW-DST-0001',
    'SW-DST-0001\n',
    '../../etc/passwd',
    '..%2F..%2Fetc%2Fpasswd',
    'SW-DST-0001/../../x',
    'destruction/SW-DST-0001',
    'SW-DST-0001\0',
    'SW-acme-0001',
    '.acme',
    '..',
    'a'.repeat(129),
  ])('rejects %j', (id) => {
    expect(() => assertRuleId(id)).toThrow(RulePathError);
  });
});

describe('resolveInside', () => {
  it('resolves paths inside the root', () => {
    expect(resolveInside(ROOT, 'destruction/SW-DST-0001.json')).toBe(
      '/srv/shellwatch/rules/destruction/SW-DST-0001.json',
    );
    expect(resolveInside(ROOT, 'a/../b.json')).toBe('/srv/shellwatch/rules/b.json');
  });

  it.each([
    '../etc/passwd',
    '../../etc/passwd',
    'custom/../../rules2/x.json',
    '/etc/passwd',
    '..',
    '.',
    '',
    'custom/\0.json',
  ])('refuses %j', (path) => {
    expect(() => resolveInside(ROOT, path)).toThrow(RulePathError);
  });

  it('refuses a sibling folder that shares the root as a prefix', () => {
    expect(() => resolveInside(ROOT, '../rules-evil/x.json')).toThrow(RulePathError);
  });
});

describe('ruleFilePath', () => {
  it('joins folder and id', () => {
    expect(ruleFilePath(ROOT, 'custom', 'SW-ABC-0001')).toBe('custom/SW-ABC-0001.json');
    expect(ruleFilePath(ROOT, '', 'SW-ABC-0001')).toBe('SW-ABC-0001.json');
  });

  it('checks the id before building a path', () => {
    expect(() => ruleFilePath(ROOT, 'custom', '../../etc/passwd')).toThrow(/invalid rule id/);
  });

  it('checks the folder', () => {
    expect(() => ruleFilePath(ROOT, '../..', 'SW-ABC-0001')).toThrow(/outside the rules folder/);
  });

  it('derives the area', () => {
    expect(ruleArea('SW-DST-0001')).toBe('DST');
    expect(ruleArea('ACME-DST-0001')).toBe('');
  });
});
