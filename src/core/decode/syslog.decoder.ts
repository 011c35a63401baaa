import { enter, fail, type DecodeContext, type FormatDecoder } from './context';
import type { EventFields } from './event-fields';
import { JsonFields, parseJsonObject, type JsonObject } from './json';
import { parseTimestamp, toIso } from './timestamp';

/**
 * `syslog`: a syslog line as rsyslog/syslog-ng forward it, whose message is
 * then decoded by the program's own format (snoopy, bash history, bastion,
 * auditd via audisp-syslog, or JSON), chosen by the tag and the message shape.
 *
 * Accepted envelopes:
 * - RFC 5424: `<PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG` (`-` for nil);
 * - RFC 3164 (BSD): `<PRI>Mmm dd hh:mm:ss HOST TAG[PID]: MSG`, the `<PRI>` optional
 *   (log files), the host optional (local sockets), a year or a fraction after
 *   the day allowed, or an RFC 3339 time instead (rsyslog's high-precision files);
 * - rsyslog's JSON templates: `timestamp`/`@timestamp`/`timereported`, `host`/
 *   `hostname`/`fromhost`, `programname`/`app-name`/`syslogtag`, `procid`,
 *   `msg`/`message`.
 *
 * The header's time and host fill gaps in the inner event (the inner record's
 * own values win). A time without a year takes the year closest to the
 * record's transport timestamp (December lines read in January stay in
 * December). A message that is not a known command format is UNKNOWN_FORMAT,
 * naming the program, so that it reaches the DLQ rather than vanishing.
 */
export const decodeSyslog: FormatDecoder = (text, ctx, json) => {
  const object = json ?? (text.startsWith('{') ? parseJsonObject(text, 'syslog') : undefined);
  const header = object ? fromRsyslogJson(object, ctx) : parseSyslogLine(text, ctx.referenceMs);
  if (header === undefined) {
    return fail('INVALID_FIELD', 'syslog: not an RFC 3164 or RFC 5424 line', { format: 'syslog' });
  }
  const envelope: EventFields = { 'host.name': header.host, '@timestamp': header.timestamp };
  const inner = enter(ctx, 'syslog', envelope, header.timestampMs);
  return ctx.nested(header.message, inner, header.program);
};

/** The parts of a syslog line that matter to us. */
export interface SyslogHeader {
  timestamp?: string;
  timestampMs?: number;
  host?: string;
  program?: string;
  pid?: string;
  message: string;
}

const PRI_RE = /^<(\d{1,3})>/;
const BSD_TIME_RE = /^([A-Z][a-z]{2} {1,2}\d{1,2}(?: \d{4})? \d{2}:\d{2}:\d{2}(?:\.\d{1,9})?) /;
const ISO_TIME_RE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})?) /;
const TAG_RE = /^([^\s[\]:]{1,128})(?:\[([^\]\s]{1,32})\])?: ?/;

/** True when the text starts like a syslog line (cheap enough for detection). */
export function looksLikeSyslog(text: string): boolean {
  return PRI_RE.test(text) || BSD_TIME_RE.test(text) || ISO_TIME_RE.test(text);
}

/** Parses an RFC 5424 or RFC 3164 line; undefined when it is neither. */
export function parseSyslogLine(text: string, referenceMs: number): SyslogHeader | undefined {
  let rest = text;
  const pri = PRI_RE.exec(rest);
  if (pri) {
    rest = rest.slice(pri[0].length);
    if (rest.startsWith('1 ')) return parse5424(rest.slice(2), referenceMs);
  }
  const time = BSD_TIME_RE.exec(rest) ?? ISO_TIME_RE.exec(rest);
  if (!time) return undefined;
  const header: SyslogHeader = { message: '', ...stamp(time[1] ?? '', referenceMs) };
  rest = rest.slice(time[0].length);
  let tag = TAG_RE.exec(rest);
  if (!tag) {
    const space = rest.indexOf(' ');
    const host = space < 0 ? rest : rest.slice(0, space);
    if (host !== '') header.host = host;
    rest = space < 0 ? '' : rest.slice(space + 1);
    tag = TAG_RE.exec(rest);
  }
  if (tag) {
    header.program = tag[1];
    header.pid = tag[2];
    rest = rest.slice(tag[0].length);
  }
  header.message = rest;
  return header;
}

