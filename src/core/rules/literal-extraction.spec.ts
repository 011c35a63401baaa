import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  anchoredPrefixes,
  disjunctionScore,
  literalWeight,
  minimalDisjunction,
  partOf,
  requiredLiteralParts,
  requiredLiterals,
  withParts,
} from './literal-extraction';
import type { Parts } from './literal-extraction';

describe('requiredLiterals', () => {
  it.each([
    ['curl', '', ['curl']],
    ['^/dev/(tcp|udp)/[^/]+/[0-9]+$', '', ['/dev/tcp/', '/dev/udp/']],
    ['\\bRM\\s+-', 'i', ['rm']],
    ['a{2}b?c', '', ['aabc', 'aac']],
    ['(curl|wget)\\s', '', ['curl', 'wget']],
    ['\\/etc\\/shadow', '', ['/etc/shadow']],
    ['\\x2fbin', '', ['/bin']],
    ['[Nn][Cc] -e', '', ['nc -e']],
    ['(?:ab|cd)+ef', '', ['ef']],
    // "?/" and "*/" contain "/": the disjunction is "/" alone, weaker than "/?" or "/*".
    ['^(sudo |nohup |exec )?/[?*][?*]?[?*]?/', '', ['/?', '/*']],
    // Both "/" and "?" are required; "?" is the rarer in command lines.
    ['(/[a-z]+)*/[a-z]*[?][a-z]*', '', ['?']],
  ] as const)('%s /%s → %j', (source, flags, expected) => {
    expect(requiredLiterals(source, flags)?.sort()).toEqual([...expected].sort());
  });

  it.each([
    ['.*', ''],
    ['a|.', ''],
    ['(a)?', ''],
    ['\\d+', ''],
    ['[^a]', ''],
    ['(a|)\\1', ''],
    ['é', ''],
    ['\\p{L}', 'u'],
    ['', ''],
    ['s', 'iu'],
    ['k', 'iu'],
  ] as const)('%s /%s → nothing', (source, flags) => {
    expect(requiredLiterals(source, flags)).toBeUndefined();
  });

  it('gives each necessary disjunction of a sequence, most selective first', () => {
    const sorted = (parts: string[][]): string[][] => parts.map((p) => [...p].sort());
    expect(sorted(requiredLiteralParts('^sudo +(-[a-zA-Z]+ +)*(-R|--chroot[= ])', ''))).toEqual([
      ['sudo'],
      ['--chroot ', '--chroot=', '-r'],
      [' '],
    ]);
    expect(sorted(requiredLiteralParts('curl .*\\| *(ba)?sh', 'i'))).toEqual([
      ['curl '],
      ['sh'],
      ['|'],
    ]);
    // An alternation needs one branch: only the union of the branches' best is necessary.
    expect(sorted(requiredLiteralParts('(curl .*-k|wget .*--no-check)', ''))).toEqual([
      ['--no-check', 'curl '],
    ]);
    expect(requiredLiteralParts('.*', '')).toEqual([]);
  });

  it('drops the strings that contain another of the same disjunction', () => {
    expect(minimalDisjunction(['?/', 'sudo /?', '/', 'x/y', '/'])).toEqual(['/']);
    expect(minimalDisjunction(['curl', 'wget', 'curl -s'])).toEqual(['curl', 'wget']);
  });

  it('weighs glob, expansion and escape characters double', () => {
    expect(literalWeight('/')).toBe(1);
    expect(literalWeight('?')).toBe(2);
    expect(literalWeight('${x}')).toBe(7);
  });

  it('weighs as the per-character definition does, surrogate pairs as one character', () => {
    const rare = new Set('?*\\$!`{}[]^~%@#');
    const byCharacter = (text: string): number => {
      let weight = 0;
      for (const ch of text) weight += ch.charCodeAt(0) >= 128 ? 4 : rare.has(ch) ? 2 : 1;
      return weight;
    };
    expect(literalWeight('a\u{1F600}b\uD800')).toBe(byCharacter('a\u{1F600}b\uD800'));
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.oneof(
            fc.constantFrom(...'?*\\$!`{}[]^~%@#ab /é'),
            fc.constantFrom('\u{1F600}', '\u{10FFFF}', '\u{20000}'),
            fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
          ),
        }),
        (text) => literalWeight(text) === byCharacter(text),
      ),
      { numRuns: 3000, seed: 25 },
    );
  });

  it('drops k and s only under Unicode case folding (the Kelvin sign and the long s fold to them)', () => {
    expect(/kill/iu.test('\u212Aill')).toBe(true);
    expect(requiredLiterals('kill', 'iu')).toEqual(['ill']);
    expect(requiredLiterals('kill', 'i')).toEqual(['kill']);
  });

  // Property: whenever a generated regex matches a generated string, the lowercased
  // string contains one of the extracted literals.
  const atom = fc.constantFrom(
    'a',
    'b',
    'K',
    's',
    'rm',
    ' ',
    '-',
    '/',
    '.',
    '\\d',
    '\\s',
    '[ab]',
    '[a-c]',
    '[^a]',
    '\\b',
    '^',
    '$',
    '\u00e9',
    '\u03a3',
    '(?=a)',
  );
  const regexSource: fc.Arbitrary<string> = fc.letrec<{ re: string; seq: string; el: string }>(
    (tie) => ({
      re: fc.array(tie('seq'), { minLength: 1, maxLength: 3 }).map((alts) => alts.join('|')),
      seq: fc.array(tie('el'), { minLength: 0, maxLength: 5 }).map((els) => els.join('')),
      el: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        atom,
        fc
          .tuple(tie('re'), fc.constantFrom('', '?', '*', '+', '{2}', '{1,3}', '??'))
          .map(([r, q]) => `(${r})${q}`),
        fc
          .tuple(atom, fc.constantFrom('?', '*', '+', '{2}'))
          .map(([a, q]) => (a === '^' || a === '$' || a === '\\b' || a === '(?=a)' ? a : a + q)),
      ),
    }),
  ).re;
  const text = fc
    .array(
      fc.constantFrom(
        'a',
        'A',
        'b',
        'B',
        'k',
        '\u212A',
        's',
        '\u017F',
        'S',
        'r',
        'm',
        'R',
        'M',
        ' ',
        '-',
        '/',
        '.',
        '1',
        'c',
        '\u00e9',
        '\u00c9',
        '\u03a3',
        '\u03c3',
        '\u03c2',
      ),
      { maxLength: 12 },
    )
    .map((chars) => chars.join(''));

  it('never misses: a match always contains a literal of every extracted disjunction', () => {
    fc.assert(
      fc.property(
        regexSource,
        fc.constantFrom('', 'i', 'u', 'iu', 'm', 's'),
        fc.array(text, { minLength: 1, maxLength: 20 }),
        (source, flags, texts) => {
          let regex: RegExp;
          try {
            regex = new RegExp(source, flags);
          } catch {
            return;
          }
          const parts = requiredLiteralParts(source, flags);
          expect(requiredLiterals(source, flags)).toEqual(parts[0]);
          for (const s of texts) {
            if (regex.test(s)) {
              const lower = s.toLowerCase();
              for (const literals of parts)
                expect([source, flags, s, literals.some((l) => lower.includes(l))]).toEqual([
                  source,
                  flags,
                  s,
                  true,
                ]);
            }
          }
        },
      ),
      { numRuns: 3000, seed: 8 },
    );
  });

  it('never misses a prefix: a match of an anchored pattern starts with one of them', () => {
    let known = 0;
    fc.assert(
      fc.property(
        regexSource,
        fc.constantFrom('', 'i', 'u', 'iu', 's'),
        fc.array(text, { minLength: 1, maxLength: 20 }),
        (body, flags, texts) => {
          // One top-level alternative, as anchoredPrefixes requires.
          const source = `^(?:${body})`;
          let regex: RegExp;
          try {
            regex = new RegExp(source, flags);
          } catch {
            return;
          }
          const prefixes = anchoredPrefixes(source, flags);
          if (prefixes === undefined) return;
          known += 1;
          for (const s of texts) {
            if (regex.test(s)) {
              const lower = s.toLowerCase();
              expect([source, flags, s, prefixes.some((p) => lower.startsWith(p))]).toEqual([
                source,
                flags,
                s,
                true,
              ]);
            }
          }
        },
      ),
      { numRuns: 3000, seed: 8 },
    );
    // Not vacuous: 86 of the 3,000 patterns have known prefixes (seed 8).
    expect(known).toBeGreaterThan(50);
  });
});

