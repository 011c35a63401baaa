import type { EventFields } from './event-fields';
import {
  decodeAuditText,
  parseAuditFields,
  type AuditRecord,
  type AuditValue,
} from './auditd-record';
import { quoteArgs } from './quote-args';
import { toIso } from './timestamp';

/**
 * Turns the records of one audit event into command fields, or undefined when
 * the event is not a command (an open(), a login, …).
 *
 * - EXECVE gives the arguments: `aN` (quoted or hex), or `aN_len` + `aN[i]`
 *   chunks for long ones, reassembled in order. Fewer arguments than `argc`
 *   (lost records, an event cut by the time-out) sets `labels.incomplete`.
 * - Without EXECVE, an execve SYSCALL's PROCTITLE (hex, NUL-separated, cut at
 *   128 bytes by the kernel) gives the command line, with `labels.incomplete`.
 * - SYSCALL: `auid` is the login user (`user.id`; ENRICHED `AUID` → `user.name`),
 *   `euid`/`uid` the effective account (`user.effective.id`, ENRICHED
 *   `EUID`/`UID` → `user.effective.name`), `ses` → `session.id`, `tty`, `pid`,
 *   `ppid`, `exe` → `process.executable` (else PATH item 0). The unset id
 *   4294967295 is left out. `key` → `labels.audit_key`, `success` →
 *   `labels.syscall_success`. The syscall's `exit` is not the command's exit
 *   code and is not mapped to `process.exit_code`.
 * - CWD → `process.working_directory`; `node=` → `host.name`.
 * - USER_CMD (sudo's own record): `cmd` and `cwd` from its `msg='…'`, with
 *   `labels.audit_type="USER_CMD"`.
 */
export function auditEventFields(records: readonly AuditRecord[]): EventFields | undefined {
  const first = records[0];
  if (first === undefined) return undefined;
  const byType = (type: string): AuditRecord | undefined => records.find((r) => r.type === type);
  const userCmd = byType('USER_CMD');
  if (userCmd) return userCmdFields(userCmd);
  const syscall = byType('SYSCALL');
  const execve = byType('EXECVE');
  const labels: Record<string, string> = {
    audit_id: first.eventKey.slice(first.eventKey.indexOf('/') + 1),
  };
  let args: string[] | undefined;
  if (execve) {
    const result = execveArgs(execve.fields);
    args = result.args;
    if (result.incomplete) labels.incomplete = 'true';
  } else {
    const title = decodeAuditText(byType('PROCTITLE')?.fields.get('proctitle'));
    if (title === undefined || syscall === undefined || !isExecSyscall(syscall)) return undefined;
    args = title.split('\0').filter((a) => a !== '');
    labels.incomplete = 'true';
  }
  if (args.length === 0) return undefined;
  const fields: EventFields = {
    '@timestamp': toIso(first.timeMs),
    'host.name': first.node,
    'process.command_line': quoteArgs(args),
    'process.args': args,
    'process.working_directory': decodeAuditText(byType('CWD')?.fields.get('cwd')),
    'process.executable': pathItemZero(records),
    labels,
  };
  if (syscall) Object.assign(fields, syscallFields(syscall, labels, fields['process.executable']));
  return fields;
}

const UNSET = new Set(['4294967295', '-1', 'unset', '(none)', '?']);

function syscallFields(
  r: AuditRecord,
  labels: Record<string, string>,
  pathExe: string | undefined,
): EventFields {
  const plain = (key: string): string | undefined => {
    const v = r.fields.get(key)?.value;
    return v === undefined || UNSET.has(v) ? undefined : v;
  };
  const named = (key: string): string | undefined => {
    const v = r.enriched.get(key);
    return v === undefined || UNSET.has(v) ? undefined : v;
  };
  const auditKey = decodeAuditText(r.fields.get('key'));
  if (auditKey !== undefined) labels.audit_key = auditKey;
  const success = plain('success');
  if (success !== undefined) labels.syscall_success = success;
  const euid = plain('euid') ?? plain('uid');
  return {
    'user.id': plain('auid'),
    'user.name': named('AUID'),
    'user.effective.id': euid,
    'user.effective.name': named('EUID') ?? named('UID'),
    'session.id': plain('ses'),
    tty: plain('tty'),
    'process.pid': integer(plain('pid')),
    'process.parent.pid': integer(plain('ppid')),
    'process.executable': decodeAuditText(r.fields.get('exe')) ?? pathExe,
  };
}

