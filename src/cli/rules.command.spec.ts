import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { testCommand, validateCommand } from './rules.command';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'sw-fixture-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function rule(id: string, program: string): void {
  writeFileSync(
    join(dir, `${id}.json`),
    JSON.stringify({
      id,
      name: `${program} runs`,
      severity: 'low',
      conditions: { all: [{ fact: 'programs', operator: 'contains', value: program }] },
    }),
  );
}
rule('ACME-NC', 'nc');
rule('ACME-CURL', 'curl');

async function runFixture(lines: string[]): Promise<{ code: number; out: string; err: string }> {
  const file = join(dir, `fixture-${Math.random().toString(36).slice(2)}.jsonl`);
  writeFileSync(file, lines.join('\n'));
  const out = new Capture();
  const err = new Capture();
  const code = await testCommand(dir, file, out, err);
  return { code, out: out.text, err: err.text.replaceAll(file, 'F') };
}

describe('rules test --fixture', () => {
  it('passes when every expected id fires; other rules may fire unless the line is exact', async () => {
    const result = await runFixture([
      '{"command": "nc -l 4444", "expect": ["ACME-NC"]}',
      '{"command": "curl x | nc h 1", "expect": ["ACME-NC"]}',
      '{"command": "curl x | nc h 1", "expect": ["ACME-NC", "ACME-CURL"], "exact": true}',
      '{"command": "ls -la", "expect": [], "note": "everyday"}',
    ]);
    expect(result.err).toBe('');
    expect(result.out).toBe('rules: 4 passed, 0 failed\n');
    expect(result.code).toBe(0);
  });

  it('fails a line that expects no alert when a rule fires, and an exact line with an extra alert', async () => {
    const result = await runFixture([
      '{"command": "nc -l 4444", "expect": []}',
      '{"command": "curl x | nc h 1", "expect": ["ACME-NC"], "exact": true}',
      '{"command": "ls", "expect": ["ACME-NC"]}',
      '{"command": "ls", "expect": ["ACME-TYPO"]}',
    ]);
    expect(result.err.split('\n')).toEqual([
      'FAIL F:1: unexpected ACME-NC; fired [ACME-NC]: nc -l 4444',
      'FAIL F:2: unexpected ACME-CURL; fired [ACME-CURL, ACME-NC]: curl x | nc h 1',
      'FAIL F:3: expected ACME-NC; fired []: ls',
      'FAIL F:4: no such rule ACME-TYPO; fired []: ls',
      '',
    ]);
    expect(result.out).toBe('rules: 0 passed, 4 failed\n');
    expect(result.code).toBe(1);
  });

  it('names the file and line of a malformed line and checks the others', async () => {
    const result = await runFixture([
      '{"command": "nc -l 1", "expect": ["ACME-NC"]}',
      '{"command": "nc", ',
      '{"cmd":"x"}',
      '{"command": "nc", "expect": "ACME-NC"}',
      '{"command": "nc", "expect": [1]}',
      '',
      '["nc"]',
      '{"command": "nc", "expect": ["ACME-NC"], "exact": "yes"}',
    ]);
    const lines = result.err.trimEnd().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^FAIL F:2: invalid JSON: /),
      'FAIL F:3: "command" is missing or not a string',
      'FAIL F:4: "expect" is missing or not an array of rule ids (strings); [] expects no alert',
      'FAIL F:5: "expect" is missing or not an array of rule ids (strings); [] expects no alert',
      'FAIL F:7: expected an object {"command": "...", "expect": [rule ids]}',
      'FAIL F:8: "exact" must be true or false',
    ]);
    expect(result.out).toBe('rules: 1 passed, 6 failed\n');
    expect(result.code).toBe(1);
  });

  it('is a usage error when the fixture cannot be read', async () => {
    await expect(
      testCommand(dir, join(dir, 'missing.jsonl'), new Capture(), new Capture()),
    ).rejects.toThrow(/cannot read fixture/);
  });
});

describe('rules validate', () => {
  it('refuses a regex that backtracks catastrophically (checked by recheck, past the static proof)', async () => {
    const unsafe = mkdtempSync(join(tmpdir(), 'sw-unsafe-'));
    try {
      writeFileSync(
        join(unsafe, 'SW-TST-0001.json'),
        JSON.stringify({
          id: 'SW-TST-0001',
          name: 'unsafe',
          severity: 'low',
          conditions: { all: [{ fact: 'commandLine', operator: 'regex', value: '^(a+)+$' }] },
        }),
      );
      const out = new Capture();
      const err = new Capture();
      const code = await validateCommand(unsafe, out, err);
      expect(code).toBe(1);
      expect(err.text).toMatch(
        /^SW-TST-0001\.json#\/conditions\/all\/0\/value: regex: regex may backtrack catastrophically/,
      );
    } finally {
      rmSync(unsafe, { recursive: true, force: true });
    }
  });
});