describe('anchoredPrefixes', () => {
  it.each([
    ['^\\.[A-Za-z0-9_-]', '', 38],
    ['^(--image=)?[0-9]{1,3}[.]', '', 20],
    ['^(sudo |nohup )?rm', '', 3],
    ['^a+b', '', 1],
  ] as const)('%s /%s → %i strings', (source, flags, count) => {
    expect(anchoredPrefixes(source, flags)).toHaveLength(count);
  });

  it('keeps the shortest of strings that start alike', () => {
    expect(anchoredPrefixes('^(ab|abc|x)y', '')?.sort()).toEqual(['aby', 'abcy', 'xy'].sort());
    expect(anchoredPrefixes('^(a|ab)', '')).toEqual(['a']);
  });

  it.each([
    ['a', ''],
    ['^a', 'm'],
    ['^a|^b', ''],
    ['^(a)?b*', ''],
    ['^.', ''],
    ['^[^a]b', ''],
  ] as const)('%s /%s → nothing', (source, flags) => {
    expect(anchoredPrefixes(source, flags)).toBeUndefined();
  });
});

describe('withParts', () => {
  /**
   * The definition the merge keeps to: how it was written before parts carried their
   * key and score (issue 25), on plain string lists, every candidate made minimal and
   * every part's key and score computed again at each merge.
   */
  function definition(parts: readonly string[][], more: readonly string[][]): string[][] {
    const all = [...parts];
    const keys = new Set(parts.map((p) => [...p].sort().join('\0')));
    for (const candidate of more) {
      if (candidate.length === 0 || candidate.includes('')) continue;
      const part = minimalDisjunction(candidate);
      const key = [...part].sort().join('\0');
      if (keys.has(key)) continue;
      keys.add(key);
      all.push(part);
    }
    if (all.length === parts.length) return parts as string[][];
    return all
      .map((part) => ({ part, score: disjunctionScore(part) }))
      .sort((x, y) => y.score - x.score)
      .slice(0, 4)
      .map(({ part }) => part);
  }

  it('merges as the definition does, over random merge sequences', () => {
    const candidate = fc.array(
      fc.constantFrom('', '/', '?', '-', 'a', 'ab', 'abc', 'b', 'rm', 'rm -', '$x', '/etc/', 'etc'),
      { maxLength: 5 },
    );
    fc.assert(
      fc.property(
        fc.array(fc.array(candidate, { maxLength: 3 }), { minLength: 1, maxLength: 8 }),
        (merges) => {
          let expected: string[][] = [];
          let actual: Parts = [];
          for (const more of merges) {
            expected = definition(expected, more);
            actual = withParts(actual, more.map(partOf));
            expect(actual.map((part) => part.strings)).toEqual(expected);
          }
        },
      ),
      { numRuns: 5000, seed: 25 },
    );
  });
});
