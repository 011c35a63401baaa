import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  escapePattern,
  expandBraces,
  MAX_BRACE_DEPTH,
  MAX_BRACE_WORDS,
  unescapePattern,
} from './expand-braces';

describe('expandBraces', () => {
  it.each([
    ['{rm,-rf,/}', ['rm', '-rf', '/']],
    ['/bin/{c,}at', ['/bin/cat', '/bin/at']],
    ['a{b,c}d{e,f}', ['abde', 'abdf', 'acde', 'acdf']],
    ['{a,{b,c}}', ['a', 'b', 'c']],
    ['{,}', []],
    ['{x}{a,b}', ['{x}a', '{x}b']],
    ['{1..3}', ['1', '2', '3']],
    ['{3..1}', ['3', '2', '1']],
    ['{-1..1}', ['-1', '0', '1']],
    ['{08..10}', ['08', '09', '10']],
    ['{a..e..2}', ['a', 'c', 'e']],
    ['{a..}', ['{a..}']],
    ['{a,b', ['{a,b']],
    ['plain', ['plain']],
  ])('%s → %j', (pattern, words) => {
    expect(expandBraces(pattern)).toEqual(words);
  });

  it('does not expand escaped braces or commas', () => {
    expect(expandBraces(escapePattern('{a,b}'))).toEqual(['\\{a\\,b\\}']);
    expect(expandBraces(`{a,${escapePattern('b,c')}}`).map(unescapePattern)).toEqual(['a', 'b,c']);
  });

  it('round-trips escaping', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(unescapePattern(escapePattern(text))).toBe(text);
      }),
    );
  });

  it('stops searching when the budget is spent, leaving the pattern literal', () => {
    const budget = { steps: 10 };
    expect(expandBraces('{a,b}', budget)).toEqual(['a', 'b']);
    expect(budget.steps).toBeLessThan(10);
    expect(expandBraces('x{aaaaaaaaaaaaaaaaaaaa,b}', budget)).toEqual([
      'x{aaaaaaaaaaaaaaaaaaaa,b}',
    ]);
    expect(budget.steps).toBeLessThanOrEqual(0);
    expect(expandBraces('{c,d}', budget)).toEqual(['{c,d}']);
  });

  it('is bounded in words and depth, and never throws', () => {
    expect(expandBraces('{a,b}'.repeat(20))).toHaveLength(MAX_BRACE_WORDS);
    expect(expandBraces('{1..99999999}')).toHaveLength(MAX_BRACE_WORDS);
    const deep = expandBraces('{a,b}'.repeat(MAX_BRACE_DEPTH + 2));
    expect(deep[0]).toBe(`${'a'.repeat(MAX_BRACE_DEPTH)}{a,b}{a,b}`);
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('{', '}', ',', '..', 'a', '1', '\\', '-'), { maxLength: 80 }),
        (parts) => {
          expect(expandBraces(parts.join('')).length).toBeLessThanOrEqual(MAX_BRACE_WORDS);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
