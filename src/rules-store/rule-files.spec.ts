import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRuleFolder } from './rule-files';

describe('readRuleFolder', () => {
  it('reads rules at any depth and lists under lists/, skipping schema/', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rules-'));
    mkdirSync(join(dir, 'execution/deep'), { recursive: true });
    mkdirSync(join(dir, 'lists'));
    mkdirSync(join(dir, 'schema'));
    writeFileSync(join(dir, 'SW-TOP-0001.json'), '{}');
    writeFileSync(join(dir, 'execution/deep/SW-EXE-0009.json'), '{}');
    writeFileSync(join(dir, 'lists/shells.json'), '{}');
    writeFileSync(join(dir, 'schema/rule.schema.json'), '{}');
    writeFileSync(join(dir, 'execution/notes.txt'), 'not a rule');
    const folder = await readRuleFolder(dir);
    expect(folder.rules.map((f) => f.path)).toEqual([
      'execution/deep/SW-EXE-0009.json',
      'SW-TOP-0001.json',
    ]);
    expect(folder.lists.map((f) => f.path)).toEqual(['lists/shells.json']);
  });

  it('follows links and skips hidden entries, as a Kubernetes ConfigMap volume lays them out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'configmap-'));
    mkdirSync(join(dir, '..2026_11_25_17_00_00.123'));
    writeFileSync(join(dir, '..2026_11_25_17_00_00.123/SW-EXE-0001.json'), '{"id":"SW-EXE-0001"}');
    symlinkSync('..2026_11_25_17_00_00.123', join(dir, '..data'));
    symlinkSync('..data/SW-EXE-0001.json', join(dir, 'SW-EXE-0001.json'));
    writeFileSync(join(dir, '.SW-EXE-0002.json.tmp'), 'half written');
    symlinkSync('missing.json', join(dir, 'SW-DANGLING.json'));
    const folder = await readRuleFolder(dir);
    expect(folder.rules).toEqual([{ path: 'SW-EXE-0001.json', text: '{"id":"SW-EXE-0001"}' }]);
  });
});
