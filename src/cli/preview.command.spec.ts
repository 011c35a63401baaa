import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { PreviewAnswer } from '../core/preview/preview-answer';
import { CliUsageError } from './load-rules';
import { previewCommand, summary } from './preview.command';
import type { PreviewCliOptions } from './preview.command';

const dir = mkdtempSync(join(tmpdir(), 'shellwatch-preview-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function options(overrides: Partial<PreviewCliOptions>): PreviewCliOptions {
  return {
    rules: join(dir, 'no-rules-folder'),
    from: 'now-1d',
    to: 'now',
    maxDocuments: '1000',
    maxSeconds: '10',
    maxMatches: '20',
    pit: true,
    // Nothing listens there: a test that reached Elasticsearch would fail, not hang.
    es: 'http://127.0.0.1:9',
    ...overrides,
  };
}

function io() {
  const out = new PassThrough();
  const err = new PassThrough();
  const text = (stream: PassThrough) => (): string => String(stream.read() ?? '');
  return { io: { out, err, env: {} }, out: text(out), err: text(err) };
}

describe('shellwatch rules preview', () => {
  it.each([
    [{}, 'give either --rule FILE or --id ID'],
    [{ rule: 'a.json', id: 'SW-DST-0001' }, 'give either --rule FILE or --id ID'],
    [{ id: 'SW-DST-0001', from: 'last week' }, '--from last week: expected an RFC 3339'],
    [{ id: 'SW-DST-0001', from: 'now', to: 'now-1h' }, '--to now-1h: must be after --from'],
    [{ id: 'SW-DST-0001', maxDocuments: '0' }, '--max-documents 0: expected an integer >= 1'],
    [{ id: 'SW-DST-0001', maxSeconds: 'x' }, '--max-seconds x: expected a number'],
    [{ rule: join(dir, 'missing.json') }, 'cannot read'],
  ])('refuses %j as a usage error', async (overrides, message) => {
    const run = previewCommand(options(overrides), io().io);
    await expect(run).rejects.toBeInstanceOf(CliUsageError);
    await expect(run).rejects.toThrow(message);
  });

  it('reports a bad rule file with its place and problem, exit 1, before any connection', async () => {
    const file = join(dir, 'BAD-0001.json');
    writeFileSync(
      file,
      JSON.stringify({ id: 'BAD-0001', name: 'bad', severity: 'urgent', conditions: { all: [] } }),
    );
    const streams = io();
    expect(await previewCommand(options({ rule: file }), streams.io)).toBe(1);
    expect(streams.err()).toContain('BAD-0001.json#/severity: must be one of');
  });

  it('says the cluster does not answer, exit 1', async () => {
    const file = join(dir, 'OK-0001.json');
    writeFileSync(
      file,
      JSON.stringify({
        id: 'OK-0001',
        name: 'ok',
        severity: 'low',
        conditions: { all: [{ fact: 'programs', operator: 'contains', value: 'rm' }] },
      }),
    );
    const streams = io();
    expect(await previewCommand(options({ rule: file, index: 'commands' }), streams.io)).toBe(1);
    expect(streams.err()).toContain('checking the commands index failed');
  });
});

describe('the summary', () => {
  it('says what was read, how fast, what matched where, and the notes', () => {
    const answer: PreviewAnswer = {
      ruleId: 'SW-DST-0001',
      enabled: false,
      index: 'shellwatch-commands',
      from: '2026-12-01T00:00:00.000Z',
      to: '2026-12-08T00:00:00.000Z',
      paging: 'point-in-time',
      budget: { maxDocuments: 50_000, maxSeconds: 300, maxMatches: 1 },
      notes: ['the rule is disabled'],
      scanned: 50_000,
      total: 120_000,
      matched: 3,
      unreadable: 0,
      perDay: [
        { day: '2026-12-01', count: 1 },
        { day: '2026-12-02', count: 2 },
      ],
      perHost: [{ host: 'web-1', count: 3 }],
      otherHosts: { hosts: 0, matches: 0 },
      matches: [
        {
          id: 'c:0:1',
          '@timestamp': '2026-12-01T08:00:00.000Z',
          host: 'web-1',
          user: null,
          commandLine: 'rm -rf /etc',
          conditions: [],
        },
      ],
      stoppedBy: 'documents',
      tookMs: 2_500,
    };
    expect(summary(answer)).toBe(
      [
        'SW-DST-0001 (disabled) over shellwatch-commands, 2026-12-01T00:00:00.000Z to 2026-12-08T00:00:00.000Z',
        'scanned 50,000 of 120,000 documents in 2.5 s (20,000 documents/s), paging: point-in-time',
        'STOPPED by the document budget (50,000): the counts cover part of the range',
        'matched 3',
        'per day:',
        '  2026-12-01  1',
        '  2026-12-02  2',
        'per host:',
        '  web-1  3',
        'first 1 matches:',
        '  2026-12-01T08:00:00.000Z  web-1  -  rm -rf /etc',
        'notes:',
        '  - the rule is disabled',
        '',
      ].join('\n'),
    );
  });
});
