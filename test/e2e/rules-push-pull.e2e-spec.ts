import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { uniqueName, withAdmin } from '../support/kafka';
import { runProcess } from '../support/service';
import { KAFKA_BROKER, REPO_ROOT } from '../support/stack';

/**
 * `shellwatch rules push DIR` and `rules pull DIR` against real Kafka, as an
 * operator runs them: the built CLI, configured like the service.
 */
const FIXTURE = resolve(REPO_ROOT, 'test/fixtures/rules/basic');
const FILES = [
  'destruction/SW-DST-0001.json',
  'execution/SW-EXE-0001.json',
  'execution/SW-EXE-0002.json',
  'lists/downloaders.json',
  'lists/shells.json',
];

describe('shellwatch rules push / pull', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'shellwatch-push-pull-'));
  const topic = uniqueName('e2e-push-pull');

  const cli = (...args: string[]): Promise<{ code: number | null; output: string }> =>
    runProcess(
      process.execPath,
      [resolve(REPO_ROOT, 'bin/shellwatch.js'), 'rules', ...args],
      { PATH: process.env.PATH ?? '', KAFKA_BROKERS: KAFKA_BROKER, RULES_TOPIC: topic },
      120_000,
    );
  const endOffset = (): Promise<string> =>
    withAdmin(async (admin) => (await admin.fetchTopicOffsets(topic))[0]?.high ?? '0');

  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it('pushes a folder, pulls the same rules back, and pushes nothing the second time', async () => {
    const pushed = await cli('push', FIXTURE);
    expect(pushed.output).toContain(
      `pushed to ${topic}: 5 created, 0 updated, 0 unchanged, 0 deleted`,
    );
    expect(pushed.output).toContain('created SW-DST-0001 (destruction/SW-DST-0001.json)');
    expect(pushed.code, pushed.output).toBe(0);

    const again = await cli('push', FIXTURE);
    expect(again.output).toContain('0 created, 0 updated, 5 unchanged, 0 deleted');
    // A seed (the Kubernetes init container) never overwrites a topic that holds rules.
    const before = await endOffset();
    const seed = await cli('push', '--seed', FIXTURE);
    expect(seed.output).toContain(`${topic} already holds 3 rules: nothing pushed`);
    expect(await endOffset()).toBe(before);

    const out = join(workDir, 'pulled');
    const pulled = await cli('pull', out);
    expect(pulled.code, pulled.output).toBe(0);
    expect(pulled.output).toContain(`pulled 3 rules and 2 lists from ${topic} into ${out}`);
    for (const file of FILES) {
      const original: unknown = JSON.parse(readFileSync(join(FIXTURE, file), 'utf8'));
      expect(JSON.parse(readFileSync(join(out, file), 'utf8')), file).toEqual(original);
    }
    // The pulled folder is a valid rule folder, as the folder store reads it.
    const valid = await cli('validate', out);
    expect(valid.code, valid.output).toBe(0);
  });

  it('pushes an edit and, with --prune, a deletion; pull --prune follows', async () => {
    const edited = join(workDir, 'edited');
    cpSync(FIXTURE, edited, { recursive: true });
    const file = join(edited, 'execution/SW-EXE-0002.json');
    const rule = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...rule, enabled: false }, null, 2));
    unlinkSync(join(edited, 'destruction/SW-DST-0001.json'));

    const kept = await cli('push', edited);
    expect(kept.output).toContain(
      '0 created, 1 updated, 3 unchanged, 0 deleted; 1 in the topic but not in',
    );
    const pruned = await cli('push', edited, '--prune');
    expect(pruned.output).toContain('deleted SW-DST-0001 (destruction/SW-DST-0001.json)');
    expect(pruned.output).toContain('0 created, 0 updated, 4 unchanged, 1 deleted');

    const out = join(workDir, 'pulled');
    const pulled = await cli('pull', out, '--prune');
    expect(pulled.output).toContain('removed destruction/SW-DST-0001.json');
    expect(pulled.output).toContain('updated execution/SW-EXE-0002.json');
    expect(
      (
        JSON.parse(readFileSync(join(out, 'execution/SW-EXE-0002.json'), 'utf8')) as {
          enabled: boolean;
        }
      ).enabled,
    ).toBe(false);
  });

  it('pushes nothing from a folder with an invalid rule, and says which file and why', async () => {
    const broken = join(workDir, 'broken');
    cpSync(FIXTURE, broken, { recursive: true });
    writeFileSync(
      join(broken, 'execution/SW-EXE-0001.json'),
      JSON.stringify({ id: 'SW-EXE-0001', name: 'no conditions', severity: 'low' }),
    );
    const before = await endOffset();
    const result = await cli('push', broken);
    expect(result.code).toBe(1);
    expect(result.output).toContain('execution/SW-EXE-0001.json');
    expect(result.output).toContain('nothing was pushed');
    expect(await endOffset()).toBe(before);
  });

  it('says so in one line when Kafka cannot be reached', async () => {
    const result = await runProcess(
      process.execPath,
      [resolve(REPO_ROOT, 'bin/shellwatch.js'), 'rules', 'pull', join(workDir, 'nowhere')],
      { PATH: process.env.PATH ?? '', KAFKA_BROKERS: '127.0.0.1:1', RULES_TOPIC: topic },
      120_000,
    );
    expect(result.code).toBe(1);
    expect(result.output).toContain(`shellwatch: the rule topic ${topic} at 127.0.0.1:1:`);
    expect(result.output).not.toContain('    at ');
  });
});
