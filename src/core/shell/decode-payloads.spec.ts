import { describe, expect, it } from 'vitest';
import { decodeAnsiC } from './decode-ansi-c';
import fc from 'fast-check';
import { decodePayloads, MAX_DECODED, MAX_INPUT, MAX_PAYLOADS } from './decode-payloads';

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

/**
 * decodePayloads' definition, written the obvious way: every match of each pattern,
 * decoded whole, kept when printable. The implementation finds runs in one pass and
 * skips decodings whose first bytes are not printable; it must give the same answer.
 */
function byDefinition(line: string): string[] {
  const text = line.slice(0, MAX_INPUT);
  const found = new Set<string>();
  const keep = (bytes: Buffer): void => {
    const decoded = bytes.toString('latin1');
    if (found.size < MAX_PAYLOADS && /^[\x20-\x7e\t\n\r]{4,}$/.test(decoded))
      found.add(decoded.slice(0, MAX_DECODED));
  };
  for (const [m] of text.matchAll(/(?:\\x[0-9a-fA-F]{2}){4,}/g))
    keep(Buffer.from(m.split('\\x').join(''), 'hex'));
  for (const [m] of text.matchAll(/(?:[0-9a-fA-F]{2}){8,}/g)) keep(Buffer.from(m, 'hex'));
  for (const [m] of text.matchAll(/[A-Za-z0-9+/]{16,}={0,2}/g))
    keep(Buffer.from(m.slice(0, (MAX_DECODED * 4) / 3 + 4), 'base64'));
  return [...found];
}

describe('decodePayloads against its definition', () => {
  const piece = fc.oneof(
    fc.constantFrom(' ', '/', '=', '==', '-', '|', '\\x', 'echo ', ' | base64 -d | sh'),
    fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength: 1, maxLength: 40 }),
    fc.string({ unit: fc.constantFrom(...'ab/+Zz09=\\x'), minLength: 1, maxLength: 30 }),
    fc.string({ minLength: 1, maxLength: 12 }).map((t) => Buffer.from(t).toString('base64')),
    fc.string({ minLength: 1, maxLength: 12 }).map((t) => Buffer.from(t).toString('hex')),
    fc.uint8Array({ minLength: 3, maxLength: 24 }).map((b) => Buffer.from(b).toString('base64')),
    fc
      .string({ minLength: 4, maxLength: 8 })
      .map((t) => [...Buffer.from(t)].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('')),
  );

  it('gives what every pattern match decodes to, in the same order', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const line = pieces.join('');
        expect(decodePayloads(line)).toEqual(byDefinition(line));
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees on paths, odd-length hex and padding', () => {
    for (const line of [
      'tail -f /var/log/nginx/access.log',
      'echo 726d202d7266202f746d703 | xxd -r -p',
      'echo cm0gLXJmIC8gLS1uby1wcmVzZXJ2ZS1yb290=== | base64 -d',
      'echo cm0gLXJmIC8gLS1uby1w=cmVzZXJ2ZS1yb290Cg== x',
    ])
      expect(decodePayloads(line)).toEqual(byDefinition(line));
    expect(decodePayloads('echo 726d202d7266202f746d703 | xxd -r -p')).toEqual(['rm -rf /tmp']);
  });
});
