import { describe, expect, it } from 'vitest';
import { RegexVerdictCache } from './regex-verdict-cache';

describe('RegexVerdictCache', () => {
  it('stays within its byte bound whatever the size of the patterns', () => {
    const cache = new RegexVerdictCache(1024 * 1024);
    // The case: a 250 KB pattern per call (here 100 of them, 50 MB as UTF-16).
    for (let i = 0; i < 100; i++) cache.set(`/${String(i)}${'x'.repeat(250_000)}`, 'invalid regex');
    expect(cache.bytes).toBeLessThanOrEqual(1024 * 1024);
    expect(cache.size).toBeLessThanOrEqual(2);
  });

  it('drops the least recently used verdicts first', () => {
    const cache = new RegexVerdictCache(10_000);
    for (let i = 0; i < 20; i++) cache.set(`/p${String(i)}${'x'.repeat(400)}`, undefined);
    expect(cache.bytes).toBeLessThanOrEqual(10_000);
    expect(cache.get(`/p19${'x'.repeat(400)}`)).toEqual({ verdict: undefined });
    expect(cache.get(`/p0${'x'.repeat(400)}`)).toBeUndefined();
  });

  it('tells a cached "safe" (undefined verdict) from no entry', () => {
    const cache = new RegexVerdictCache(10_000);
    cache.set('/^a$', undefined);
    cache.set('/(a+)+$', 'regex may backtrack catastrophically');
    expect(cache.get('/^a$')).toEqual({ verdict: undefined });
    expect(cache.get('/(a+)+$')).toEqual({ verdict: 'regex may backtrack catastrophically' });
    expect(cache.get('/^b$')).toBeUndefined();
  });

  it('keeps no entry larger than the whole bound', () => {
    const cache = new RegexVerdictCache(1_000);
    cache.set(`/${'y'.repeat(1_000)}`, undefined);
    expect(cache.size).toBe(0);
    expect(cache.bytes).toBe(0);
  });
});
