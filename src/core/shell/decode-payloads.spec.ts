import { describe, expect, it } from 'vitest';
import { decodeAnsiC } from './decode-ansi-c';
import { decodePayloads } from './decode-payloads';

describe('decodePayloads', () => {
  it('decodes printable base64, hex and \\x payloads', () => {
    expect(decodePayloads('echo cm0gLXJmIC8gLS1uby1wcmVzZXJ2ZS1yb290 | base64 -d | sh')).toEqual([
      'rm -rf / --no-preserve-root',
    ]);
    expect(decodePayloads('echo 726d202d7266202f746d70 | xxd -r -p')).toContain('rm -rf /tmp');
    expect(decodePayloads("printf '\\x72\\x6d\\x20\\x2d\\x72\\x66'")).toContain('rm -rf');
  });

  it('ignores text that does not decode to printable text', () => {
    expect(decodePayloads('ls /usr/local/lib/python3/site-packages')).toEqual([]);
    expect(decodePayloads('')).toEqual([]);
  });

  it('is bounded', () => {
    const many = Array.from({ length: 100 }, (_, i) =>
      Buffer.from(`payload number ${i}`).toString('base64'),
    ).join(' ');
    expect(decodePayloads(many).length).toBeLessThanOrEqual(16);
  });
});

describe('decodeAnsiC', () => {
  it('decodes hex, octal, unicode and simple escapes, keeps unknown ones', () => {
    expect(decodeAnsiC('\\x72\\155\\u0020\\t\\q')).toBe('rm \t\\q');
  });
});
