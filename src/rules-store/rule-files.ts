import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { contentHash } from '../core/rules/content-hash';
import type { RuleProblem } from '../core/rules';

/** A file's path relative to the rules folder, and its text. */
export interface SourceFile {
  path: string;
  text: string;
}

export interface RuleFolderContents {
  rules: SourceFile[];
  lists: SourceFile[];
  /**
   * Entries that were not read, and why: a symbolic link that leads outside the
   * rules folder. Never carries the content of what was refused. A folder with
   * any refused entry does not load.
   */
  refused: RuleProblem[];
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
 * Hidden entries are skipped and symbolic links followed when they stay inside
 * the folder: a Kubernetes ConfigMap volume is a set of links into a hidden
 * `..<timestamp>` folder, and the API's temporary files are hidden until
 * renamed. A link that leads outside the folder (`x.json -> /etc/passwd`) is
 * refused without being read, so no message can quote what it points to.
 */
export async function readRuleFolder(dir: string): Promise<RuleFolderContents> {
  const rules: SourceFile[] = [];
  const lists: SourceFile[] = [];
  const refused: RuleProblem[] = [];
  // Links are judged against the real folder: RULES_DIR may itself be a link (a deploy's `current`).
  const root = await realpath(dir);
  const walk = async (folder: string, depth: number): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const name = entry.name;
      if (name.startsWith('.')) continue;
      const absolute = join(folder, name);
      const path = relative(dir, absolute).split(sep).join('/');
      const info = await stat(absolute).catch(() => undefined); // a dangling link is skipped
      if (info === undefined) continue;
      const relevant = info.isDirectory() || (info.isFile() && name.endsWith('.json'));
      if (!relevant) continue;
      if (entry.isSymbolicLink() && !isInside(root, await realpath(absolute))) {
        refused.push({
          file: path,
          pointer: '',
          message: `is a symbolic link that leads outside the rules folder; refused, its ${
            info.isDirectory() ? 'files were' : 'content was'
          } not read`,
        });
        continue;
      }
      if (info.isDirectory()) {
        if (depth < MAX_DEPTH) await walk(absolute, depth + 1);
        continue;
      }
      const top = path.split('/')[0] ?? '';
      if (top === 'lists') lists.push({ path, text: await readFile(absolute, 'utf8') });
      else if (!NOT_RULES.has(top)) rules.push({ path, text: await readFile(absolute, 'utf8') });
    }
  };
  await walk(dir, 0);
  const byPath = (a: SourceFile, b: SourceFile): number => a.path.localeCompare(b.path);
  return { rules: rules.sort(byPath), lists: lists.sort(byPath), refused };
}

/**
 * The content hash of what the folder holds, comparable with the hash of a loaded
 * rule set (the same {@link contentHash} over the same files). Refused entries
 * count by path, so a folder with one never hashes like a set that could load.
 */
export function folderHash(folder: RuleFolderContents): string {
  if (folder.refused.length === 0) return contentHash(folder.rules, folder.lists);
  const marks = folder.refused.map((problem) => ({ path: problem.file, text: '\0refused' }));
  return contentHash([...folder.rules, ...marks], folder.lists);
}

/** True when `target` is `root` or below it (both real paths). */
export function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`));
}
