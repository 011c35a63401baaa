import ipaddr from 'ipaddr.js';
import { fail, one, type DecodeContext, type FormatDecoder } from './context';
import type { EventFields } from './event-fields';
import { labelKey, toInteger } from './json';
import { parseTimestamp, toIso } from './timestamp';

/**
 * `snoopy`: the message snoopy logs for every execve(),
 * `[uid:0 sid:1234 tty:/dev/pts/0 cwd:/root filename:/usr/bin/rm]: rm -rf /tmp/x`.
 *
 * The header is operator-configurable (`message_format` in snoopy.ini), so it
 * is read as `key:value` pairs, a new pair starting at a space followed by
 * `word:`. Known keys: `uid`, `username`, `login`, `sid`, `tty`, `cwd`,
 * `filename`, `pid`, `ppid`, `hostname`, `datetime`/`timestamp`, `euid`,
 * `eusername`. `login` is the person who logged in and becomes `user.name`;
 * when it differs from `username` (after sudo), `username`/`uid` become
 * `user.effective.*`. Every other key is kept in `labels` under its own name.
 * `(none)`/`(unknown)` values (no tty, no login) are left out. `ssh` (an
 * operator's `ssh:%{env:SSH_CONNECTION}`, "client port server port", with or without
 * parentheses) gives its client address to `source.ip`, where exceptions and `cidr`
 * conditions look; a value that does not start with an address stays in `labels.ssh`.
 */
export const decodeSnoopy: FormatDecoder = (text, ctx) => {
  const parsed = parseSnoopyLine(text);
  if (parsed === undefined) {
    return fail('INVALID_FIELD', 'snoopy: expected "[key:value ...]: command"', {
      format: 'snoopy',
    });
  }
  return one(snoopyFields(parsed.pairs, parsed.command, ctx), 'snoopy', ctx);
};

/** True when the text starts like a snoopy message (cheap enough for detection). */
export function looksLikeSnoopy(text: string): boolean {
  return /^\[[a-z_]+:/.test(text) && text.includes(']: ');
}

interface SnoopyLine {
  pairs: Map<string, string>;
  command: string;
}

/** Splits a snoopy message into its header pairs and the command. */
export function parseSnoopyLine(text: string): SnoopyLine | undefined {
  if (!text.startsWith('[')) return undefined;
  const end = text.indexOf(']: ');
  if (end < 0) return undefined;
  const pairs = new Map<string, string>();
  for (const part of text.slice(1, end).split(/ (?=[a-z_]+:)/)) {
    const colon = part.indexOf(':');
    if (colon <= 0) return undefined;
    pairs.set(part.slice(0, colon), part.slice(colon + 1));
  }
  return { pairs, command: text.slice(end + 3) };
}

const ABSENT = new Set(['', '(none)', '(unknown)', '?']);

function snoopyFields(
  pairs: Map<string, string>,
  command: string,
  ctx: DecodeContext,
): EventFields {
  const take = (key: string): string | undefined => {
    const value = pairs.get(key);
    pairs.delete(key);
    return value === undefined || ABSENT.has(value) ? undefined : value;
  };
  const integer = (key: string): number | undefined => {
    const value = take(key);
    if (value === undefined) return undefined;
    return (
      toInteger(value) ??
      fail('INVALID_FIELD', `snoopy: "${key}" is not an integer`, { field: key, format: 'snoopy' })
    );
  };
  const login = take('login');
  const username = take('username');
  const uid = take('uid');
  const afterSwitch = login !== undefined && username !== undefined && login !== username;
  const fields: EventFields = {
    'process.command_line': command,
    'user.name': login ?? username,
    'user.id': afterSwitch ? undefined : uid,
    'user.effective.name': afterSwitch ? username : take('eusername'),
    'user.effective.id': afterSwitch ? uid : take('euid'),
    'session.id': take('sid'),
    tty: take('tty'),
    'process.working_directory': take('cwd'),
    'process.executable': take('filename'),
    'process.pid': integer('pid'),
    'process.parent.pid': integer('ppid'),
    'host.name': take('hostname'),
    'source.ip': sshClientAddress(pairs),
  };
  const time = take('datetime') ?? take('timestamp');
  if (time !== undefined) {
    const parsed = parseTimestamp(time, ctx.referenceMs);
    if (!parsed.ok)
      fail('INVALID_TIMESTAMP', `snoopy: ${parsed.reason}`, {
        field: 'datetime',
        format: 'snoopy',
      });
    fields['@timestamp'] = toIso(parsed.ms, time);
  }
  const labels: Record<string, string> = {};
  for (const [key, value] of pairs) labels[labelKey(key)] = value;
  fields.labels = labels;
  return fields;
}

/** The client address of an `ssh` pair (SSH_CONNECTION's first word), taken out of `pairs`. */
function sshClientAddress(pairs: Map<string, string>): string | undefined {
  const value = pairs.get('ssh');
  if (value === undefined) return undefined;
  const first = value.replace(/^\(/, '').trim().split(/\s+/)[0] ?? '';
  if (!ipaddr.isValid(first)) return undefined;
  pairs.delete('ssh');
  return first;
}
