import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/** A file's path relative to the rules folder, and its text. */
export interface SourceFile {
  path: string;
  text: string;
}

export interface RuleFolderContents {
  rules: SourceFile[];
  lists: SourceFile[];
}

/** Folders under the rules directory that hold something other than rules. */
const NOT_RULES = new Set(['lists', 'schema', 'formats']);

/**
 * Reads every `*.json` rule file under `dir` (any depth) and every named list
 * under `dir/lists/`. Paths are relative to `dir` with `/` separators, so error
 * messages and hashes are the same on every machine.
 */
export async function readRuleFolder(dir: string): Promise<RuleFolderContents> {
  const rules: SourceFile[] = [];
  const lists: SourceFile[] = [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith('.json')) continue;
    const absolute = join(entry.parentPath, entry.name);
    const path = relative(dir, absolute).split(sep).join('/');
    const top = path.split('/')[0] ?? '';
    if (top === 'lists') {
      lists.push({ path, text: await readFile(absolute, 'utf8') });
    } else if (!NOT_RULES.has(top)) {
      rules.push({ path, text: await readFile(absolute, 'utf8') });
    }
  }
  const byPath = (a: SourceFile, b: SourceFile): number => a.path.localeCompare(b.path);
  return { rules: rules.sort(byPath), lists: lists.sort(byPath) };
}
