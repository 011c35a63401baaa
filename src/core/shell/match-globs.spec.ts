import { describe, expect, it } from 'vitest';
import { escapePattern } from './expand-braces';
import {
  hasGlobChars,
  matchWellKnownPaths,
  MAX_GLOB_MATCHES,
  MAX_GLOB_PATTERN,
} from './match-globs';
import { WELL_KNOWN_PATHS } from './well-known-paths';

describe('matchWellKnownPaths', () => {
  it.each([
    ['/etc/shado[w]', ['/etc/shadow']],
    ['/e?c/sh*ow', ['/etc/shadow']],
    ['/etc/[p]asswd', ['/etc/passwd']],
    ['/etc/[!s]hadow', []],
    ['/???/c?t', ['/bin/cat']],
    [
      '/root/.ssh/id_*',
      ['/root/.ssh/id_dsa', '/root/.ssh/id_ecdsa', '/root/.ssh/id_ed25519', '/root/.ssh/id_rsa'],
    ],
    // bash's defaults: `*` matches no leading dot, and `**` is `*`.
    ['/root/*history', []],
    ['/**/shadow', ['/etc/shadow']],
    ['etc/shado?', []],
    ['/srv/*.log', []],
  ])('%s → %j', (pattern, paths) => {
    expect(matchWellKnownPaths(pattern)).toEqual(paths);
  });

  it('takes escaped glob characters literally', () => {
    expect(hasGlobChars(escapePattern('/etc/shado?'))).toBe(false);
    expect(matchWellKnownPaths(`${escapePattern('/etc/sh[')}*`)).toEqual([]);
  });

  it('matches nothing for patterns past its length or star bounds', () => {
    expect(matchWellKnownPaths('/e*c/s*a*o*')).toEqual(['/etc/shadow', '/etc/shadow-']);
    expect(matchWellKnownPaths('/e*c/s*a*o*w*')).toEqual([]);
    expect(matchWellKnownPaths(`/etc/shado?${'/..'.repeat(MAX_GLOB_PATTERN)}`)).toEqual([]);
  });

  it('is bounded and never throws on odd patterns', () => {
    expect(matchWellKnownPaths('/usr/bin/*')).toHaveLength(MAX_GLOB_MATCHES);
    for (const pattern of ['/[', '/[]', '/[z-a]', '/*(', '/\\', '/?'.repeat(5000)])
      expect(() => matchWellKnownPaths(pattern)).not.toThrow();
  });

  it('lists absolute literal paths only', () => {
    for (const path of WELL_KNOWN_PATHS) {
      expect(path.startsWith('/')).toBe(true);
      expect(hasGlobChars(path)).toBe(false);
    }
  });
});
