import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StartupError } from '../startup-error';
import { DecoderFactory } from './decoder-factory';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('DecoderFactory', () => {
  it('decodes an operator-defined format read from INPUT_FORMATS_FILE, chosen by a header', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'formats-')), 'formats.json');
    writeFileSync(
      file,
      JSON.stringify({
        formats: [
          {
            name: 'pipe-separated',
            split: { delimiter: '|', fields: ['user.name', 'host.name', 'process.command_line'] },
          },
        ],
      }),
    );
    const factory = new DecoderFactory({
      format: 'auto',
      formatsFile: file,
      formatHeader: 'format',
    });
    const outcome = factory
      .create()
      .decode({ value: encode('alice|web-1|id -u'), headers: { format: 'pipe-separated' } });
    expect(outcome.kind).toBe('events');
    if (outcome.kind !== 'events') return;
    expect(outcome.events[0]).toMatchObject({
      user: { name: 'alice' },
      host: { name: 'web-1' },
      process: { command_line: 'id -u' },
      log: { source: 'pipe-separated' },
    });
  });

  it('refuses an unknown format or an unreadable file at construction', () => {
    expect(() => new DecoderFactory({ format: 'nope', formatsFile: '', formatHeader: '' })).toThrow(
      StartupError,
    );
    expect(
      () =>
        new DecoderFactory({
          format: 'auto',
          formatsFile: '/nonexistent/formats.json',
          formatHeader: '',
        }),
    ).toThrow(/INPUT_FORMATS_FILE=\/nonexistent\/formats.json: cannot read the file/);
  });
});
