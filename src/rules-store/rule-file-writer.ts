import { randomUUID } from 'node:crypto';
import { mkdir, open, realpath, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { CONFIG } from '../config/config';
import type { Config } from '../config/config';
import { FolderLockError, withFolderLock } from './folder-lock';
import type { FolderLease } from './folder-lock';
import { isInside, readRuleFolder } from './rule-files';
import type { RuleFolderContents } from './rule-files';
import { resolveInside, RulePathError } from './rule-paths';

/**
 * Rule files on disk, for the API: read the folder, replace one file atomically,
 * remove one, under the folder's write lock. Every path is relative to RULES_DIR
 * and checked to stay inside it, lexically and through links.
 */
@Injectable()
export class RuleFileWriter {
  constructor(@Inject(CONFIG) private readonly config: Config) {}

  /** Every rule and list file of the folder, as the rule store reads it. */
  read(): Promise<RuleFolderContents> {
    return readRuleFolder(this.config.rules.dir);
  }

  /**
   * Runs `work` holding the folder's write lock, shared with every process on the
   * same folder: a read, a check and a write inside it are one step for all of them.
   */
  locked<T>(work: (lease: FolderLease) => Promise<T>): Promise<T> {
    return withFolderLock(this.config.rules.dir, work);
  }

  /**
   * Writes `text` to `path` so that readers (the watcher, a reload, an editor) see
   * either the old file or the new one, never a half-written one: a temporary file
   * in the same folder (same file system), flushed, then renamed over the target.
   * The temporary name does not end in `.json`, so a reload never picks it up.
   */
  async write(path: string, text: string): Promise<void> {
    const target = resolveInside(this.config.rules.dir, path);
    const folder = dirname(target);
    const root = await this.realRoot();
    // Before and after creating it: no folder is made, and no file written, through a link that leads outside.
    await assertRealInside(root, folder, path);
    await mkdir(folder, { recursive: true });
    await assertRealInside(root, folder, path);
    const temporary = join(folder, `.${basename(target)}.${randomUUID()}.tmp`);
    const handle = await open(temporary, 'wx', 0o644);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      // rename() replaces a link at `target` itself, never the file it points to.
      await rename(temporary, target);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
  }

  /** Removes the rule file at `path` (relative to RULES_DIR); a link is removed, not what it points to. */
  async remove(path: string): Promise<void> {
    const target = resolveInside(this.config.rules.dir, path);
    await assertRealInside(await this.realRoot(), dirname(target), path);
    await unlink(target);
  }

  private async realRoot(): Promise<string> {
    try {
      return await realpath(this.config.rules.dir);
    } catch {
      // Never re-create a missing RULES_DIR: a folder holding one rule would become the whole set.
      throw new FolderLockError(
        'the rules folder does not exist (removed, or being replaced); nothing was written',
        'RULES_FOLDER_MISSING',
      );
    }
  }
}

/** Throws {@link RulePathError} when `folder`, or the part of it that exists, is really outside `root`. */
async function assertRealInside(root: string, folder: string, path: string): Promise<void> {
  let existing = folder;
  for (;;) {
    const real = await realpath(existing).catch(() => undefined);
    if (real !== undefined) {
      if (isInside(root, real)) return;
      throw new RulePathError(
        `path ${JSON.stringify(path)} leads outside the rules folder through a symbolic link`,
      );
    }
    const parent = dirname(existing);
    if (parent === existing) return;
    existing = parent;
  }
}
