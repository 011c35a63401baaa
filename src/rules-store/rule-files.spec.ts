import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { folderHash, readRuleFolder } from './rule-files';

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

describe('readRuleFolder and links that lead outside the folder', () => {
  it('refuses a rule file linked outside without reading it, and a linked folder outside', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'outside-'));
    writeFileSync(join(outside, 'secret.json'), 'root:x:0:0:root:/root:/bin/bash');
    mkdirSync(join(outside, 'more'));
    writeFileSync(join(outside, 'more', 'SW-EXE-0003.json'), 'root:x:0:0');
    const dir = mkdtempSync(join(tmpdir(), 'rules-'));
    mkdirSync(join(dir, 'custom'));
    symlinkSync(join(outside, 'secret.json'), join(dir, 'custom', 'SW-PWD-0001.json'));
    symlinkSync(join(outside, 'more'), join(dir, 'more'));
    writeFileSync(join(dir, 'SW-EXE-0001.json'), '{}');
    const folder = await readRuleFolder(dir);
    expect(folder.rules).toEqual([{ path: 'SW-EXE-0001.json', text: '{}' }]);
    expect(folder.refused).toEqual([
      {
        file: 'custom/SW-PWD-0001.json',
        pointer: '',
        message:
          'is a symbolic link that leads outside the rules folder; refused, its content was not read',
      },
      {
        file: 'more',
        pointer: '',
        message:
          'is a symbolic link that leads outside the rules folder; refused, its files were not read',
      },
    ]);
    expect(JSON.stringify(folder)).not.toContain('root:');
    // A folder with a refused entry never hashes like the set of its readable files.
    expect(folderHash(folder)).not.toBe(folderHash({ ...folder, refused: [] }));
  });

  it('follows links inside the folder, and a rules folder that is itself a link', async () => {
    const base = mkdtempSync(join(tmpdir(), 'release-'));
    mkdirSync(join(base, 'v2', 'execution'), { recursive: true });
    writeFileSync(join(base, 'v2', 'execution', 'SW-EXE-0001.json'), '{}');
    symlinkSync('execution/SW-EXE-0001.json', join(base, 'v2', 'SW-EXE-0002.json'));
    symlinkSync('v2', join(base, 'current'));
    const folder = await readRuleFolder(join(base, 'current'));
    expect(folder.refused).toEqual([]);
    expect(folder.rules.map((file) => file.path)).toEqual([
      'execution/SW-EXE-0001.json',
      'SW-EXE-0002.json',
    ]);
  });
});
