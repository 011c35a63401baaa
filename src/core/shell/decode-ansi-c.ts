import { ownEntry } from '../own-entry';
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  e: '\x1b',
  E: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '?': '?',
};

const HEX = /^[0-9a-fA-F]$/;
const OCTAL = /^[0-7]$/;

/**
 * Decodes the body of a bash `$'...'` string (`\x72\x6d` → `rm`), because attackers
 * spell program names that way to slip past naive pattern matching.
 * Unknown escapes are kept as written, like bash does.
 */
export function decodeAnsiC(body: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] ?? '';
    if (ch !== '\\' || i + 1 >= body.length) {
      out += ch;
      continue;
    }
    const next = body[i + 1] ?? '';
    const simple = ownEntry(SIMPLE_ESCAPES, next);
    if (simple !== undefined) {
      out += simple;
      i += 1;
    } else if (next === 'x' || next === 'u' || next === 'U') {
      const max = next === 'x' ? 2 : next === 'u' ? 4 : 8;
      let digits = '';
      while (digits.length < max && HEX.test(body[i + 2 + digits.length] ?? '')) {
        digits += body[i + 2 + digits.length];
      }
      if (digits === '') {
        out += '\\' + next;
      } else {
        const code = Number.parseInt(digits, 16);
        out += code <= 0x10ffff ? String.fromCodePoint(code) : '';
      }
      i += 1 + digits.length;
    } else if (OCTAL.test(next)) {
      let digits = '';
      while (digits.length < 3 && OCTAL.test(body[i + 1 + digits.length] ?? '')) {
        digits += body[i + 1 + digits.length];
      }
      out += String.fromCharCode(Number.parseInt(digits, 8) & 0xff);
      i += digits.length;
    } else if (next === 'c' && i + 2 < body.length) {
      out += String.fromCharCode((body.charCodeAt(i + 2) ?? 0) & 0x1f);
      i += 2;
    } else {
      out += '\\' + next;
      i += 1;
    }
  }
  return out;
}
