import { describe, expect, it } from 'vitest';
import { createRecordDecoder, decodeOne, textRecord } from './index';
import type { DecodeOutcome } from './types';

const hex = (text: string): string => Buffer.from(text, 'utf8').toString('hex').toUpperCase();
const head = (type: string, id: string): string => `type=${type} msg=audit(${id}):`;
const syscall = (id: string, pid: number, extra = ''): string =>
  `${head('SYSCALL', id)} arch=c000003e syscall=59 success=yes exit=0 items=1 ppid=1 pid=${pid} auid=1000 uid=0 euid=0 ses=3 tty=pts0 comm="x" exe="/usr/bin/x"${extra}`;
const execve = (id: string, ...args: string[]): string =>
  `${head('EXECVE', id)} argc=${args.length} ${args.map((a, i) => `a${i}="${a}"`).join(' ')}`;
const eoe = (id: string): string => `${head('EOE', id)} `;

function commands(outcome: DecodeOutcome): string[] {
  if (outcome.kind === 'error') throw new Error(outcome.error.message);
  if (outcome.kind === 'pending') return ['<pending>'];
  if (outcome.kind === 'ignored') return [`<ignored: ${outcome.reason}>`];
  return outcome.events.map((e) => e.process.command_line);
}

const NOTHING_CLOSED = { events: [], deadLetters: [], ignored: [] };

