import { describe, expect, it } from 'vitest';
import { apiKeyMatches, bearerToken } from './api-key';

describe('apiKeyMatches', () => {
  it('accepts the same key', () => {
    expect(apiKeyMatches('s3cret-key', 's3cret-key')).toBe(true);
  });

  it.each([
    ['a different key', 's3cret-kex'],
    ['a prefix', 's3cret'],
    ['a longer key', 's3cret-key-and-more'],
    ['the empty string', ''],
    ['different case', 'S3CRET-KEY'],
    ['trailing space', 's3cret-key '],
  ])('refuses %s', (_what, presented) => {
    expect(apiKeyMatches('s3cret-key', presented)).toBe(false);
  });

  it('compares keys of any length without throwing (digests have equal length)', () => {
    expect(apiKeyMatches('k', 'x'.repeat(10_000))).toBe(false);
    expect(apiKeyMatches('ü-ключ', 'ü-ключ')).toBe(true);
  });
});

describe('bearerToken', () => {
  it.each([
    ['Bearer abc', 'abc'],
    ['bearer abc', 'abc'],
    ['Bearer   abc  ', 'abc'],
  ])('reads %j', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });

  it.each([undefined, '', 'Bearer', 'Bearer ', 'Basic YWxhZGRpbjpvcGVu', 'abc', 'Bearer a b'])(
    'finds no token in %j',
    (header) => {
      expect(bearerToken(header)).toBeUndefined();
    },
  );
});
