import { BadRequestException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { pageOf, parseRuleListQuery, RULE_LIST_QUERY, ruleMatchesQuery } from './rule-list-query';
import type { FilterableRule, RuleListParameter } from './rule-list-query';

const RULES: FilterableRule[] = [
  {
    id: 'SW-DST-0001',
    name: 'Recursive delete',
    description: 'rm -rf of /',
    severity: 'critical',
    tags: ['destruction'],
    enabled: true,
  },
  {
    id: 'SW-NET-0001',
    name: 'Netcat listener',
    description: 'nc -l',
    severity: 'high',
    tags: ['network', 'shell'],
    enabled: false,
  },
  {
    id: 'SW-EXE-0001',
    name: 'Curl piped to shell',
    severity: 'high',
    tags: ['execution', 'shell'],
    enabled: true,
  },
  { id: 'SW-RCN-0001', name: 'whoami', description: 'Discovery', severity: 'low', enabled: true },
];

function ids(query: Record<string, unknown>): string[] {
  const parsed = parseRuleListQuery(query);
  return RULES.filter((rule) => ruleMatchesQuery(rule, parsed)).map((rule) => rule.id);
}

function refusal(query: Record<string, unknown>): string {
  try {
    parseRuleListQuery(query);
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestException);
    return (error as Error).message;
  }
  throw new Error('expected a 400');
}

describe('GET /rules filters', () => {
  it('passes every rule without a filter, a page of 100 from the start', () => {
    expect(ids({})).toEqual(RULES.map((rule) => rule.id));
    expect(parseRuleListQuery({})).toMatchObject({ limit: 100, offset: 0 });
  });

  it('filters by severities, repeated or comma-separated', () => {
    expect(ids({ severity: 'high' })).toEqual(['SW-NET-0001', 'SW-EXE-0001']);
    expect(ids({ severity: 'critical,low' })).toEqual(['SW-DST-0001', 'SW-RCN-0001']);
    expect(ids({ severity: ['critical', 'low'] })).toEqual(['SW-DST-0001', 'SW-RCN-0001']);
  });

  it('filters by any of the tags, by enabled, and combines filters', () => {
    expect(ids({ tag: 'shell' })).toEqual(['SW-NET-0001', 'SW-EXE-0001']);
    expect(ids({ tag: 'destruction,network' })).toEqual(['SW-DST-0001', 'SW-NET-0001']);
    expect(ids({ enabled: 'false' })).toEqual(['SW-NET-0001']);
    expect(ids({ enabled: 'true', tag: 'shell' })).toEqual(['SW-EXE-0001']);
    expect(ids({ severity: 'high', enabled: 'false' })).toEqual(['SW-NET-0001']);
  });

  it('searches text in id, name and description, ignoring case', () => {
    expect(ids({ q: 'NETCAT' })).toEqual(['SW-NET-0001']);
    expect(ids({ q: 'discovery' })).toEqual(['SW-RCN-0001']);
    expect(ids({ q: 'sw-exe' })).toEqual(['SW-EXE-0001']);
    expect(ids({ q: '  ' })).toHaveLength(4);
    expect(ids({ q: 'nothing like it' })).toEqual([]);
  });

  it.each([
    [
      { severity: 'severe' },
      /severity="severe": expected one of informational, low, medium, high, critical/,
    ],
    [{ enabled: 'yes' }, /enabled="yes": expected true or false/],
    [{ enabled: ['true', 'false'] }, /enabled: expected once, got 2 values/],
    [{ limit: '0' }, /limit="0": expected a whole number from 1 to 500/],
    [{ limit: '501' }, /from 1 to 500/],
    [{ limit: '1.5' }, /limit="1.5"/],
    [{ offset: '-1' }, /offset="-1": expected a whole number from 0/],
    [{ q: 'x'.repeat(201) }, /q: expected at most 200 characters/],
    [{ tag: { a: 'b' } }, /tag: expected a plain value/],
    [{ sort: 'name' }, /unknown query parameter "sort"/],
    [{ severity: '' }, /severity="": expected one of/],
    [{ severity: 'high,' }, /severity="": expected one of/],
  ])('refuses %j with a 400 that says what is expected', (query, message) => {
    expect(refusal(query)).toMatch(message);
  });
});

describe('GET /rules paging', () => {
  const items = ['a', 'b', 'c', 'd', 'e'];

  it('cuts pages and says where the next starts, null on the last', () => {
    expect(pageOf(items, { limit: 2, offset: 0 })).toEqual({
      items: ['a', 'b'],
      total: 5,
      nextOffset: 2,
    });
    expect(pageOf(items, { limit: 2, offset: 4 })).toEqual({
      items: ['e'],
      total: 5,
      nextOffset: null,
    });
    expect(pageOf(items, { limit: 5, offset: 0 }).nextOffset).toBeNull();
    expect(pageOf(items, { limit: 2, offset: 9 })).toEqual({
      items: [],
      total: 5,
      nextOffset: null,
    });
  });

  it('visits every item exactly once when following nextOffset', () => {
    const seen: string[] = [];
    let offset: number | null = 0;
    while (offset !== null) {
      const page: ReturnType<typeof pageOf<string>> = pageOf(items, { limit: 2, offset });
      seen.push(...page.items);
      offset = page.nextOffset;
    }
    expect(seen).toEqual(items);
  });
});

describe('GET /rules query table', () => {
  const refuses = (query: Record<string, unknown>): boolean => {
    try {
      parseRuleListQuery(query);
      return false;
    } catch (error) {
      return error instanceof BadRequestException;
    }
  };

  // The controller documents RULE_LIST_QUERY; the parser must accept exactly what it says.
  it('accepts each documented enum value and bound, and refuses one past it', () => {
    for (const [name, { schema }] of Object.entries(RULE_LIST_QUERY) as [
      string,
      RuleListParameter,
    ][]) {
      for (const value of schema.enum ?? [])
        expect([name, refuses({ [name]: value })]).toEqual([name, false]);
      if (schema.enum !== undefined)
        expect([name, refuses({ [name]: 'nope' })]).toEqual([name, true]);
      if (schema.maximum !== undefined) {
        expect([name, refuses({ [name]: String(schema.maximum) })]).toEqual([name, false]);
        expect([name, refuses({ [name]: String(schema.maximum + 1) })]).toEqual([name, true]);
      }
      if (schema.minimum !== undefined) {
        expect([name, refuses({ [name]: String(schema.minimum) })]).toEqual([name, false]);
        expect([name, refuses({ [name]: String(schema.minimum - 1) })]).toEqual([name, true]);
      }
      if (schema.maxLength !== undefined) {
        expect([name, refuses({ [name]: 'x'.repeat(schema.maxLength) })]).toEqual([name, false]);
        expect([name, refuses({ [name]: 'x'.repeat(schema.maxLength + 1) })]).toEqual([name, true]);
      }
    }
    expect(refuses({ undocumented: '1' })).toBe(true);
  });
});
