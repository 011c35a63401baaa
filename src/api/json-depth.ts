/**
 * How deeply a JSON request body may nest objects and arrays. A rule needs a dozen
 * levels at most; 10,000 levels overflowed the stack of the recursive walks after
 * the parser (schema validation, merge patch, serialization) and answered 500 (issue 20).
 */
export const MAX_JSON_DEPTH = 64;

const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Whether the JSON text in `bytes` (UTF-8) nests objects and arrays deeper than
 * `limit`. One pass without recursion over the raw bytes, before anything parses
 * them; brackets inside strings do not count. Malformed JSON is left to the parser.
 */
export function nestsDeeperThan(bytes: Uint8Array, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      depth++;
      if (depth > limit) return true;
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) depth--;
  }
  return false;
}

/**
 * The body parser's `verify` hook: refuses a body nested deeper than
 * {@link MAX_JSON_DEPTH} with a 400 the exception filter shows as it is (an
 * `http-errors`-shaped error: `status` and `expose`).
 */
export function refuseDeepJson(_req: unknown, _res: unknown, body: Buffer, encoding: string): void {
  const bytes = /^utf-?8$/i.test(encoding)
    ? body
    : Buffer.from(body.toString(toBufferEncoding(encoding)));
  if (!nestsDeeperThan(bytes, MAX_JSON_DEPTH)) return;
  throw Object.assign(
    new Error(`JSON body nested deeper than ${MAX_JSON_DEPTH} levels (objects and arrays)`),
    { status: 400, statusCode: 400, expose: true, type: 'entity.too.deep' },
  );
}

function toBufferEncoding(encoding: string): BufferEncoding {
  return /^utf-?16(le)?$/i.test(encoding) ? 'utf16le' : 'utf8';
}
