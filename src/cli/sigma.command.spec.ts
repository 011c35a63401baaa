import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { SigmaConversionReport } from '../core/sigma';
import { CliUsageError } from './load-rules';
import { validateCommand } from './rules.command';
import { sigmaConvertCommand } from './sigma.command';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

const SIGMA = resolve(__dirname, '../../test/fixtures/sigma/rules');
const work = mkdtempSync(join(tmpdir(), 'sw-sigma-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('shellwatch sigma convert', () => {
  it('writes one file per converted rule and the report, exit 0 although some rules are skipped', async () => {
    const out = join(work, 'rules');
    const reportFile = join(work, 'report.json');
    const stdout = new Capture();
    const code = await sigmaConvertCommand({ input: SIGMA, out, report: reportFile }, stdout);
    expect(code).toBe(0);
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as SigmaConversionReport;
    expect(readdirSync(out).sort()).toEqual(report.converted.map((r) => r.file).sort());
    expect(report.counts.converted).toBeGreaterThan(30);
    expect(report.counts.skipped).toBe(report.skipped.length);
    expect(stdout.text).toMatch(
      new RegExp(
        `^sigma: ${report.counts.files} files, ${report.counts.converted} converted, ${report.counts.skipped} skipped \\(`,
        'm',
      ),
    );
    expect(stdout.text).toContain(
      'skipped   skip-parentimage.yml [unknown-field]: field ParentImage',
    );

    const valid = new Capture();
    expect(await validateCommand(out, valid, new Capture())).toBe(0);
    expect(valid.text).toMatch(new RegExp(`^${report.counts.converted} rules valid`));
  }, 120_000); // every converted rule's regexes go through recheck, on a shared 2-core machine

  it('converts a single file, and exits 1 when a file is not YAML', async () => {
    const bad = join(work, 'bad.yml');
    writeFileSync(bad, 'title: [unclosed\n');
    const stdout = new Capture();
    expect(await sigmaConvertCommand({ input: bad, out: join(work, 'bad-out') }, stdout)).toBe(1);
    expect(stdout.text).toMatch(/^skipped {3}bad\.yml \[invalid-yaml\]: invalid YAML: /);
  });

  it('is a usage error when the input cannot be read or holds no YAML', async () => {
    await expect(
      sigmaConvertCommand({ input: join(work, 'missing'), out: join(work, 'x') }, new Capture()),
    ).rejects.toThrow(CliUsageError);
    const empty = mkdtempSync(join(work, 'empty-'));
    await expect(
      sigmaConvertCommand({ input: empty, out: join(work, 'y') }, new Capture()),
    ).rejects.toThrow(/no \*\.yml or \*\.yaml files/);
  });
});
