import { describe, expect, it } from 'vitest';
import type { CommandEvent } from '../event';
import { createRecordDecoder, FormatConfigError, textRecord, type DecoderOptions } from './index';
import type { DecodeOutcome } from './types';

const NOW = Date.UTC(2026, 10, 25, 16, 0, 0);
const decoder = (options: DecoderOptions = {}) =>
  createRecordDecoder({ clock: () => NOW, ...options });

function events(outcome: DecodeOutcome): CommandEvent[] {
  if (outcome.kind !== 'events') throw new Error(`expected events, got ${JSON.stringify(outcome)}`);
  return outcome.events;
}
function errorCode(outcome: DecodeOutcome): string | undefined {
  return outcome.kind === 'error' ? outcome.error.code : undefined;
}

describe('createRecordDecoder: record-level robustness', () => {
  it('reports a tombstone and an empty value as EMPTY_RECORD', () => {
    const d = decoder();
    expect(errorCode(d.decode({ value: null }))).toBe('EMPTY_RECORD');
    expect(errorCode(d.decode({ value: new Uint8Array(0) }))).toBe('EMPTY_RECORD');
    expect(errorCode(d.decode(textRecord('\r\n\0\0')))).toBe('EMPTY_RECORD');
    expect(errorCode(d.decode(textRecord('   ', {})))).toBe('EMPTY_RECORD');
  });

  it('reports invalid UTF-8 as INVALID_UTF8 instead of guessing characters', () => {
    const bytes = new Uint8Array([0x6c, 0x73, 0x20, 0xc3, 0x28]);
    expect(errorCode(decoder({ format: 'lines' }).decode({ value: bytes }))).toBe('INVALID_UTF8');
    const overlong = new Uint8Array([0x72, 0x6d, 0x20, 0xc0, 0xaf]);
    expect(errorCode(decoder({ format: 'lines' }).decode({ value: overlong }))).toBe(
      'INVALID_UTF8',
    );
  });

  it('drops a BOM, trailing CR/LF and NUL padding', () => {
    const [event] = events(decoder({ format: 'lines' }).decode(textRecord('\uFEFFls -la\r\n\0\0')));
    expect(event?.process.command_line).toBe('ls -la');
    expect(event?.event.original).toBe('ls -la');
  });

  it('replaces NUL bytes inside a record with spaces and says so', () => {
    const [event] = events(decoder({ format: 'lines' }).decode(textRecord('rm\0-rf\0/tmp/x')));
    expect(event?.process.command_line).toBe('rm -rf /tmp/x');
    expect(event?.labels?.nul_replaced).toBe('true');
  });

  it('truncates a long command line at maxRecordBytes and labels it', () => {
    const long = `echo ${'é'.repeat(1000)}`;
    const [event] = events(
      decoder({ format: 'lines', maxRecordBytes: 1000 }).decode(textRecord(long)),
    );
    const bytes = new TextEncoder().encode(event?.process.command_line ?? '').length;
    expect(bytes).toBeLessThanOrEqual(1000);
    expect(bytes).toBeGreaterThan(990);
    expect(event?.process.command_line.endsWith('é')).toBe(true);
    expect(event?.labels?.truncated).toBe('true');
    expect(new TextEncoder().encode(event?.event.original ?? '').length).toBeLessThanOrEqual(1000);
  });

  it('keeps records up to the cap untouched', () => {
    const [event] = events(
      decoder({ format: 'lines' }).decode(textRecord(`echo ${'a'.repeat(60_000)}`)),
    );
    expect(event?.labels?.truncated).toBeUndefined();
  });

  it('refuses records over 1 MiB as RECORD_TOO_LARGE without decoding them', () => {
    const value = new Uint8Array(1024 * 1024 + 1).fill(0x61);
    expect(errorCode(decoder({ format: 'lines' }).decode({ value }))).toBe('RECORD_TOO_LARGE');
  });

  it('uses the transport timestamp, else the clock, when the record has none', () => {
    const [fromTransport] = events(
      decoder({ format: 'lines' }).decode(textRecord('id', { timestampMs: NOW - 5000 })),
    );
    expect(fromTransport?.['@timestamp']).toBe(new Date(NOW - 5000).toISOString());
    expect(fromTransport?.labels?.timestamp_source).toBe('transport');
    const [received] = events(decoder({ format: 'lines' }).decode(textRecord('id')));
    expect(received?.['@timestamp']).toBe(new Date(NOW).toISOString());
    expect(received?.labels?.timestamp_source).toBe('received');
  });

  it('never guesses `lines` in auto mode: unknown text is UNKNOWN_FORMAT', () => {
    expect(errorCode(decoder().decode(textRecord('ls -la')))).toBe('UNKNOWN_FORMAT');
    expect(errorCode(decoder().decode(textRecord('{"foo":1}')))).toBe('UNKNOWN_FORMAT');
    expect(errorCode(decoder().decode(textRecord('{"foo":')))).toBe('INVALID_JSON');
  });

  it('writes the decoder name into log.source and event.module', () => {
    const [event] = events(decoder().decode(textRecord('HISTORY: PID=1 UID=0 ls')));
    expect(event?.log.source).toBe('bash-history');
    expect(event?.event.module).toBe('bash-history');
  });
});

