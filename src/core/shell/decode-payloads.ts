/**
 * Finds base64 and hex payloads in a command line and returns those that decode to
 * printable text (`echo cm0gLXJmIC8= | base64 -d | sh` → `rm -rf /`), so rules can
 * look inside the commonest way of hiding a command. Bounded: the first
 * {@link MAX_INPUT} characters are searched, at most {@link MAX_PAYLOADS} results of at
 * most {@link MAX_DECODED} characters each. Base64 and hex runs are found in one pass
 * each; the one regex (`\xHH` runs) is linear (no nested quantifiers) and was checked
 * with recheck.
 */

/** Characters of the command line searched for payloads. */
export const MAX_INPUT = 64 * 1024;
/** Payloads returned at most. */
export const MAX_PAYLOADS = 16;
/** Characters kept of each decoded payload. */
export const MAX_DECODED = 4096;

const ESCAPED_HEX = /(?:\\x[0-9a-fA-F]{2}){4,}/g;

/** Whether a decoded code unit may appear in a payload kept by {@link isPrintable}. */
function isPrintableCode(code: number): boolean {
  return (code >= 0x20 && code < 0x7f) || code === 0x09 || code === 0x0a || code === 0x0d;
}

function isPrintable(text: string, minLength = 4): boolean {
  if (text.length < minLength) return false;
  for (let i = 0; i < text.length; i++) {
    if (!isPrintableCode(text.charCodeAt(i))) return false;
  }
  return true;
}

/** A table of the ASCII code units in `chars`. */
function charTable(chars: string): Uint8Array {
  const table = new Uint8Array(128);
  for (let i = 0; i < chars.length; i++) table[chars.charCodeAt(i)] = 1;
  return table;
}

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_CHARS = charTable(BASE64_ALPHABET);
const HEX_CHARS = charTable('0123456789abcdefABCDEF');
/** Code units any of the three patterns is made of: base64, hex digits, and `\x`. */
const PAYLOAD_CHARS = charTable(`${BASE64_ALPHABET}\\`);
/** The shortest match of any pattern (16 base64 or hex digits, 4 × `\xHH`), `=` padding aside. */
const MIN_RUN = 16;

/**
 * Calls `visit(start, end)` for every maximal run of `table`'s code units at least
 * MIN_RUN long, in order. These are the matches of `/[A-Za-z0-9+/]{16,}={0,2}/g` and
 * `/(?:[0-9a-fA-F]{2}){8,}/g`, up to the padding and evenness the caller applies: a
 * `{16,}` pattern over one character class, tried from left to right, first matches
 * where a long enough run starts and takes all of it. One pass instead of a regex that
 * restarts at every position of every shorter run.
 */
function forEachRun(
  text: string,
  table: Uint8Array,
  visit: (start: number, end: number) => void,
): void {
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    const code = i < text.length ? text.charCodeAt(i) : 128;
    if (code < 128 && table[code] === 1) continue;
    if (i - start >= MIN_RUN) visit(start, i);
    start = i + 1;
  }
}

/** Whether `text` has MIN_RUN payload characters in a row: no pattern can match otherwise. */
function hasPayloadRun(text: string): boolean {
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 128 && PAYLOAD_CHARS[code] === 1) {
      if (++run >= MIN_RUN) return true;
    } else run = 0;
  }
  return false;
}

/** The 6-bit value of each base64 alphabet character. */
const BASE64_VALUE: Uint8Array = (() => {
  const table = new Uint8Array(128);
  for (let i = 0; i < BASE64_ALPHABET.length; i++) table[BASE64_ALPHABET.charCodeAt(i)] = i;
  return table;
})();

/**
 * Whether the first three bytes that `text` decodes to from base64 character `at` on
 * (four or more of them) are printable. When they are not, the whole decoding is not,
 * and decoding the rest is wasted: paths such as `/var/log/nginx/access` are runs of
 * base64 characters, and most lines that have such a run have nothing else.
 */
function base64HeadPrintable(text: string, at: number): boolean {
  const bits =
    (BASE64_VALUE[text.charCodeAt(at)]! << 18) |
    (BASE64_VALUE[text.charCodeAt(at + 1)]! << 12) |
    (BASE64_VALUE[text.charCodeAt(at + 2)]! << 6) |
    BASE64_VALUE[text.charCodeAt(at + 3)]!;
  return (
    isPrintableCode(bits >>> 16) &&
    isPrintableCode((bits >>> 8) & 0xff) &&
    isPrintableCode(bits & 0xff)
  );
}

/** Whether the byte written by the two hex digits at `at` is printable (see base64HeadPrintable). */
function hexHeadPrintable(text: string, at: number): boolean {
  return isPrintableCode(Number.parseInt(text.slice(at, at + 2), 16));
}

/**
 * Decoded printable payloads found in `line`, deduplicated: those of `\xHH` runs, then
 * of hex runs, then of base64 runs, each kind in order of appearance.
 */
export function decodePayloads(line: string): string[] {
  const text = line.length > MAX_INPUT ? line.slice(0, MAX_INPUT) : line;
  // Most command lines have no such run; this skips the scans for them.
  if (!hasPayloadRun(text)) return [];
  const found = new Set<string>();
  const add = (decoded: string): void => {
    if (found.size < MAX_PAYLOADS && isPrintable(decoded)) found.add(decoded.slice(0, MAX_DECODED));
  };
  if (text.includes('\\x')) {
    for (const match of text.matchAll(ESCAPED_HEX)) {
      if (hexHeadPrintable(match[0], 2))
        add(Buffer.from(match[0].replace(/\\x/g, ''), 'hex').toString('latin1'));
    }
  }
  forEachRun(text, HEX_CHARS, (start, end) => {
    // HEX matches whole bytes: an odd run drops its last digit.
    if (hexHeadPrintable(text, start))
      add(Buffer.from(text.slice(start, end - ((end - start) % 2)), 'hex').toString('latin1'));
  });
  forEachRun(text, BASE64_CHARS, (start, end) => {
    // The base64 alphabet also covers hex and many paths; only printable decodings survive.
    if (!base64HeadPrintable(text, start)) return;
    let padded = end;
    while (padded < text.length && padded - end < 2 && text.charCodeAt(padded) === 0x3d) padded++;
    const body = text.slice(start, Math.min(padded, start + (MAX_DECODED * 4) / 3 + 4));
    add(Buffer.from(body, 'base64').toString('latin1'));
  });
  return [...found];
}

const WHOLE_BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const WHOLE_HEX = /^(?:[0-9a-fA-F]{2})+$/;

/**
 * `text` (whitespace ignored) decoded as one base64 or hex payload, when it is all of
 * that alphabet and decodes to printable text; for input a decoder reads whole
 * (`echo aWQ= | base64 -d`), where payloads shorter than the search's 16 characters
 * count too. Undefined otherwise. At most MAX_DECODED characters are kept.
 */
export function decodeWhole(text: string, encoding: 'base64' | 'hex'): string | undefined {
  if (text.length > MAX_INPUT) return undefined;
  const compact = text.replace(/\s+/g, '');
  if (!(encoding === 'hex' ? WHOLE_HEX : WHOLE_BASE64).test(compact)) return undefined;
  const decoded = Buffer.from(compact, encoding).toString('latin1');
  return isPrintable(decoded, 1) ? decoded.slice(0, MAX_DECODED) : undefined;
}
