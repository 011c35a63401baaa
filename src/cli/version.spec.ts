import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageVersion } from './version';

const manifest = JSON.parse(readFileSync(resolve(__dirname, '../../package.json'), 'utf8')) as {
  version: string;
};

describe('shellwatch --version', () => {
  it("finds the package's own version from the source folder", () => {
    expect(packageVersion()).toBe(manifest.version);
  });

  it('answers unknown outside the package rather than another package version', () => {
    expect(packageVersion('/')).toBe('unknown');
  });

  it('prints it from the built command', () => {
    const out = execFileSync(
      process.execPath,
      [resolve(__dirname, '../../bin/shellwatch.js'), '--version'],
      {
        encoding: 'utf8',
      },
    );
    expect(out.trim()).toBe(manifest.version);
  });
});
