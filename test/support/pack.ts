import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { SourceFile } from '../../src/core/rules/types';

/** The repository root (this file is test/support/pack.ts). */
export const REPO = join(__dirname, '../..');

function jsonFiles(dir: string): SourceFile[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
    .map((entry) => join(entry.parentPath, entry.name))
    .map((path) => ({ path: relative(dir, path), text: readFileSync(path, 'utf8') }));
}

/** The default pack's rule files and list files (rules/, as it is when the test runs). */
export function packFiles(): { rules: SourceFile[]; lists: SourceFile[] } {
  const all = jsonFiles(join(REPO, 'rules'));
  const top = (file: SourceFile): string => file.path.split(/[\\/]/)[0] ?? '';
  return {
    rules: all.filter((f) => !['lists', 'schema', 'formats'].includes(top(f))),
    lists: all.filter((f) => top(f) === 'lists'),
  };
}

/** Every command of test/fixtures/corpus/: `command` of *.jsonl lines, lines of *.txt. */
export function corpusLines(): { malicious: string[]; benign: string[] } {
  const dir = join(REPO, 'test/fixtures/corpus');
  const out = { malicious: [] as string[], benign: [] as string[] };
  for (const name of readdirSync(dir)) {
    const text = readFileSync(join(dir, name), 'utf8');
    const kind = name.startsWith('benign') ? 'benign' : 'malicious';
    if (name.endsWith('.jsonl')) {
      for (const line of text.split('\n')) {
        if (line.trim() === '') continue;
        const command = (JSON.parse(line) as { command?: unknown }).command;
        if (typeof command === 'string') out[kind].push(command);
      }
    } else if (name.endsWith('.txt')) {
      out[kind].push(...text.split('\n').filter((line) => line.trim() !== ''));
    }
  }
  return out;
}