function parse5424(text: string, referenceMs: number): SyslogHeader | undefined {
  const parts = /^(\S+) (\S+) (\S+) (\S+) (\S+) ?/.exec(text);
  if (!parts) return undefined;
  const [, time = '-', host = '-', app = '-', procid = '-'] = parts;
  let rest = text.slice(parts[0].length);
  const header: SyslogHeader = { message: '', ...(time === '-' ? {} : stamp(time, referenceMs)) };
  if (host !== '-') header.host = host;
  if (app !== '-') header.program = app;
  if (procid !== '-') header.pid = procid;
  if (rest.startsWith('-')) {
    rest = rest.slice(1);
  } else {
    while (rest.startsWith('[')) {
      const end = structuredDataEnd(rest);
      if (end < 0) return undefined;
      rest = rest.slice(end + 1);
    }
  }
  if (rest.startsWith(' ')) rest = rest.slice(1);
  if (rest.startsWith('\uFEFF')) rest = rest.slice(1);
  header.message = rest;
  return header;
}

/** Index of the `]` closing the SD element at 0, honouring `\"`, `\\` and `\]` escapes. */
function structuredDataEnd(text: string): number {
  let quoted = false;
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '"') quoted = !quoted;
    else if (c === ']' && !quoted) return i;
  }
  return -1;
}

function stamp(value: string, referenceMs: number): { timestamp: string; timestampMs: number } {
  const parsed = parseTimestamp(value, referenceMs);
  if (!parsed.ok) {
    return fail('INVALID_TIMESTAMP', `syslog: ${parsed.reason}`, {
      field: 'timestamp',
      format: 'syslog',
    });
  }
  return { timestamp: toIso(parsed.ms, value), timestampMs: parsed.ms };
}

function fromRsyslogJson(obj: JsonObject, ctx: DecodeContext): SyslogHeader {
  const r = new JsonFields(obj, 'syslog');
  const message = r.required(['msg', 'message', 'rawmsg']);
  const header: SyslogHeader = { message: message.startsWith(' ') ? message.slice(1) : message };
  const time = r.find(['timestamp', '@timestamp', 'timereported', 'timegenerated', 'time']);
  if (time !== undefined) {
    const parsed = parseTimestamp(time.value, ctx.referenceMs);
    if (!parsed.ok) {
      return fail('INVALID_TIMESTAMP', `syslog: field "${time.key}": ${parsed.reason}`, {
        field: time.key,
        format: 'syslog',
      });
    }
    header.timestamp = toIso(parsed.ms, time.value);
    header.timestampMs = parsed.ms;
  }
  header.host = r.string(['host', 'hostname', 'fromhost']);
  const program = r.string(['programname', 'app-name', 'appname', 'program']);
  const syslogtag = r.string(['syslogtag', 'tag']);
  const fromTag =
    syslogtag === undefined ? undefined : TAG_RE.exec(`${syslogtag.trim().replace(/:$/, '')}:`);
  header.program = program ?? fromTag?.[1];
  header.pid = r.string(['procid', 'pid']) ?? fromTag?.[2];
  return header;
}

/** True for an rsyslog JSON template record (checked after the JSON is parsed). */
export function isRsyslogJson(obj: JsonObject): boolean {
  return (
    (typeof obj.msg === 'string' || typeof obj.message === 'string') &&
    ('programname' in obj || 'app-name' in obj || 'syslogtag' in obj || 'appname' in obj)
  );
}
