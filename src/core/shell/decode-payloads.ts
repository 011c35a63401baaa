/**
 * Finds base64 and hex payloads in a command line and returns those that decode to
 * printable text (`echo cm0gLXJmIC8= | base64 -d | sh` → `rm -rf /`), so rules can
 * look inside the commonest way of hiding a command. Bounded: the first
 * {@link MAX_INPUT} characters are searched, at most {@link MAX_PAYLOADS} results of at
 * most {@link MAX_DECODED} characters each. The patterns are linear (no nested
 * quantifiers) and were checked with recheck.
 */

/** Characters of the command line searched for payloads. */
export const MAX_INPUT = 64 * 1024;
/** Payloads returned at most. */
export const MAX_PAYLOADS = 16;
/** Characters kept of each decoded payload. */
export const MAX_DECODED = 4096;

const BASE64 = /[A-Za-z0-9+/]{16,}={0,2}/g;
const HEX = /(?:[0-9a-fA-F]{2}){8,}/g;
const ESCAPED_HEX = /(?:\\x[0-9a-fA-F]{2}){4,}/g;

function isPrintable(text: string): boolean {
  if (text.length < 4) return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const ok = (code >= 0x20 && code < 0x7f) || code === 0x09 || code === 0x0a || code === 0x0d;
    if (!ok) return false;
  }
  return true;
}

/** Code units any of the three patterns is made of: base64, hex digits, and `\x`. */
const PAYLOAD_CHARS: Uint8Array = (() => {
  const table = new Uint8Array(128);
  for (const ch of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/\\')
    table[ch.charCodeAt(0)] = 1;
  return table;
})();
/** The shortest match of any pattern (16 base64 or hex digits, 4 × `\xHH`), `=` padding aside. */
const MIN_RUN = 16;

/** Whether `text` has MIN_RUN payload characters in a row: the regexes cannot match otherwise. */
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

/** Decoded printable payloads found in `line`, in order of appearance, deduplicated. */
export function decodePayloads(line: string): string[] {
  const text = line.length > MAX_INPUT ? line.slice(0, MAX_INPUT) : line;
  // Most command lines have no such run; this skips three regex scans for them.
  if (!hasPayloadRun(text)) return [];
  const found = new Set<string>();
  const add = (decoded: string): void => {
    if (found.size < MAX_PAYLOADS && isPrintable(decoded)) found.add(decoded.slice(0, MAX_DECODED));
  };
  for (const match of text.matchAll(ESCAPED_HEX)) {
    add(Buffer.from(match[0].replace(/\\x/g, ''), 'hex').toString('latin1'));
  }
  for (const match of text.matchAll(HEX)) {
    add(Buffer.from(match[0], 'hex').toString('latin1'));
  }
  for (const match of text.matchAll(BASE64)) {
    // base64 alphabet also covers hex and many paths; only printable decodings survive.
    const body = match[0];
    add(Buffer.from(body.slice(0, (MAX_DECODED * 4) / 3 + 4), 'base64').toString('latin1'));
  }
  return [...found];
}
