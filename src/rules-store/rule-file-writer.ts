import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { CONFIG } from '../config/config';
import type { Config } from '../config/config';
import { readRuleFolder } from './rule-files';
import type { RuleFolderContents } from './rule-files';
import { resolveInside } from './rule-paths';

/**
 * Rule files on disk, for the API: read the folder, replace one file atomically,
 * remove one. Every path is relative to RULES_DIR and checked to stay inside it.
 */
@Injectable()
export class RuleFileWriter {
  constructor(@Inject(CONFIG) private readonly config: Config) {}

  /** Every rule and list file of the folder, as the rule store reads it. */
  read(): Promise<RuleFolderContents> {
    return readRuleFolder(this.config.rulesDir);
  }

  /**
   * Writes `text` to `path` so that readers (the watcher, a reload, an editor) see
   * either the old file or the new one, never a half-written one: a temporary file
   * in the same folder (same file system), flushed, then renamed over the target.
   * The temporary name does not end in `.json`, so a reload never picks it up.
   */
  async write(path: string, text: string): Promise<void> {
    const target = resolveInside(this.config.rulesDir, path);
    const folder = dirname(target);
    await mkdir(folder, { recursive: true });
    const temporary = join(folder, `.${basename(target)}.${randomUUID()}.tmp`);
    const handle = await open(temporary, 'wx', 0o644);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temporary, target);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
  }

  /** Removes the rule file at `path` (relative to RULES_DIR). */
  async remove(path: string): Promise<void> {
    await unlink(resolveInside(this.config.rulesDir, path));
  }
}