/** execve and execveat on x86_64, i386 and aarch64, or the ENRICHED name. */
export function isExecSyscall(r: AuditRecord): boolean {
  const name = r.enriched.get('SYSCALL');
  if (name !== undefined) return name === 'execve' || name === 'execveat';
  const arch = r.fields.get('arch')?.value;
  const nr = r.fields.get('syscall')?.value;
  if (arch === 'c000003e') return nr === '59' || nr === '322';
  if (arch === 'c00000b7') return nr === '221' || nr === '281';
  if (arch === '40000003') return nr === '11' || nr === '358';
  return false;
}

function execveArgs(fields: Map<string, AuditValue>): { args: string[]; incomplete: boolean } {
  const argc = integer(fields.get('argc')?.value);
  const args: string[] = [];
  let incomplete = false;
  for (let i = 0; argc === undefined || i < argc; i++) {
    const whole = fields.get(`a${i}`);
    if (whole !== undefined) {
      args.push(decodeAuditText(whole) ?? '');
      continue;
    }
    const len = integer(fields.get(`a${i}_len`)?.value);
    if (len === undefined) {
      if (argc !== undefined) incomplete = true;
      break;
    }
    // Long arguments come as hex chunks a1[0], a1[1], … of a1_len bytes in total.
    let hex = '';
    for (let j = 0; ; j++) {
      const chunk = fields.get(`a${i}[${j}]`);
      if (chunk === undefined) break;
      hex += chunk.quoted ? toHex(chunk.value) : chunk.value;
    }
    if (hex.length < len * 2) incomplete = true;
    args.push(decodeAuditText({ value: hex, quoted: false }) ?? '');
  }
  return { args, incomplete };
}

function pathItemZero(records: readonly AuditRecord[]): string | undefined {
  const item = records.find((r) => r.type === 'PATH' && r.fields.get('item')?.value === '0');
  return decodeAuditText(item?.fields.get('name'));
}

function userCmdFields(r: AuditRecord): EventFields | undefined {
  const msg = r.fields.get('msg');
  const inner = msg === undefined ? new Map<string, AuditValue>() : parseAuditFields(msg.value);
  const command = decodeAuditText(inner.get('cmd'));
  if (command === undefined) return undefined;
  const plain = (key: string): string | undefined => {
    const v = r.fields.get(key)?.value;
    return v === undefined || UNSET.has(v) ? undefined : v;
  };
  const terminal = inner.get('terminal')?.value;
  return {
    '@timestamp': toIso(r.timeMs),
    'host.name': r.node,
    'process.command_line': command,
    'process.working_directory': decodeAuditText(inner.get('cwd')),
    'process.parent.pid': integer(plain('pid')),
    'user.id': plain('auid'),
    'user.name': r.enriched.get('AUID'),
    'session.id': plain('ses'),
    tty: terminal === undefined || UNSET.has(terminal) ? undefined : terminal,
    labels: {
      audit_type: 'USER_CMD',
      audit_id: r.eventKey.slice(r.eventKey.indexOf('/') + 1),
      ...(inner.get('res') ? { result: inner.get('res')?.value ?? '' } : {}),
    },
  };
}

function integer(value: string | undefined): number | undefined {
  return value !== undefined && /^-?\d{1,15}$/.test(value) ? Number(value) : undefined;
}

function toHex(text: string): string {
  return Array.from(new TextEncoder().encode(text), (b) => b.toString(16).padStart(2, '0')).join(
    '',
  );
}
