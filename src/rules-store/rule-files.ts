import { readdir, readFile, stat } from 'node:fs/promises';
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

/** Deep enough for any sane layout; stops a symlink loop. */
const MAX_DEPTH = 8;

/**
 * Reads every `*.json` rule file under `dir` (any depth) and every named list
 * under `dir/lists/`. Paths are relative to `dir` with `/` separators, so error
 * messages and hashes are the same on every machine.
 *
 * Hidden entries are skipped and symbolic links followed: a Kubernetes
 * ConfigMap volume is a set of links into a hidden `..<timestamp>` folder, and
 * the API's temporary files are hidden until renamed.
 */
export async function readRuleFolder(dir: string): Promise<RuleFolderContents> {
  const rules: SourceFile[] = [];
  const lists: SourceFile[] = [];
  const walk = async (folder: string, depth: number): Promise<void> => {
    for (const name of await readdir(folder)) {
      if (name.startsWith('.')) continue;
      const absolute = join(folder, name);
      const info = await stat(absolute).catch(() => undefined); // a dangling link is skipped
      if (info?.isDirectory() && depth < MAX_DEPTH) {
        await walk(absolute, depth + 1);
        continue;
      }
      if (!info?.isFile() || !name.endsWith('.json')) continue;
      const path = relative(dir, absolute).split(sep).join('/');
      const top = path.split('/')[0] ?? '';
      if (top === 'lists') lists.push({ path, text: await readFile(absolute, 'utf8') });
      else if (!NOT_RULES.has(top)) rules.push({ path, text: await readFile(absolute, 'utf8') });
    }
  };
  await walk(dir, 0);
  const byPath = (a: SourceFile, b: SourceFile): number => a.path.localeCompare(b.path);
  return { rules: rules.sort(byPath), lists: lists.sort(byPath) };
}
