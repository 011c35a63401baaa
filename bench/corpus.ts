/**
 * Inputs shared by the benchmarks: the rule sets (the default pack in rules/ plus
 * generated rules up to a count) and a realistic event mix built from the corpora in
 * test/fixtures/corpus/ (about 1% malicious lines, the rest benign).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { CommandEvent } from '../src/core/event';
import { formatRuleProblems, loadRuleSet } from '../src/core/rules';
import type { RuleSet, SourceFile } from '../src/core/rules';
import { generatedLists, generateRules, prng } from './support/generate-rules';

/** The repository root, found from dist/bench or bench/. */
export const REPO_ROOT = ((): string => {
  for (let dir = __dirname; dir !== join(dir, '..'); dir = join(dir, '..')) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'rules'))) return dir;
  }
  return process.cwd();
})();

function jsonFiles(dir: string): SourceFile[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
    .map((entry) => join(entry.parentPath, entry.name))
    .map((path) => ({
      path: relative(dir, path).split('\\').join('/'),
      text: readFileSync(path, 'utf8'),
    }));
}

/** The default pack's rule and list files. */
export function packFiles(): { rules: SourceFile[]; lists: SourceFile[] } {
  const all = jsonFiles(join(REPO_ROOT, 'rules'));
  const top = (f: SourceFile): string => f.path.split('/')[0] ?? '';
  return {
    rules: all.filter((f) => !['lists', 'schema', 'formats'].includes(top(f))),
    lists: all.filter((f) => top(f) === 'lists'),
  };
}

function listName(file: SourceFile): string {
  return (JSON.parse(file.text) as { name: string }).name;
}

/** Whether a rule file holds a single-event rule (no threshold or sequence). */
function isSingleEventFile(file: SourceFile): boolean {
  const type = (JSON.parse(file.text) as { type?: unknown }).type;
  return type === undefined || type === 'single';
}

/**
 * Rule and list files for `count` single-event rules: the pack's (the first `count` by
 * file path, i.e. by category and id, when the pack has more), then generated ones (support/generate-rules.ts) up to
 * `count`. Threshold and sequence rules are left out: the service's evaluator holds
 * single-event rules only (loadRuleSet's `evaluator`), and the correlation engine
 * runs the others, which the whole-path runs measure.
 */
export function ruleFilesFor(count: number): {
  rules: SourceFile[];
  lists: SourceFile[];
  packRules: number;
} {
  const pack = packFiles();
  const packRules = pack.rules
    .filter(isSingleEventFile)
    .sort((a, b) => a.path.localeCompare(b.path))
    .slice(0, count);
  const names = new Set(pack.lists.map(listName));
  const lists = [...pack.lists, ...generatedLists().filter((f) => !names.has(listName(f)))];
  return {
    rules: [...packRules, ...generateRules(count - packRules.length)],
    lists,
    packRules: packRules.length,
  };
}

/** Loads (validates, checks regexes, compiles) `count` rules; throws on problems. */
export function ruleSetFor(count: number): { ruleSet: RuleSet; packRules: number; loadMs: number } {
  const files = ruleFilesFor(count);
  const started = performance.now();
  const loaded = loadRuleSet(files.rules, files.lists);
  if (!loaded.ok) throw new Error(formatRuleProblems(loaded.errors));
  return {
    ruleSet: loaded.ruleSet,
    packRules: files.packRules,
    loadMs: performance.now() - started,
  };
}

/**
 * Commands of the corpora: `command` of *.jsonl lines, non-empty lines of *.txt, files
 * directly in test/fixtures/corpus/ only. The generalization corpora in its sub-folders
 * (attacks/, everyday/) stay out of the bench mix, which keeps its figures comparable
 * with earlier runs, and out of the prefilter differential tests that read it.
 */
export function corpus(): { malicious: string[]; benign: string[] } {
  const dir = join(REPO_ROOT, 'test/fixtures/corpus');
  const out = { malicious: [] as string[], benign: [] as string[] };
  const files = existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isFile())
    : [];
  for (const { name } of files) {
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
  if (out.benign.length === 0 || out.malicious.length === 0)
    throw new Error(
      `test/fixtures/corpus/ needs benign and malicious lines (found ${out.benign.length} and ${out.malicious.length})`,
    );
  return out;
}

/** `count` command lines, about `maliciousShare` malicious, deterministic. */
export function commandMix(
  count: number,
  maliciousShare = 0.01,
  seed = 8,
): { line: string; malicious: boolean }[] {
  const { malicious, benign } = corpus();
  const random = prng(seed);
  return Array.from({ length: count }, () => {
    const bad = random() < maliciousShare;
    const pool = bad ? malicious : benign;
    return { line: pool[Math.floor(random() * pool.length)]!, malicious: bad };
  });
}

const USERS = ['alice', 'bob', 'deploy', 'root', 'ci'];

const WEEK_MS = 7 * 24 * 3600 * 1000;

/**
 * The command mix as events, as the lines/vssh decoders would produce them. Their
 * times are spread evenly over one week (from a Monday, UTC), as a fleet's are: rules
 * with a time window (night shift, weekend) are in force for their share of the events,
 * not for none or all of them.
 */
export function eventMix(count: number, maliciousShare = 0.01): CommandEvent[] {
  const start = Date.UTC(2026, 10, 23);
  return commandMix(count, maliciousShare).map(({ line }, i) => ({
    '@timestamp': new Date(start + Math.floor((i * WEEK_MS) / count)).toISOString(),
    user: { name: USERS[i % USERS.length]!, ...(i % USERS.length === 3 ? { id: '0' } : {}) },
    host: { name: `web-${i % 5}.example.internal` },
    source: { ip: '198.51.100.23' },
    process: { command_line: line, working_directory: '/home/alice' },
    event: { original: line },
    log: { source: 'vssh' },
  }));
}