describe('createRecordDecoder: choosing the format', () => {
  const snoopy = '[uid:0 sid:1 tty:/dev/pts/0 cwd:/ filename:/bin/ls]: ls';
  it('pins a format per topic', () => {
    const d = decoder({ formatsByTopic: { 'raw.commands': 'lines' } });
    expect(events(d.decode(textRecord(snoopy, { topic: 'raw.commands' })))[0]?.log.source).toBe(
      'lines',
    );
    expect(events(d.decode(textRecord(snoopy, { topic: 'other' })))[0]?.log.source).toBe('snoopy');
  });

  it('lets a header name the format, over the topic', () => {
    const d = decoder({ formatHeader: 'x-format', formatsByTopic: { t: 'snoopy' } });
    const record = textRecord(snoopy, { topic: 't', headers: { 'x-format': 'lines' } });
    expect(events(d.decode(record))[0]?.log.source).toBe('lines');
    const unknown = textRecord(snoopy, { headers: { 'x-format': 'nope' } });
    expect(errorCode(d.decode(unknown))).toBe('UNKNOWN_FORMAT');
  });

  it('reports a pinned format that does not fit the record as an error, not a guess', () => {
    expect(errorCode(decoder({ format: 'snoopy' }).decode(textRecord('ls -la')))).toBe(
      'INVALID_FIELD',
    );
    expect(errorCode(decoder({ format: 'vssh' }).decode(textRecord('ls -la')))).toBe(
      'INVALID_JSON',
    );
  });

  it('rejects bad options at creation, listing every problem', () => {
    try {
      createRecordDecoder({
        format: 'nope',
        formatsByTopic: { a: 'zzz' },
        maxRecordBytes: 10,
        auditd: { timeoutMs: -1, maxPending: 0 },
      });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(FormatConfigError);
      const problems = (err as FormatConfigError).problems.map((p) => p.pointer);
      expect(problems).toEqual([
        '/format',
        '/formatsByTopic/a',
        '/maxRecordBytes',
        '/auditd/timeoutMs',
        '/auditd/maxPending',
      ]);
    }
  });
});

describe('createRecordDecoder: nesting', () => {
  it('refuses envelopes nested deeper than real shippers nest them, without a stack overflow', () => {
    const deep = `${'<13>Nov 25 16:34:43 h p: '.repeat(20_000)}HISTORY: PID=1 UID=0 ls`;
    const outcome = createRecordDecoder({ clock: () => NOW }).decode(textRecord(deep));
    expect(outcome.kind === 'error' && outcome.error.code).toBe('INVALID_FIELD');
    expect(outcome.kind === 'error' && outcome.error.message).toContain('nested too deep');
  });
});

describe('createRecordDecoder: label size', () => {
  it('cuts long label values at 1 KiB and drops session output', () => {
    const record = JSON.stringify({
      command: 'ls',
      note: 'n'.repeat(5000),
      output: 'secret'.repeat(100),
    });
    const [event] = events(createRecordDecoder({ clock: () => NOW }).decode(textRecord(record)));
    expect(event?.labels?.note).toHaveLength(1024);
    expect(event?.labels?.truncated).toBe('true');
    expect(event?.labels?.output).toBeUndefined();
    expect(event?.process.command_line).toBe('ls');
  });
});

describe('snoopy: the SSH client address', () => {
  const line = (ssh: string) =>
    `[login:alice username:alice uid:1000 sid:7 ${ssh} tty:/dev/pts/1 cwd:/ filename:/usr/bin/id]: id`;

  it('goes to source.ip, where exceptions and cidr conditions look', () => {
    const [plain] = events(
      decoder({ format: 'snoopy' }).decode(textRecord(line('ssh:198.51.100.7 50022 10.0.0.5 22'))),
    );
    expect(plain?.source?.ip).toBe('198.51.100.7');
    expect(plain?.labels?.ssh).toBeUndefined();
    const [parenthesised] = events(
      decoder({ format: 'snoopy' }).decode(
        textRecord(line('ssh:(2001:db8::7 50022 2001:db8::1 22)')),
      ),
    );
    expect(parenthesised?.source?.ip).toBe('2001:db8::7');
  });

  it('stays in labels.ssh when it does not start with an address', () => {
    const [event] = events(
      decoder({ format: 'snoopy' }).decode(textRecord(line('ssh:(undefined)'))),
    );
    expect(event?.source).toBeUndefined();
    expect(event?.labels?.ssh).toBe('(undefined)');
  });
});
