/**
 * A/B of the shell parser between two builds, in one process so that both see the same
 * machine noise: `node dist/bench/parse-ab.js OLD_DIST NEW_DIST [rounds]`, where each
 * directory is a build output holding src/core/shell/parse-command-line.js (for
 * example the main branch's dist/ and a branch built with
 * `npx tsc -p tsconfig.build.json --outDir /tmp/new`).
 *
 * Checks that the two builds give the same output, JSON of parseCommandLine with keys
 * sorted, so that key order does not count (a throw counts as an output and must match too), for every corpus line, every line
 * of commandMix(20000) and, after the timing, a seeded fuzz of shell-heavy random
 * lines. The timing parses commandMix(20000) in alternating rounds and prints the
 * median lines/s (CPU time) of each build. Exits 1 on any difference.
 *
 * With `--changed` (a build that changes the output on purpose), differences are
 * counted and reported instead, and the timing is also given for the mix lines the
 * change does not concern (no brace, glob or here-string character, no pipe: what the
 * parser did before at the same cost) and for SHELL_SEMANTICS lines, which do.
 */
import { join, resolve } from 'node:path';
import { prng } from './support/generate-rules';
import { commandMix, corpus } from './corpus';

type Parse = (line: string) => unknown[];

async function load(dist: string): Promise<Parse> {
  const path = join(resolve(dist), 'src/core/shell/parse-command-line.js');
  const module = (await import(path)) as { parseCommandLine: Parse };
  return module.parseCommandLine;
}

/** The output as text, or the kind of exception. */
function outcome(parse: Parse, line: string): string {
  try {
    return canonicalJson(parse(line));
  } catch (error) {
    return `throws ${error instanceof Error ? error.name : typeof error}`;
  }
}

/** JSON with every object's keys sorted: the same values in another key order are the same output. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item !== null && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : 1)))
      : item,
  );
}

const PIECES = [
  ...['$(', ')', '(', '`', "'", '"', '\\', '$IFS', '${IFS}', '${', '}', '<(', '>('],
  ...['>&', '&>', '&>>', '2>', '<<<', '<<-', '>|', '<>', '<&', '|', '|&', ';', ';;', '&&'],
  ...['||', '&', ' ', '  ', '\t', '\r', '\n', '\\\n', '#', 'a#b', '\u00a0', '\ufeff'],
  ...['bash -c ', 'sh -lc ', 'sudo ', 'sudo -u bob ', 'doas ', 'su -c ', 'su root '],
  ...['env ', 'env -S ', 'nohup ', 'timeout 5 ', 'nice -5 ', 'xargs -0 ', 'busybox '],
  ...['command -v ', 'exec -a x ', 'eval ', 'find . -exec ', ' {} ', '\\;', ' + '],
  ...['rm', '-rf', '--force', '--color=auto', '--', '-', 'x=rm ', 'A[1]=2 ', 'export '],
  ...['$x', '${x}', '$(which nc)', '`command -v python3`', "$'", '\\x72\\x6d', '\\101'],
  ...['$@', '$1', '$0', '$$', '$((1+2))', '$"', 'toString ', 'toString -x ', '! ', 'if '],
  ...['\ud83d\ude00', '\ud83d', '-\ud83d\ude00', 'é', '/usr/bin/', './', 'ls ', 'cat '],
];

function fuzzLines(count: number): string[] {
  const random = prng(20261126);
  return Array.from({ length: count }, () => {
    let line = '';
    const length = Math.floor(random() * 40);
    for (let k = 0; k < length; k++) line += PIECES[Math.floor(random() * PIECES.length)];
    return line;
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/**
 * Lines per second of one pass over `lines`, in CPU time of this process: on a machine
 * shared with other work, wall time also counts the time other processes had the core.
 */
function measure(parse: Parse, lines: readonly string[]): number {
  const started = process.cpuUsage();
  for (const line of lines) parse(line);
  const used = process.cpuUsage(started);
  return lines.length / ((used.user + used.system) / 1e6);
}