describe('auditd assembly', () => {
  it('joins interleaved records of two events by their event id', () => {
    let now = 0;
    const d = createRecordDecoder({ format: 'auditd', clock: () => now });
    const seen = [
      syscall('100.000:1', 11),
      syscall('100.001:2', 12),
      execve('100.001:2', 'id'),
      execve('100.000:1', 'whoami'),
      eoe('100.001:2'),
      eoe('100.000:1'),
    ].map((line) => commands(d.decode(textRecord(line))));
    expect(seen).toEqual([
      ['<pending>'],
      ['<pending>'],
      ['<pending>'],
      ['<pending>'],
      ['id'],
      ['whoami'],
    ]);
    now = 1_000_000;
    expect(d.flush(now, true)).toEqual(NOTHING_CLOSED);
  });

  it('emits an event without EOE after the time-out, marked incomplete when args are missing', () => {
    let now = 1000;
    const d = createRecordDecoder({
      format: 'auditd',
      clock: () => now,
      auditd: { timeoutMs: 500 },
    });
    expect(d.decode(textRecord(syscall('100.000:7', 70))).kind).toBe('pending');
    expect(
      d.decode(textRecord(`${head('EXECVE', '100.000:7')} argc=3 a0="curl" a1="-O"`)).kind,
    ).toBe('pending');
    expect(d.flush(1400)).toEqual(NOTHING_CLOSED);
    now = 2000;
    const [closed] = d.flush(1500).events;
    const event = closed?.event;
    expect(event?.process.command_line).toBe('curl -O');
    expect(event?.labels?.incomplete).toBe('true');
    expect(event?.event.original.split('\n')).toHaveLength(2);
    expect(d.flush(9999, true)).toEqual(NOTHING_CLOSED);
  });

  it('closes the oldest event when the buffer is full, attributed to its own record', () => {
    const d = createRecordDecoder({ format: 'auditd', clock: () => 0, auditd: { maxPending: 2 } });
    const records = ['one', 'two', 'three'].map((c, i) =>
      textRecord(execve(`1.000:${i + 1}`, c), { offset: String(i) }),
    );
    expect(records.map((r) => commands(d.decode(r)))).toEqual([
      ['<pending>'],
      ['<pending>'],
      ['<pending>'],
    ]);
    expect(d.oldestHeld()).toBe(records[1]);
    const full = d.flush(0).events;
    expect(full.map((e) => [e.event.process.command_line, e.record.offset])).toEqual([
      ['one', '0'],
    ]);
    expect(
      d.flush(0, true).events.map((e) => [e.event.process.command_line, e.record.offset]),
    ).toEqual([
      ['two', '1'],
      ['three', '2'],
    ]);
    expect(d.oldestHeld()).toBeUndefined();
  });

  it('ignores the EOE of an event already emitted, and dead-letters any other late record', () => {
    const d = createRecordDecoder({ format: 'auditd', clock: () => 0 });
    d.decode(textRecord(execve('5.000:9', 'ls')));
    expect(commands(d.decode(textRecord(eoe('5.000:9'))))).toEqual(['ls']);
    expect(commands(d.decode(textRecord(eoe('5.000:9'))))).toEqual(['<ignored: auditd_late_eoe>']);
    const late = d.decode(textRecord(`${head('PATH', '5.000:9')} item=0 name="/bin/ls"`));
    expect(late.kind === 'error' && [late.error.code, late.error.message]).toEqual([
      'AUDITD_INCOMPLETE',
      'auditd: PATH record of event /5.000:9 arrived after the event was closed',
    ]);
    expect(d.flush(0, true)).toEqual(NOTHING_CLOSED);
  });

  it('accepts several audit lines in one record, including CRLF', () => {
    const record = [syscall('9.500:3', 33), execve('9.500:3', 'ls', '-l'), eoe('9.500:3')].join(
      '\r\n',
    );
    const outcome = decodeOne(record, 'auto');
    expect(commands(outcome)).toEqual(['ls -l']);
  });

  it('rejects a multi-line record with a bad line without buffering any of it', () => {
    const d = createRecordDecoder({ format: 'auditd', clock: () => 0 });
    const outcome = d.decode(textRecord(`${execve('2.000:1', 'ls')}\nnot audit`));
    expect(outcome.kind === 'error' && outcome.error.message).toContain('line 2');
    expect(d.flush(0, true)).toEqual(NOTHING_CLOSED);
  });

  it('decodes hex, split and quoted arguments, and the ENRICHED names', () => {
    const id = '1764088483.120:42';
    const big = 'x'.repeat(30);
    const record = [
      `${syscall(id, 500)}\x1dARCH=x86_64 SYSCALL=execve AUID="alice" UID="root" EUID="root"`,
      `${head('EXECVE', id)} argc=4 a0="sh" a1=${hex('-c')} a2=${hex("echo 'hi there'; rm -rf /")} a3_len=30 a3[0]=${hex(big.slice(0, 16))} a3[1]=${hex(big.slice(16))}`,
      `${head('CWD', id)} cwd=${hex('/home/al ice')}`,
      eoe(id),
    ].join('\n');
    const outcome = decodeOne(record, 'auditd');
    if (outcome.kind !== 'events') throw new Error('expected events');
    const [event] = outcome.events;
    expect(event?.process.args).toEqual(['sh', '-c', "echo 'hi there'; rm -rf /", big]);
    expect(event?.process.command_line).toBe(`sh -c 'echo '\\''hi there'\\''; rm -rf /' ${big}`);
    expect(event?.process.working_directory).toBe('/home/al ice');
    expect(event?.user).toEqual({
      id: '1000',
      name: 'alice',
      effective: { id: '0', name: 'root' },
    });
    expect(event?.['@timestamp']).toBe('2025-11-25T16:34:43.120Z');
    expect(event?.labels?.incomplete).toBeUndefined();
  });

  it('reads kernel-printed records with numeric types', () => {
    const id = '1764088483.000:77';
    const record = [
      `audit: type=1300 audit(${id}): arch=c000003e syscall=59 success=yes exit=0 items=0 ppid=1 pid=2 auid=0 uid=0 euid=0 ses=1 tty=pts0 exe="/bin/ls"`,
      `audit: type=1309 audit(${id}): argc=1 a0="ls"`,
      `audit: type=1320 audit(${id}):`,
    ].join('\n');
    expect(commands(decodeOne(record, 'auditd'))).toEqual(['ls']);
  });

  it('joins audisp-syslog records of one event arriving as separate syslog records', () => {
    const d = createRecordDecoder({ format: 'auto', clock: () => 0 });
    const wrap = (line: string): string => `<85>Nov 25 16:34:52 web06 audisp-syslog: ${line}`;
    const id = '1764088483.120:5';
    expect(
      d.decode(textRecord(wrap(syscall(id, 8)), { timestampMs: Date.UTC(2025, 10, 25) })).kind,
    ).toBe('pending');
    expect(
      d.decode(textRecord(wrap(execve(id, 'ls')), { timestampMs: Date.UTC(2025, 10, 25) })).kind,
    ).toBe('pending');
    const outcome = d.decode(textRecord(wrap(eoe(id)), { timestampMs: Date.UTC(2025, 10, 25) }));
    if (outcome.kind !== 'events') throw new Error('expected events');
    expect(outcome.events[0]?.host?.name).toBe('web06');
    expect(outcome.events[0]?.labels?.envelope).toBe('syslog');
    expect(outcome.events[0]?.event.original.split('\n')).toHaveLength(3);
  });

  it('ignores non-command audit events, counted as not_a_command', () => {
    const id = '3.000:1';
    const open = `${head('SYSCALL', id)} arch=c000003e syscall=257 success=yes exit=3 items=1 pid=5 auid=0 uid=0`;
    expect(
      commands(
        decodeOne(
          [open, `${head('PATH', id)} item=0 name="/etc/shadow"`, eoe(id)].join('\n'),
          'auditd',
        ),
      ),
    ).toEqual(['<ignored: not_a_command>']);
    expect(
      commands(
        decodeOne(
          `type=USER_LOGIN msg=audit(3.000:2): pid=1 uid=0 msg='op=login res=success'`,
          'auditd',
        ),
      ),
    ).toEqual(['<ignored: not_a_command>']);
  });

  it('dead-letters an event that ends without a command, naming what is missing', () => {
    const id = '4.000:1';
    const outcome = decodeOne(
      [syscall(id, 9), `${head('CWD', id)} cwd="/tmp"`, eoe(id)].join('\n'),
      'auditd',
    );
    expect(outcome.kind === 'error' && [outcome.error.code, outcome.error.message]).toEqual([
      'AUDITD_INCOMPLETE',
      'auditd: event /4.000:1 ended without a command: has SYSCALL, CWD, EOE; missing EXECVE, PROCTITLE, 1 of 1 PATH',
    ]);
  });
});
