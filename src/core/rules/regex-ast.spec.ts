import { RegExpParser } from '@eslint-community/regexpp';
import { describe, expect, it } from 'vitest';
import { parseRegexPattern, withRegexAstCache } from './regex-ast';

/** The parse the callers made before sharing it. */
const direct = (source: string, unicode: boolean, unicodeSets = false): unknown =>
  new RegExpParser({ ecmaVersion: 2025 }).parsePattern(source, 0, source.length, {
    unicode,
    unicodeSets,
  });

/** A tree without its parent links, for structural comparison. */
const plain = (tree: unknown): unknown =>
  JSON.parse(JSON.stringify(tree, (key, value: unknown) => (key === 'parent' ? undefined : value)));

describe('parseRegexPattern', () => {
  it('gives the tree regexpp gives, for each unicode mode', () => {
    for (const [source, unicode] of [
      ['^(sudo\\s+)?rm -rf', false],
      ['\\p{L}+x', true],
      ['[a-z]{2,}|(?:b|c)*?$', false],
    ] as const)
      expect(plain(parseRegexPattern(source, unicode))).toEqual(plain(direct(source, unicode)));
  });

  it('shares one tree per pattern and mode inside a load, and none outside it', () => {
    expect(parseRegexPattern('a+b', false)).not.toBe(parseRegexPattern('a+b', false));
    withRegexAstCache(() => {
      const tree = parseRegexPattern('a+b', false);
      expect(parseRegexPattern('a+b', false)).toBe(tree);
      expect(withRegexAstCache(() => parseRegexPattern('a+b', false))).toBe(tree);
      // Another mode is another parse: `\p{L}` is an escape only with `u`.
      expect(parseRegexPattern('a+b', true)).not.toBe(tree);
    });
    expect(parseRegexPattern('a+b', false)).not.toBe(parseRegexPattern('a+b', false));
  });

  it('throws on a syntax error, inside a load too, and caches nothing for it', () => {
    expect(() => parseRegexPattern('(a', false)).toThrow();
    withRegexAstCache(() => {
      expect(() => parseRegexPattern('(a', false)).toThrow();
      expect(() => parseRegexPattern('(a', false)).toThrow();
    });
  });
});
