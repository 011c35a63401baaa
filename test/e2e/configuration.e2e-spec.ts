import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runToExit } from '../support/service';

/** Bad configuration stops the service at once with one clear line, never a stack trace. */
describe('configuration errors', () => {
  it('lists every bad variable and exits non-zero', async () => {
    const { code, output } = await runToExit({
      KAFKA_BROKERS: 'nonsense',
      HTTP_PORT: '99999',
      LOG_LEVEL: 'loud',
    });
    expect(code).not.toBe(0);
    expect(output).toContain(
      'KAFKA_BROKERS="nonsense": expected a comma-separated list of host:port',
    );
    expect(output).toContain('HTTP_PORT="99999": expected a whole number from 0 to 65535');
    expect(output).toContain(
      'LOG_LEVEL="loud": expected one of fatal, error, warn, info, debug, trace',
    );
    expect(output).not.toMatch(/\n\s+at /);
  });

  it('refuses an API_KEY shorter than 16 characters at start, without showing it', async () => {
    // A one-letter key was accepted, and the log redaction then masked that letter
    // in every line ("Kaf***aConsumer"): issue 20.
    const { code, output } = await runToExit({ API_KEY: 'a', RULES_DIR: 'rules' });
    expect(code).not.toBe(0);
    expect(output).toContain('API_KEY=***: expected at least 16 characters (got 1)');
    expect(output).not.toMatch(/\n\s+at /);
  });

  it('says which Elasticsearch it cannot reach, without a stack trace', async () => {
    const { code, output } = await runToExit({
      ES_NODE: 'http://user:hunter2@127.0.0.1:9',
      ES_STARTUP_TIMEOUT_MS: '1000',
      RULES_DIR: 'rules',
    });
    expect(code).not.toBe(0);
    expect(output).toMatch(
      /cannot reach Elasticsearch at http:\/\/\*\*\*@127\.0\.0\.1:9 within 1000 ms/,
    );
    expect(output).not.toContain('hunter2');
    expect(output).not.toMatch(/\n\s+at /);
  });

  it('rejects an unknown input format and an unsafe operator format at start', async () => {
    const unknown = await runToExit({ INPUT_FORMAT: 'bogus', RULES_DIR: 'rules' });
    expect(unknown.code).not.toBe(0);
    expect(unknown.output).toContain('unknown format "bogus"');
    expect(unknown.output).not.toMatch(/\n\s+at /);

    const dir = mkdtempSync(join(tmpdir(), 'formats-'));
    const file = join(dir, 'formats.json');
    writeFileSync(
      file,
      JSON.stringify({
        formats: [
          { name: 'slow', regex: '^(?<cmd>(a+)+)$', fields: { cmd: 'process.command_line' } },
        ],
      }),
    );
    const unsafe = await runToExit({ INPUT_FORMATS_FILE: file, RULES_DIR: 'rules' });
    expect(unsafe.code).not.toBe(0);
    expect(unsafe.output).toContain(`INPUT_FORMATS_FILE=${file}`);
    expect(unsafe.output).toContain('catastrophic backtracking');
    expect(unsafe.output).not.toMatch(/\n\s+at /);
  });
});
