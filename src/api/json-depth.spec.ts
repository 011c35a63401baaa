import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, nestsDeeperThan, refuseDeepJson } from './json-depth';

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('nestsDeeperThan', () => {
  it('counts objects and arrays, not brackets inside strings', () => {
    expect(nestsDeeperThan(bytes('{"a":[{"b":1}]}'), 3)).toBe(false);
    expect(nestsDeeperThan(bytes('{"a":[{"b":[1]}]}'), 3)).toBe(true);
    expect(nestsDeeperThan(bytes('{"a":"[[[[[{{{{"}'), 1)).toBe(false);
    expect(nestsDeeperThan(bytes('{"a":"\\"[[[["}'), 1)).toBe(false);
    expect(nestsDeeperThan(bytes('[1,[2],[3],[4]]'), 2)).toBe(false);
  });

  it('walks 10,000 levels without recursion', () => {
    expect(nestsDeeperThan(bytes(`${'['.repeat(10_000)}${']'.repeat(10_000)}`), 64)).toBe(true);
  });
});

describe('refuseDeepJson (the body parser hook)', () => {
  it('refuses a body deeper than the limit with a 400 meant for the client', () => {
    const deep = bytes(
      `{"conditions":${'{"all":['.repeat(MAX_JSON_DEPTH)}${']}'.repeat(MAX_JSON_DEPTH)}}`,
    );
    expect(() => refuseDeepJson(null, null, deep, 'utf-8')).toThrow(
      expect.objectContaining({
        status: 400,
        expose: true,
        message: `JSON body nested deeper than ${MAX_JSON_DEPTH} levels (objects and arrays)`,
      }),
    );
    expect(() => refuseDeepJson(null, null, bytes('{"a":{"b":[1]}}'), 'utf-8')).not.toThrow();
  });
});
