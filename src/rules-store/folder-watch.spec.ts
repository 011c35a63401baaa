import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FolderWatch } from './folder-watch';
import type { FolderChange } from './folder-watch';

/** Polls until `done()` holds, or fails with `what` after 10 s (a deadline, not a timing assertion). */
async function until(what: string, done: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('FolderWatch', () => {
  const watches: FolderWatch[] = [];
  afterEach(async () => {
    await Promise.all(watches.splice(0).map((watch) => watch.close()));
  });

  /** A rules folder in its own parent, watched; `changes` collects what the watch reported. */
  async function watched(): Promise<{ base: string; dir: string; changes: FolderChange[] }> {
    const base = mkdtempSync(join(tmpdir(), 'folder-watch-'));
    const dir = join(base, 'rules');
    mkdirSync(join(dir, 'execution'), { recursive: true });
    writeFileSync(join(dir, 'execution', 'SW-EXE-0001.json'), '{}');
    const changes: FolderChange[] = [];
    const watch = new FolderWatch(
      dir,
      (change) => changes.push(change),
      (message) => {
        throw new Error(message);
      },
    );
    watches.push(watch);
    await watch.start();
    return { base, dir, changes };
  }

  /** Clears what was reported, writes a file, and waits for the watch to report it. */
  async function expectEditSeen(
    changes: FolderChange[],
    file: string,
    what: string,
  ): Promise<void> {
    // Let the re-arm after a replacement finish before the edit (its report is not the edit's).
    await new Promise((resolve) => setTimeout(resolve, 200));
    changes.length = 0;
    writeFileSync(file, '{"edited":true}');
    await until(`the edit after ${what} to be reported`, () => changes.includes('changed'));
  }

  it('reports edits in sub-folders, also in one created after the start', async () => {
    const { dir, changes } = await watched();
    await expectEditSeen(changes, join(dir, 'execution', 'SW-EXE-0001.json'), 'the start');
    mkdirSync(join(dir, 'custom'));
    await expectEditSeen(changes, join(dir, 'custom', 'SW-NEW-0001.json'), 'a new folder');
  });

  it('follows the folder through rm -rf and cp -a (the freed inode number comes back)', async () => {
    const { base, dir, changes } = await watched();
    mkdirSync(join(base, 'backup', 'lists'), { recursive: true });
    execFileSync('sh', ['-c', `rm -rf "${dir}" && cp -a "${join(base, 'backup')}" "${dir}"`]);
    await until('the replacement to be reported', () => changes.includes('replaced'));
    await expectEditSeen(changes, join(dir, 'lists', 'shells.json'), 'rm -rf and cp -a');
  });

  it('follows a new folder moved into place, and reports the folder missing', async () => {
    const { base, dir, changes } = await watched();
    mkdirSync(join(base, 'next'));
    renameSync(dir, join(base, 'old'));
    renameSync(join(base, 'next'), dir);
    await until('the replacement to be reported', () => changes.includes('replaced'));
    await expectEditSeen(changes, join(dir, 'SW-EXE-0002.json'), 'mv');
    // Edits in the folder moved away are not this folder's.
    changes.length = 0;
    renameSync(dir, join(base, 'gone'));
    await until('the folder reported missing', () => changes.includes('missing'));
  });

  it('follows a rules folder that is a link swapped to another release', async () => {
    const base = mkdtempSync(join(tmpdir(), 'folder-watch-'));
    mkdirSync(join(base, 'v1'));
    mkdirSync(join(base, 'v2'));
    symlinkSync('v1', join(base, 'current'));
    const changes: FolderChange[] = [];
    const watch = new FolderWatch(
      join(base, 'current'),
      (c) => changes.push(c),
      () => undefined,
    );
    watches.push(watch);
    await watch.start();
    symlinkSync('v2', join(base, 'next'));
    renameSync(join(base, 'next'), join(base, 'current'));
    await until('the swap to be reported', () => changes.includes('replaced'));
    await expectEditSeen(changes, join(base, 'v2', 'SW-EXE-0001.json'), 'the link swap');
  });

  it('watches the parent, the folder and each sub-folder, and closes every watch', async () => {
    const { dir } = await watched();
    const watch = watches[0]!;
    expect(watch.watchCount).toBe(3);
    mkdirSync(join(dir, 'lists'));
    await until('the new folder watched', () => watch.watchCount === 4);
    await watch.close();
    expect(watch.watchCount).toBe(0);
  });
});
