import { ownEntry } from '../own-entry';
/**
 * Parsing of one Linux audit record line, as auditd writes it to
 * /var/log/audit/audit.log (RAW or ENRICHED), as audisp-syslog forwards it, or
 * as the kernel prints it (`audit: type=1300 audit(…): …`).
 *
 * `node=web01 type=EXECVE msg=audit(1732550000.123:4567): argc=3 a0="rm" a1=2D7266`
 * becomes `{ node, type: 'EXECVE', eventKey: 'web01/1732550000.123:4567', timeMs,
 * fields }`. In the ENRICHED format, interpreted values follow a 0x1D separator
 * in upper case (`AUID="alice" UID="root"`); they are kept apart in `enriched`.
 */

/** One field as written: quoted values are literal, unquoted ones may be hex-encoded. */
export interface AuditValue {
  value: string;
  quoted: boolean;
}

/** One parsed audit record. */
export interface AuditRecord {
  node?: string;
  type: string;
  /** Node and event id (`seconds.millis:serial`): records of one event share it. */
  eventKey: string;
  timeMs: number;
  fields: Map<string, AuditValue>;
  enriched: Map<string, string>;
}

/** Kernel record type numbers, for lines printed by the kernel rather than auditd. */
const NUMERIC_TYPES: Readonly<Record<string, string>> = {
  '1123': 'USER_CMD',
  '1300': 'SYSCALL',
  '1302': 'PATH',
  '1307': 'CWD',
  '1309': 'EXECVE',
  '1320': 'EOE',
  '1327': 'PROCTITLE',
};

const HEADER_RE =
  /^(?:audit: )?(?:node=(\S+) )?type=(\S+) (?:msg=)?audit\((\d{1,12})\.(\d{1,6}):(\d{1,20})\):?/;

/** True when the text starts like an audit record (cheap enough for detection). */
export function looksLikeAuditd(text: string): boolean {
  return text.startsWith('type=') || text.startsWith('node=') || text.startsWith('audit: type=');
}

/** Parses one record line; undefined when the line has no audit header. */
export function parseAuditRecord(line: string): AuditRecord | undefined {
  const header = HEADER_RE.exec(line);
  if (!header) return undefined;
  const [, node, rawType = '', seconds = '0', millis = '0', serial = ''] = header;
  const separator = line.indexOf('\x1d');
  const body = line.slice(header[0].length, separator < 0 ? undefined : separator);
  const enriched = new Map<string, string>();
  if (separator >= 0) {
    for (const [key, v] of parseAuditFields(line.slice(separator + 1))) enriched.set(key, v.value);
  }
  return {
    node,
    type: ownEntry(NUMERIC_TYPES, rawType) ?? rawType,
    eventKey: `${node ?? ''}/${seconds}.${millis}:${serial}`,
    timeMs: Number(seconds) * 1000 + Number(millis.padEnd(3, '0').slice(0, 3)),
    fields: parseAuditFields(body),
    enriched,
  };
}

/**
 * Splits `k=v k="v w" msg='k=v …'` into fields; later duplicates win. A hand
 * scanner rather than a global regex: the regex is quadratic on a long run of
 * key characters (recheck says so), and records may be 1 MiB.
 */
export function parseAuditFields(text: string): Map<string, AuditValue> {
  const fields = new Map<string, AuditValue>();
  const n = text.length;
  let i = 0;
  while (i < n) {
    while (i < n && text.charCodeAt(i) === 0x20) i++;
    const keyStart = i;
    while (i < n && text.charCodeAt(i) !== 0x3d /* = */ && text.charCodeAt(i) !== 0x20) i++;
    if (i >= n || text.charCodeAt(i) !== 0x3d || i === keyStart) {
      while (i < n && text.charCodeAt(i) !== 0x20) i++;
      continue;
    }
    const key = text.slice(keyStart, i);
    i++;
    const quote = text[i];
    if (quote === '"' || quote === "'") {
      const end = text.indexOf(quote, i + 1);
      const stop = end < 0 ? n : end;
      fields.set(key, { value: text.slice(i + 1, stop), quoted: true });
      i = stop + 1;
    } else {
      const end = text.indexOf(' ', i);
      const stop = end < 0 ? n : end;
      fields.set(key, { value: text.slice(i, stop), quoted: false });
      i = stop;
    }
  }
  return fields;
}

const HEX_RE = /^(?:[0-9A-Fa-f]{2})+$/;
const utf8 = new TextDecoder('utf-8');

/**
 * The text of an "encoded" field (arguments, paths, cwd, proctitle, cmd):
 * quoted values are literal; unquoted ones are hex of the raw bytes (auditd
 * hex-encodes values with spaces, quotes or control characters). `(null)` is
 * absent. Invalid UTF-8 in arguments becomes U+FFFD: an argument is bytes, and
 * dropping the whole event for one odd byte would hide the command.
 */
export function decodeAuditText(v: AuditValue | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (v.quoted) return v.value;
  if (v.value === '(null)' || v.value === '') return undefined;
  if (!HEX_RE.test(v.value)) return v.value;
  const bytes = new Uint8Array(v.value.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(v.value.slice(i * 2, i * 2 + 2), 16);
  return utf8.decode(bytes);
}

/** True when the whole line has an audit header (used to vet a multi-line record before buffering any of it). */
export function isAuditLine(line: string): boolean {
  return HEADER_RE.test(line);
}
