/**
 * A/B of the rule side of the record path (src/core/rules, src/core/shell) between two
 * builds, in one process so that both see the same machine noise:
 *   node dist/bench/scan-ab.js OLD_DIST NEW_DIST [rounds] [--commands] [--distinct]
 * Each directory is a build output (main's dist/ copied aside, and this branch's).
 *
 * Each build loads the default pack (rules/, every rule: the single-event evaluator and
 * the correlation engine, as the service does) and runs an EventRun (src/core/event-run)
 * over the whole-path bench's records (the same JSON vssh records, the same command mix,
 * 20,000 of them), commands index off unless `--commands`. With `--distinct` every
 * record's line is made unique (` x<round>-<seq>` appended, an extra argument), in
 * every round, so that no per-line cache can help: the figure with no repetition.
 *
 * Before the timing, both builds must give the same documents and dead letters for
 * every record (JSON, in order), and the same `evaluate` matches for every corpus line
 * and the mix: exits 1 on any difference. The timing feeds the records in batches of
 * 500 in alternating rounds, a fresh EventRun per round, and prints the median CPU µs
 * per record (user + system of this process) of each build; also the evaluator alone
 * (`evaluate` then nothing else) over the decoded events.
 */
import { join, resolve } from 'node:path';
import type { CommandEvent } from '../src/core/event';
import type { EventRun, EventRunOptions } from '../src/core/event-run';
import type { BatchRecord } from '../src/core/process-batch';
import type { LoadedRule, loadRuleSet as LoadRuleSet } from '../src/core/rules';
import type { RuleEvaluator } from '../src/core/rules/types';
import { commandMix, corpus, eventMix, packFiles } from './corpus';
import { benchRecordValue } from './support/bench-record';

interface Build {
  name: string;
  evaluator: RuleEvaluator;
  rules: readonly LoadedRule[];
  newRun: (writeCommands: boolean) => EventRun;
}

async function load(name: string, dist: string): Promise<Build> {
  const root = resolve(dist);
  const rulesModule = (await import(join(root, 'src/core/rules/index.js'))) as {
    loadRuleSet: typeof LoadRuleSet;
  };
  const runModule = (await import(join(root, 'src/core/event-run/index.js'))) as {
    EventRun: new (options: EventRunOptions) => EventRun;
  };
  const pack = packFiles();
  // Regexes allowed unchecked (recheck's verdicts are not what is measured): on a loaded
  // machine its analysis of a new pattern can time out and refuse the rule.
  const loaded = rulesModule.loadRuleSet(pack.rules, pack.lists, { checkRegex: () => undefined });
  if (!loaded.ok)
    throw new Error(
      `${dist}: the pack does not load: ${JSON.stringify(loaded.errors).slice(0, 600)}`,
    );
  const { evaluator, rules } = loaded;
  const fixedNow = new Date(Date.UTC(2026, 11, 7, 12));
  return {
    name,
    evaluator,
    rules,
    newRun: (writeCommands) =>
      new runModule.EventRun({
        source: { topic: 'bench-ab', partition: 0 },
        rules: { evaluator, rules },
        writeCommands,
        now: () => fixedNow,
      }),
  };
}

/** With `distinct`, each line gets ` x<round>-<seq>`: unique within and across rounds. */
function records(count: number, distinct: boolean, round = 0): BatchRecord[] {
  const encoder = new TextEncoder();
  return commandMix(count).map(({ line }, seq) => ({
    value: encoder.encode(benchRecordValue(seq, distinct ? `${line} x${round}-${seq}` : line)),
    offset: String(seq),
    timestampMs: Date.UTC(2026, 10, 25, 12) + seq,
  }));
}

