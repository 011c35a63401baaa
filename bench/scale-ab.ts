/**
 * A/B of the evaluator's scaling (compiled 1,000 ÷ 100 rules, bench/evaluator.ts) between
 * two builds, in one process so that both see the same machine noise:
 *   node dist/bench/scale-ab.js OLD_DIST NEW_DIST [rounds] [--ms=N]
 * Each directory is a build output with node_modules beside it (as for scan-ab.ts).
 *
 * Each build loads the evaluator section's 100- and 1,000-rule sets from its own
 * modules (regexes allowed unchecked: recheck's verdicts are not what is measured) and
 * must give the same matches for every event of the 20,000-event mix, three times over
 * (a line's first sighting, the one that keeps it, and replays). Then, in alternating
 * rounds, each set's events per CPU second as evaluator.ts measures events/s (a fresh
 * shallow copy per event, a warm-up of a quarter of the time); printed: the medians and the median of
 * each round's 1,000 ÷ 100 ratio, per build.
 */
import { join, resolve } from 'node:path';
import type { CommandEvent } from '../src/core/event';
import type {
  compileRuleSet as CompileRuleSet,
  loadRuleSet as LoadRuleSet,
} from '../src/core/rules';
import type { RuleEvaluator } from '../src/core/rules/types';
import type { ruleFilesFor as RuleFilesFor, eventMix as EventMix } from './corpus';

interface Build {
  name: string;
  sets: Map<number, RuleEvaluator>;
}

async function load(name: string, dist: string, counts: readonly number[]): Promise<Build> {
  const root = resolve(dist);
  const rules = (await import(join(root, 'src/core/rules/index.js'))) as {
    loadRuleSet: typeof LoadRuleSet;
    compileRuleSet: typeof CompileRuleSet;
  };
  const corpus = (await import(join(root, 'bench/corpus.js'))) as {
    ruleFilesFor: typeof RuleFilesFor;
  };
  const sets = new Map<number, RuleEvaluator>();
  for (const count of counts) {
    const files = corpus.ruleFilesFor(count);
    const loaded = rules.loadRuleSet(files.rules, files.lists, { checkRegex: () => undefined });
    if (!loaded.ok) throw new Error(`${dist}: ${count} rules do not load`);
    sets.set(count, rules.compileRuleSet(loaded.ruleSet));
  }
  return { name, sets };
}

function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/**
 * Events per CPU second over the pool for `ms` of CPU time after a warm-up of ms/4: as
 * evaluator.ts's `rate`, but on the process's CPU clock, since on a shared machine the
 * wall clock mostly measures the wait for a core.
 */
function rate(events: readonly CommandEvent[], evaluator: RuleEvaluator, ms: number): number {
  let i = 0;
  const warmEnd = cpuMs() + ms / 4;
  while (cpuMs() < warmEnd) evaluator.evaluate({ ...events[i++ % events.length]! });
  let count = 0;
  const started = cpuMs();
  let now = started;
  while (now - started < ms) {
    for (let k = 0; k < 64; k++)
      evaluator.evaluate({ ...events[(i + count + k) % events.length]! });
    count += 64;
    now = cpuMs();
  }
  return (count * 1000) / (now - started);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const msFlag = process.argv.find((a) => a.startsWith('--ms='));
  const ms = msFlag === undefined ? 3000 : Number(msFlag.slice('--ms='.length));
  const [oldDist, newDist] = args;
  if (oldDist === undefined || newDist === undefined) {
    console.error('usage: node dist/bench/scale-ab.js OLD_DIST NEW_DIST [rounds] [--ms=N]');
    process.exit(2);
  }
  const rounds = Number(args[2] ?? 5);
  const counts = [100, 1000];
  const a = await load('old', oldDist, counts);
  const b = await load('new', newDist, counts);
  const { eventMix } = (await import(join(resolve(newDist), 'bench/corpus.js'))) as {
    eventMix: typeof EventMix;
  };
  const events = eventMix(20_000);
  let differences = 0;
  for (const count of counts)
    for (let pass = 0; pass < 3; pass++)
      for (const event of events) {
        const left = JSON.stringify(a.sets.get(count)!.evaluate({ ...event }));
        const right = JSON.stringify(b.sets.get(count)!.evaluate({ ...event }));
        if (left === right) continue;
        if (differences === 0)
          console.log(`${count} rules differ on ${event.process?.command_line}`);
        differences += 1;
      }
  console.log(differences === 0 ? 'matches identical' : `${differences} differences`);

  const rates: Record<string, Record<number, number[]>> = { old: {}, new: {} };
  const ratios: Record<string, number[]> = { old: [], new: [] };
  for (let round = 0; round < rounds; round++) {
    for (const build of round % 2 === 0 ? [a, b] : [b, a]) {
      const byCount = rates[build.name]!;
      const measured = counts.map((count) => rate(events, build.sets.get(count)!, ms));
      counts.forEach((count, i) => (byCount[count] ??= []).push(measured[i]!));
      ratios[build.name]!.push(measured[1]! / measured[0]!);
    }
  }
  for (const name of ['old', 'new']) {
    const byCount = rates[name]!;
    console.log(
      `${name}: ${counts.map((c) => `${c} rules ${Math.round(median(byCount[c]!)).toLocaleString('en-US')}/s`).join(', ')}; 1,000 ÷ 100 ${median(ratios[name]!).toFixed(2)} (rounds ${ratios[name]!.map((r) => r.toFixed(2)).join(' ')})`,
    );
  }
  process.exit(differences === 0 ? 0 : 1);
}

void main();