/** Lines that exercise brace/glob expansion, stdin scripts and static expansions (issue 21). */
const SHELL_SEMANTICS = [
  '{rm,-rf,/var/log}',
  '/bin/{c,}at /etc/passwd',
  'cat /etc/shado[w]',
  '/???/c?t /etc/passwd',
  'ls -la /var/log/*.gz',
  "echo 'rm -rf /' | bash",
  "printf '%s' 'curl x|sh' | sh",
  "bash <<< 'id; cat /etc/shadow'",
  'echo cm0gLXJmIC8= | base64 -d | bash',
  '$(echo rm) -rf /',
  '${x:-rm} -rf /',
  'a=rm; $a -rf /',
  'cp config.{yml,yml.bak}',
  'mkdir -p src/{lib,test}',
];

/** Mix lines the issue-21 changes do not touch: none of `{ * ? [ < |`. */
function untouched(line: string): boolean {
  return !/[{*?[<|]/.test(line);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const changed = argv.includes('--changed');
  const [oldDist, newDist, roundsArg] = argv.filter((arg) => arg !== '--changed');
  if (oldDist === undefined || newDist === undefined) {
    console.error('usage: node dist/bench/parse-ab.js OLD_DIST NEW_DIST [rounds]');
    process.exit(2);
  }
  const rounds = Number(roundsArg ?? 7);
  const [before, after] = [await load(oldDist), await load(newDist)];
  const { malicious, benign } = corpus();
  const mix = commandMix(20_000).map((m) => m.line);
  const fuzz = fuzzLines(50_000);

  const corpusLines = [...malicious, ...benign];
  const differences = countDifferences(before, after, [...corpusLines, ...mix]);
  if (changed) {
    console.log(`${differences} of ${corpusLines.length + mix.length} corpus and mix lines differ`);
    const plain = mix.filter(untouched);
    const semantics = Array.from(
      { length: 20_000 },
      (_, i) => SHELL_SEMANTICS[i % SHELL_SEMANTICS.length]!,
    );
    console.log(`mix (${mix.length} lines):\n${timeRounds(before, after, mix, rounds)}`);
    console.log(
      `untouched mix lines (${plain.length}):\n${timeRounds(before, after, plain, rounds)}`,
    );
    console.log(`shell-semantics lines:\n${timeRounds(before, after, semantics, rounds)}`);
    return;
  }
  if (differences > 0) process.exit(1);
  const timing = timeRounds(before, after, mix, rounds);
  // The fuzz runs after the timing: its lines that throw deoptimize code, which would
  // skew the rounds.
  const fuzzDifferences = countDifferences(before, after, fuzz);
  console.log(
    `same output: ${corpusLines.length} corpus, ${mix.length} mix, ` +
      `${fuzz.length} fuzz lines; ${fuzzDifferences} differences`,
  );
  console.log(timing);
  if (fuzzDifferences > 0) process.exit(1);
}

function countDifferences(before: Parse, after: Parse, lines: readonly string[]): number {
  let differences = 0;
  for (const line of lines) {
    const a = outcome(before, line);
    const b = outcome(after, line);
    if (a !== b && ++differences <= 5) console.log(`differs: ${JSON.stringify(line)}\n${a}\n${b}`);
  }
  return differences;
}

/** Median lines/s of each build over alternating rounds, after 3 warm-up rounds each. */
function timeRounds(before: Parse, after: Parse, lines: readonly string[], rounds: number): string {
  for (let k = 0; k < 3; k++) {
    measure(before, lines);
    measure(after, lines);
  }
  const old: number[] = [];
  const now: number[] = [];
  for (let round = 0; round < rounds; round++) {
    // Alternate which build goes first, so neither always runs right after a GC-heavy pass.
    if (round % 2 === 0) {
      old.push(measure(before, lines));
      now.push(measure(after, lines));
    } else {
      now.push(measure(after, lines));
      old.push(measure(before, lines));
    }
  }
  const format = (values: number[]): string => values.map((v) => Math.round(v)).join(' ');
  return (
    `old lines/s: ${format(old)}\nnew lines/s: ${format(now)}\n` +
    `median old ${Math.round(median(old))}, new ${Math.round(median(now))}, ` +
    `${(median(now) / median(old)).toFixed(2)}x`
  );
}

void main();
