import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitWhenReaderCloses } from './closed-output';

describe('exitWhenReaderCloses', () => {
  it('exits with 0 when the reader closed the pipe', () => {
    const output = new EventEmitter();
    const codes: number[] = [];
    exitWhenReaderCloses(output, (code) => codes.push(code));
    output.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(codes).toEqual([0]);
  });

  it('still throws any other write error', () => {
    const output = new EventEmitter();
    const codes: number[] = [];
    exitWhenReaderCloses(output, (code) => codes.push(code));
    const failure = Object.assign(new Error('write ENOSPC'), { code: 'ENOSPC' });
    expect(() => output.emit('error', failure)).toThrow('ENOSPC');
    expect(codes).toEqual([]);
  });

  it('lets `shellwatch eval … | head -1` end without a stack trace', () => {
    const root = join(__dirname, '..', '..');
    const cli = join(root, 'bin', 'shellwatch.js');
    const script = [
      `yes 'rm -rf / --no-preserve-root' | head -3000 |`,
      `node ${JSON.stringify(cli)} eval --rules ${JSON.stringify(join(root, 'rules'))} --format lines | head -1 > /dev/null`,
      '; echo "status ${PIPESTATUS[2]}"',
    ].join(' ');
    const result = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 120_000 });
    expect(result.stderr).not.toContain('EPIPE');
    expect(result.stdout.trim()).toBe('status 0');
  }, 120_000);
});