function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function cpuMicros(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** Everything a feed produced, as text (the run's own clock is fixed). */
function runOutput(build: Build, input: BatchRecord[][], writeCommands: boolean): string[] {
  const run = build.newRun(writeCommands);
  const out: string[] = [];
  for (const batch of input) {
    const processed = run.feed(batch);
    out.push(JSON.stringify(processed));
  }
  out.push(JSON.stringify(run.finish()));
  return out;
}

function sameOutputs(a: Build, b: Build, input: BatchRecord[][], writeCommands: boolean): number {
  const left = runOutput(a, input, writeCommands);
  const right = runOutput(b, input, writeCommands);
  let differences = 0;
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    if (left[i] !== right[i]) {
      if (differences === 0)
        console.log(`batch ${i} differs:\n  ${a.name}: ${left[i]}\n  ${b.name}: ${right[i]}`);
      differences += 1;
    }
  }
  return differences;
}

function sameMatches(a: Build, b: Build, events: readonly CommandEvent[]): number {
  let differences = 0;
  for (const event of events) {
    const left = JSON.stringify(a.evaluator.evaluate({ ...event }));
    const right = JSON.stringify(b.evaluator.evaluate({ ...event }));
    if (left !== right) {
      if (differences === 0)
        console.log(`matches differ for ${JSON.stringify(event.process)}:\n  ${left}\n  ${right}`);
      differences += 1;
    }
  }
  return differences;
}

function timeFeed(build: Build, input: BatchRecord[][], writeCommands: boolean): number {
  const run = build.newRun(writeCommands);
  let count = 0;
  const started = cpuMicros();
  for (const batch of input) {
    run.feed(batch);
    count += batch.length;
  }
  return (cpuMicros() - started) / count;
}

function timeEvaluate(build: Build, events: readonly CommandEvent[]): number {
  const started = cpuMicros();
  for (const event of events) build.evaluator.evaluate({ ...event });
  return (cpuMicros() - started) / events.length;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const flags = new Set(process.argv.slice(2).filter((a) => a.startsWith('--')));
  const [oldDist, newDist] = args;
  if (oldDist === undefined || newDist === undefined) {
    console.error(
      'usage: node dist/bench/scan-ab.js OLD_DIST NEW_DIST [rounds] [--commands] [--distinct]',
    );
    process.exit(2);
  }
  const rounds = Number(args[2] ?? 9);
  const writeCommands = flags.has('--commands');
  const distinct = flags.has('--distinct');
  const a = await load('old', oldDist);
  const b = await load('new', newDist);
  const input = batches(records(20_000, distinct), 500);
  const decoder = new TextDecoder();
  const lines = new Set(
    input
      .flat()
      .map(
        (r) => (JSON.parse(decoder.decode(r.value ?? undefined)) as { command: string }).command,
      ),
  );
  console.log(
    `records 20000, distinct lines ${lines.size} (${((100 * lines.size) / 20000).toFixed(1)}%), commands index ${writeCommands ? 'on' : 'off'}`,
  );

  const { malicious, benign } = corpus();
  const corpusEvents = eventMix(1).map((template) => template);
  const lineEvents: CommandEvent[] = [...malicious, ...benign].map((line, i) => ({
    ...corpusEvents[0]!,
    user: { name: ['alice', 'root', 'deploy'][i % 3]! },
    process: { command_line: line, working_directory: '/home/alice' },
    event: { original: line },
  }));
  const mix = eventMix(20_000);
  let differences = sameOutputs(a, b, input, writeCommands);
  differences += sameOutputs(a, b, input, !writeCommands);
  differences += sameMatches(a, b, lineEvents);
  differences += sameMatches(a, b, mix);
  console.log(differences === 0 ? 'outputs identical' : `${differences} differences`);

  const feed: Record<string, number[]> = { old: [], new: [] };
  const evaluate: Record<string, number[]> = { old: [], new: [] };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? [a, b] : [b, a];
    // Both builds see the same records (their caches are their own: separate modules).
    const roundInput = distinct ? batches(records(20_000, true, round + 1), 500) : input;
    for (const build of order) {
      feed[build.name]!.push(timeFeed(build, roundInput, writeCommands));
      evaluate[build.name]!.push(timeEvaluate(build, mix));
    }
  }
  const show = (label: string, values: Record<string, number[]>): void => {
    const old = median(values.old!);
    const next = median(values.new!);
    console.log(
      `${label}: old ${old.toFixed(2)} µs, new ${next.toFixed(2)} µs, old/new ${(old / next).toFixed(2)}×`,
    );
    if (flags.has('--rounds'))
      for (const name of ['old', 'new'])
        console.log(`  ${name}: ${values[name]!.map((v) => v.toFixed(1)).join(' ')}`);
  };
  show('EventRun.feed, CPU µs / record', feed);
  show('evaluate only, CPU µs / event', evaluate);
  process.exit(differences === 0 ? 0 : 1);
}

void main();
