import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeywordScanner } from './keyword-scanner';

function found(scanner: KeywordScanner, text: string): number[] {
  const ids = new Set<number>();
  scanner.scan(text, (id) => ids.add(id));
  return [...ids].sort((a, b) => a - b);
}

describe('KeywordScanner', () => {
  it('reports overlapping and nested keywords', () => {
    const scanner = new KeywordScanner(['he', 'she', 'hers', 'his', '']);
    expect(found(scanner, 'ushers')).toEqual([0, 1, 2]);
    expect(found(scanner, 'nothing')).toEqual([]);
  });

  it('scans folded text as if a boundary code unit preceded and followed it', () => {
    const scanner = new KeywordScanner([' rm ', '/rm ', 'rm', ' ']);
    const fold = new Uint8Array(128).map((_, code) => (code === 0x3b ? 0x20 : code)); // ';' → ' '
    const foldedIds = (text: string): number[] => {
      const ids = new Set<number>();
      scanner.scanFolded(text, fold, 0x20, (id) => ids.add(id));
      return [...ids].sort((a, b) => a - b);
    };
    expect(foldedIds('rm')).toEqual([0, 2, 3]);
    expect(foldedIds('x;/bin/rm')).toEqual([1, 2, 3]);
    expect(foldedIds('form')).toEqual([2, 3]);
  });

  it('matches non-ASCII code units and keeps going after them', () => {
    const scanner = new KeywordScanner(['\u00e9t\u00e9', 'rm', 't\u00e9']);
    expect(found(scanner, 'r\u00e9t\u00e9rm\u0301')).toEqual([0, 1, 2]);
  });

  it('reports exactly the keywords String.includes finds', () => {
    const alphabet = fc.constantFrom(
      'a',
      'b',
      'c',
      '/',
      ' ',
      '\u00e9',
      '\u03c3',
      '\ud83d',
      '\ude00',
    );
    const word = fc.array(alphabet, { minLength: 1, maxLength: 5 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 30 }),
        fc.array(alphabet, { maxLength: 60 }),
        (keywords, chars) => {
          const text = chars.join('');
          const expected = keywords.flatMap((k, i) => (text.includes(k) ? [i] : []));
          expect(found(new KeywordScanner(keywords), text)).toEqual(expected);
        },
      ),
      { numRuns: 2000, seed: 8 },
    );
  });

  it('scanLowerCase and matchesAny agree with toLowerCase() and includes()', () => {
    const alphabet = fc.constantFrom(
      'a',
      'B',
      'c',
      'Z',
      '/',
      ' ',
      '\u00c9',
      '\u00e9',
      '\u0130',
      'i',
    );
    const word = fc.array(alphabet, { minLength: 1, maxLength: 4 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 20 }),
        fc.array(alphabet, { maxLength: 40 }),
        (raw, chars) => {
          const keywords = raw.map((k) => k.toLowerCase());
          const text = chars.join('');
          const lowered = text.toLowerCase();
          const expected = keywords.flatMap((k, i) => (lowered.includes(k) ? [i] : []));
          const scanner = new KeywordScanner(keywords);
          const ids = new Set<number>();
          scanner.scanLowerCase(text, (id) => ids.add(id));
          expect([...ids].sort((a, b) => a - b)).toEqual(expected);
          expect(scanner.matchesAny(lowered)).toBe(expected.length > 0);
        },
      ),
      { numRuns: 2000, seed: 9 },
    );
  });
});
