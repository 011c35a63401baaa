import { describe, expect, it } from 'vitest';
import ruleSchema from '../../../rules/schema/rule.schema.json';
import { loadRuleSet } from './load-rule-set';
import { RULE_ID_PATTERN, RULE_ID_PATTERN_SOURCE, ruleIdProblem } from './rule-id';

const ACCEPTED = [
  'SW-DST-0001',
  'SW-K8S-9999',
  'ACME-0001',
  'acme-ssh-keys',
  'acme.ssh_keys-2',
  '5f0c3a4e-8d7b-4b1e-9a51-2f6c1d0e7a93',
  '5F0C3A4E-8D7B-4B1E-9A51-2F6C1D0E7A93',
  'a',
  'x'.repeat(128),
  'SWX-0001',
  'sw',
];

const REFUSED: [string, RegExp][] = [
  ['', /empty/],
  ['x'.repeat(129), /at most 128/],
  ['SW-acme-rule', /reserved for the shipped pack/],
  ['sw-dst-0001', /reserved for the shipped pack/],
  ['Sw-My-0001', /reserved for the shipped pack/],
  ['SW-DST-001', /reserved/],
  ['SW-DST-0001.json', /reserved/],
  ['.hidden', /starting with a letter or digit/],
  ['..', /starting with a letter or digit/],
  ['-rf', /starting with a letter or digit/],
  ['_x', /starting with a letter or digit/],
  ['acme/ssh', /letters, digits/],
  ['acme ssh', /letters, digits/],
  ['acme\\ssh', /letters, digits/],
  ['acme\0', /letters, digits/],
  ['acme\n', /letters, digits/],
  ['é-rule', /letters, digits/],
];

describe('rule ids', () => {
  it.each(ACCEPTED)('accepts %j', (id) => {
    expect(RULE_ID_PATTERN.test(id)).toBe(true);
    expect(ruleIdProblem(id)).toBeUndefined();
  });

  it.each(REFUSED)('refuses %j: %s', (id, reason) => {
    expect(RULE_ID_PATTERN.test(id)).toBe(false);
    expect(ruleIdProblem(id)).toMatch(reason);
  });

  it('is the pattern of rule.schema.json', () => {
    expect(ruleSchema.properties.id.pattern).toBe(RULE_ID_PATTERN_SOURCE);
  });

  it('loads a user rule named after a UUID, and says why an SW- user id is refused', () => {
    const rule = (id: string) => ({
      path: `custom/${id}.json`,
      text: JSON.stringify({
        id,
        name: 'netcat',
        severity: 'low',
        conditions: { all: [{ fact: 'programs', operator: 'contains', value: 'nc' }] },
      }),
    });
    const good = loadRuleSet([rule('5f0c3a4e-8d7b-4b1e-9a51-2f6c1d0e7a93'), rule('acme.nc-1')]);
    expect(good.ok).toBe(true);
    const bad = loadRuleSet([rule('SW-acme-1')]);
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.errors.map((p) => `${p.file}#${p.pointer}`)).toEqual(['custom/SW-acme-1.json#/id']);
    expect(bad.errors[0]?.message).toMatch(/^the SW- prefix is reserved for the shipped pack/);
  });
});
