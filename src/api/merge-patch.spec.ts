import { describe, expect, it } from 'vitest';
import { applyMergePatch } from './merge-patch';
import type { JsonValue } from './merge-patch';

// The examples of RFC 7396, appendix A.
const RFC_CASES: [JsonValue, JsonValue, JsonValue][] = [
  [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
  [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
  [{ a: 'b' }, { a: null }, {}],
  [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
  [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
  [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
  [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
  [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
  [
    ['a', 'b'],
    ['c', 'd'],
    ['c', 'd'],
  ],
  [{ a: 'b' }, ['c'], ['c']],
  [{ a: 'foo' }, null, null],
  [{ a: 'foo' }, 'bar', 'bar'],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [[1, 2], { a: 'b', c: null }, { a: 'b' }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
];

describe('applyMergePatch', () => {
  it.each(RFC_CASES)('%j + %j = %j', (target, patch, expected) => {
    expect(applyMergePatch(target, patch)).toEqual(expected);
  });

  it('keeps __proto__ as an own key, as JSON.parse does, and never touches a prototype', () => {
    const patch = JSON.parse(
      '{"__proto__": {"polluted": true}, "a": {"__proto__": 1}}',
    ) as JsonValue;
    const result = applyMergePatch({ a: { b: 1 } }, patch) as Record<string, unknown>;
    expect(Object.keys(result)).toEqual(['a', '__proto__']);
    expect(JSON.stringify(result)).toBe(
      '{"a":{"b":1,"__proto__":1},"__proto__":{"polluted":true}}',
    );
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('leaves its inputs untouched', () => {
    const target = { a: { b: 1 } };
    applyMergePatch(target, { a: { b: 2 } });
    expect(target).toEqual({ a: { b: 1 } });
  });
});
