import { cpSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Config } from '../config/config';
import { HealthState } from '../health/health-state';
import { MetricsService } from '../metrics/metrics.service';
import { RuleRegexService } from '../regex-check/rule-regex.service';
import { RuleSetRejectedError, RuleStore } from './rule-store.service';

const FIXTURES = resolve(__dirname, '../../test/fixtures/rules/basic');
// One regex service for the file: its recheck agent is started once and ended after.
const regexes = new RuleRegexService();
afterAll(() => regexes.onModuleDestroy());

function store(): { dir: string; store: RuleStore; metrics: MetricsService } {
  const dir = join(mkdtempSync(join(tmpdir(), 'rule-store-')), 'rules');
  cpSync(FIXTURES, dir, { recursive: true });
  const metrics = new MetricsService();
  const config = {
    rules: { dir },
    pipeline: { stuckPartitionAfterMs: 60_000 },
  } as unknown as Config;
  return { dir, store: new RuleStore(config, new HealthState(config), metrics, regexes), metrics };
}

async function rejection(reload: Promise<unknown>): Promise<RuleSetRejectedError> {
  const error = await reload.catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(RuleSetRejectedError);
  return error as RuleSetRejectedError;
}

describe('RuleStore status: the running set against the files', () => {
  it('shows the files hash beside the running hash, and stale while they differ', async () => {
    const { store: rules, metrics } = store();
    const loaded = await rules.reload();
    expect(loaded).toMatchObject({ ruleCount: 3, stale: false, staleSince: null });
    expect(loaded.filesHash).toBe(loaded.hash);
    rules.filesObserved('another set');
    expect(rules.status()).toMatchObject({ stale: true, filesHash: 'another set' });
    expect(rules.status().staleSince).not.toBeNull();
    expect((await metrics.render()).body).toMatch(/^shellwatch_rules_stale 1$/m);
    rules.filesObserved(loaded.hash);
    expect(rules.status()).toMatchObject({ stale: false, staleSince: null });
    expect((await metrics.render()).body).toMatch(/^shellwatch_rules_stale 0$/m);
  });

  it('keeps the last good set while the folder is missing, and says so', async () => {
    const { dir, store: rules } = store();
    const loaded = await rules.reload();
    renameSync(dir, `${dir}.aside`);
    const error = await rejection(rules.reload());
    expect(error.problems).toEqual([
      {
        file: dir,
        pointer: '',
        message: expect.stringMatching(/^the rules folder does not exist/) as unknown,
      },
    ]);
    expect(rules.status()).toMatchObject({
      ruleCount: 3,
      hash: loaded.hash,
      loadedAt: loaded.loadedAt,
      filesHash: null,
      stale: true,
    });
    renameSync(`${dir}.aside`, dir);
    // The same files again: no new load, errors cleared, in step.
    expect(await rules.reload()).toMatchObject({
      hash: loaded.hash,
      loadedAt: loaded.loadedAt,
      lastErrors: [],
      stale: false,
    });
  });

  it('rejects a set with a rule file linked outside the folder, without its content', async () => {
    const { dir, store: rules } = store();
    const loaded = await rules.reload();
    const outside = join(mkdtempSync(join(tmpdir(), 'outside-')), 'passwd');
    writeFileSync(outside, 'root:x:0:0:root:/root:/bin/bash\n');
    symlinkSync(outside, join(dir, 'execution', 'SW-EXE-0009.json'));
    const error = await rejection(rules.reload());
    expect(error.message).not.toContain('root:');
    expect(JSON.stringify(rules.status())).not.toContain('root:');
    expect(rules.status()).toMatchObject({ hash: loaded.hash, stale: true });
    expect(rules.status().lastErrors).toEqual([
      expect.objectContaining({ file: 'execution/SW-EXE-0009.json', pointer: '' }),
    ]);
    rmSync(join(dir, 'execution', 'SW-EXE-0009.json'));
    expect(await rules.reload()).toMatchObject({ stale: false, lastErrors: [] });
  });
});

describe('RuleStore hot reload and regex safety', () => {
  it('rejects a reload whose new rule backtracks catastrophically, keeps the last set, then loads the fix', async () => {
    const { dir, store: rules } = store();
    const loaded = await rules.reload();
    const file = join(dir, 'SW-TST-0901.json');
    const write = (regex: string): void =>
      writeFileSync(
        file,
        JSON.stringify({
          id: 'SW-TST-0901',
          name: 'added by a test',
          severity: 'low',
          conditions: { all: [{ fact: 'commandLine', operator: 'regex', value: regex }] },
        }),
      );
    write('^(x+x+)+y$');
    const error = await rejection(rules.reload());
    expect(error.problems.map((p) => [p.file, p.pointer])).toEqual([
      ['SW-TST-0901.json', '/conditions/all/0/value'],
    ]);
    expect(error.problems[0]?.message).toMatch(/backtrack catastrophically/);
    expect(rules.status()).toMatchObject({ ruleCount: 3, hash: loaded.hash });
    write('^x+y$');
    expect(await rules.reload()).toMatchObject({ ruleCount: 4 });
  });
});
