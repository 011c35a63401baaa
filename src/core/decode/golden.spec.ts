import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CommandEvent } from '../event';
import { createRecordDecoder, textRecord, type DecoderOptions } from './index';
import type { DecodeOutcome } from './types';

/**
 * Golden tests: every fixture line is one Kafka record, decoded in order by one
 * stream decoder pinned to the format; the outcomes (and what a final flush
 * emits) must equal `<format>.expected.json`. Fixtures are written by us.
 * Regenerate after a deliberate change with `npx vitest run -u`, then review the diff.
 */
const FIXTURES = join(__dirname, '../../../test/fixtures/formats');
/** Transport time of every record: just after New Year, to exercise the syslog year rollover. */
const REFERENCE_MS = Date.UTC(2027, 0, 1, 0, 5, 0);

type Summary =
  | { kind: 'events'; events: CommandEvent[] }
  | { kind: 'pending' }
  | { kind: 'ignored'; reason: string }
  | { kind: 'error'; code: string; message: string };

function summarize(outcome: DecodeOutcome): Summary {
  if (outcome.kind === 'error') {
    return { kind: 'error', code: outcome.error.code, message: outcome.error.message };
  }
  return outcome;
}

/** Decodes a fixture file line by line; the result is what the expected files hold. */
function decodeFixture(file: string, options: DecoderOptions): unknown {
  const lines = readFileSync(join(FIXTURES, file), 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  const decoder = createRecordDecoder({ clock: () => REFERENCE_MS, ...options });
  const records = lines.map((line, index) => ({
    line: index + 1,
    outcome: summarize(
      decoder.decode(textRecord(line, { timestampMs: REFERENCE_MS, offset: String(index + 1) })),
    ),
  }));
  const closed = decoder.flush(REFERENCE_MS + 60_000);
  return {
    records,
    flushed: closed.events.map((e) => e.event),
    ...(closed.deadLetters.length > 0
      ? {
          deadLetters: closed.deadLetters.map((l) => ({
            line: Number(l.record.offset),
            code: l.error.code,
            message: l.error.message,
          })),
        }
      : {}),
    ...(closed.ignored.length > 0
      ? {
          ignored: closed.ignored.map((i) => ({ line: Number(i.record.offset), reason: i.reason })),
        }
      : {}),
  };
}

const CASES: [format: string, file: string][] = [
  ['lines', 'lines.input'],
  ['ecs', 'ecs.jsonl'],
  ['vssh', 'vssh.jsonl'],
  ['filebeat', 'filebeat.jsonl'],
  ['syslog', 'syslog.input'],
  ['snoopy', 'snoopy.input'],
  ['bash-history', 'bash-history.input'],
  ['auditd', 'auditd.input'],
  ['bastion', 'bastion.input'],
  ['teleport', 'teleport.jsonl'],
  ['osquery', 'osquery.jsonl'],
];

describe('golden fixtures', () => {
  it.each(CASES)('%s decodes %s as expected', async (format, file) => {
    const result = decodeFixture(file, { format, auditd: { timeoutMs: 1000 } });
    await expect(`${JSON.stringify(result, null, 2)}\n`).toMatchFileSnapshot(
      join(FIXTURES, `${format}.expected.json`),
    );
  });

  it('an operator format decodes custom.input as expected', async () => {
    const customFormats = {
      formats: [
        {
          name: 'jumpbox',
          regex:
            '^(?<ts>\\S+) (?<user>[\\w.-]+)@(?<host>[\\w.-]+) \\[(?<pid>\\d+)\\] \\$ (?<cmd>.*)$',
        },
      ],
    };
    const result = decodeFixture('custom.input', { format: 'jumpbox', customFormats });
    await expect(`${JSON.stringify(result, null, 2)}\n`).toMatchFileSnapshot(
      join(FIXTURES, 'custom.expected.json'),
    );
  });

  it('auto decodes mixed.log (every format) as expected', async () => {
    const result = decodeFixture('mixed.log', { format: 'auto', auditd: { timeoutMs: 1000 } });
    await expect(`${JSON.stringify(result, null, 2)}\n`).toMatchFileSnapshot(
      join(FIXTURES, 'mixed.expected.json'),
    );
  });

  it('auto decodes each single-format fixture exactly as the pinned format does', () => {
    for (const [format, file] of CASES) {
      if (format === 'lines') continue;
      const pinned = decodeFixture(file, { format, auditd: { timeoutMs: 1000 } }) as {
        records: { outcome: Summary }[];
      };
      const auto = decodeFixture(file, { format: 'auto', auditd: { timeoutMs: 1000 } }) as {
        records: { outcome: Summary }[];
      };
      pinned.records.forEach((record, i) => {
        const guessed = auto.records[i]?.outcome;
        // Where the pinned decoder succeeds, auto must find the same events.
        if (record.outcome.kind !== 'error')
          expect(guessed, `${file}:${i + 1}`).toEqual(record.outcome);
      });
    }
  });
});
