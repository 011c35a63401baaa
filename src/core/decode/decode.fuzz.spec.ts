import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError, type DecodeErrorCode } from '../errors';
import type { CommandEvent } from '../event';
import { isIp } from './address';
import { createRecordDecoder, FORMAT_NAMES, textRecord } from './index';
import type { DecodeOutcome, RecordDecoder } from './types';

/**
 * Property tests: whatever bytes arrive, `decode` returns a valid outcome and
 * never throws; every event it returns is well-formed. Seeds are fixed so a
 * failure reproduces; raise `numRuns` locally when changing a decoder.
 */
const CODES: readonly DecodeErrorCode[] = [
  'EMPTY_RECORD',
  'INVALID_UTF8',
  'INVALID_JSON',
  'UNKNOWN_FORMAT',
  'MISSING_FIELD',
  'INVALID_FIELD',
  'INVALID_TIMESTAMP',
  'RECORD_TOO_LARGE',
  'AUDITD_INCOMPLETE',
];
const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function checkEvent(event: CommandEvent): void {
  expect(typeof event.process.command_line).toBe('string');
  expect(event['@timestamp']).toMatch(ISO_RE);
  expect(Number.isNaN(Date.parse(event['@timestamp']))).toBe(false);
  expect(typeof event.event.original).toBe('string');
  expect(event.log.source).toBe(event.event.module);
  for (const value of Object.values(event.labels ?? {})) expect(typeof value).toBe('string');
  if (event.source?.ip !== undefined) expect(isIp(event.source.ip)).toBe(true);
  for (const n of [event.process.pid, event.process.parent?.pid, event.process.exit_code]) {
    if (n !== undefined) expect(Number.isSafeInteger(n)).toBe(true);
  }
  // A document must survive JSON (what the Elasticsearch client sends).
  expect(JSON.parse(JSON.stringify(event))).toEqual(event);
}

function checkOutcome(outcome: DecodeOutcome): void {
  if (outcome.kind === 'error') {
    expect(outcome.error).toBeInstanceOf(DecodeError);
    expect(CODES).toContain(outcome.error.code);
    expect(outcome.error.context.internal).toBeUndefined();
    return;
  }
  expect(['events', 'pending', 'ignored']).toContain(outcome.kind);
  if (outcome.kind === 'events') {
    expect(outcome.events.length).toBeGreaterThan(0);
    outcome.events.forEach(checkEvent);
  }
}

function safely(decoder: RecordDecoder, value: Uint8Array): DecodeOutcome {
  // decode() must not throw; a throw fails the property with the input shown.
  return decoder.decode({ value, timestampMs: Date.UTC(2026, 10, 25), topic: 't' });
}

/** Fragments that steer random text into each decoder's deeper paths. */
const FRAGMENTS = [
  '<13>',
  '<86>1 ',
  'Nov 25 16:34:43 ',
  'Dec 31 23:59:59 host ',
  '2026-11-25T16:34:43Z ',
  'snoopy[1]: ',
  '[uid:0 sid:1 tty:/dev/pts/0 cwd:/ filename:/bin/sh]: ',
  '[login:',
  'HISTORY: PID=1 UID=0 ',
  'HISTORY (TRUNCATED): ',
  'alice [42]: ',
  ' [0]',
  'type=SYSCALL msg=audit(1764088483.120:1): ',
  'type=EXECVE msg=audit(1764088483.120:1): argc=2 a0="ls" a1=2D6C ',
  'type=EOE msg=audit(1764088483.120:1):',
  'a1_len=4 a1[0]=41 ',
  '\x1dAUID="alice" ',
  'session_command_log - ',
  '{"command":"ls","timestamp":',
  '{"message":"',
  '"agent":{},',
  '{"event":"session.command","uid":"u","sid":"s","argv":[',
  '{"hostIdentifier":"h","columns":{"command":"id","time":"',
  '{"process":{"command_line":',
  '"}',
  '}',
  '\n',
  '\r\n',
  '\0',
  '\uFEFF',
  '"',
  "'",
  '1764088483',
  '99999999999999999999',
  '-1',
  '2001:db8::1',
];

const textArbitrary = fc
  .array(
    fc.oneof(
      fc.constantFrom(...FRAGMENTS),
      fc.string({ maxLength: 12 }),
      fc.string({ unit: 'grapheme', maxLength: 6 }),
    ),
    {
      maxLength: 12,
    },
  )
  .map((parts) => parts.join(''));

describe('decode() under arbitrary input', () => {
  it.each(FORMAT_NAMES)(
    'never throws and returns a valid outcome for random bytes (%s)',
    (format) => {
      const decoder = createRecordDecoder({ format, clock: () => 0, auditd: { maxPending: 8 } });
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
          checkOutcome(safely(decoder, bytes));
        }),
        { numRuns: 300, seed: 20261125 },
      );
      decoder.flush(0, true).events.forEach((e) => checkEvent(e.event));
    },
  );

  it.each(FORMAT_NAMES)('never throws for format-shaped random text (%s)', (format) => {
    const decoder = createRecordDecoder({
      format,
      clock: () => 0,
      auditd: { maxPending: 8 },
      maxRecordBytes: 256,
    });
    fc.assert(
      fc.property(textArbitrary, (text) => {
        checkOutcome(safely(decoder, textRecord(text).value ?? new Uint8Array()));
      }),
      { numRuns: 500, seed: 42 },
    );
    decoder.flush(Number.MAX_SAFE_INTEGER).events.forEach((e) => checkEvent(e.event));
  });

  it('never throws on JSON values of any shape in JSON formats', () => {
    const decoder = createRecordDecoder({ clock: () => 0 });
    const keys = fc.constantFrom(
      'command',
      'cmd',
      'message',
      'agent',
      'event',
      'uid',
      'sid',
      'process',
      'columns',
      'hostIdentifier',
      'diffResults',
      'input',
      'asset',
      'msg',
      'programname',
      'timestamp',
      'exit_code',
      'argv',
      'labels',
      'fields',
      'log',
      'user',
      'host',
    );
    const json = fc.dictionary(keys, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 });
    fc.assert(
      fc.property(json, (obj) => {
        checkOutcome(safely(decoder, textRecord(JSON.stringify(obj)).value ?? new Uint8Array()));
      }),
      { numRuns: 1000, seed: 7 },
    );
  });
});
