/**
 * A small driver for profiling the compiled evaluator (issue 8):
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof dist/bench/profile-evaluator.js [rules] [seconds] [on|off|both]
 * Evaluates the ~1%-malicious corpus mix (bench/corpus.ts: test/fixtures/corpus/) with
 * the default pack plus generated rules up to `rules` (default 200) for `seconds`
 * (default 5) of CPU time and prints CPU µs per event, with and without the prefilter.
 */
import { compileRuleSet } from '../src/core/rules';
import { eventMix, ruleSetFor } from './corpus';

function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

function main(): void {
  const rules = Number(process.argv[2] ?? 200);
  const seconds = Number(process.argv[3] ?? 5);
  const { ruleSet } = ruleSetFor(rules);
  const events = eventMix(20_000);
  const which = process.argv[4] ?? 'both';
  const modes = which === 'on' ? [true] : which === 'off' ? [false] : [true, false];
  for (const prefilter of modes) {
    const evaluator = compileRuleSet(ruleSet, { prefilter });
    if (prefilter) console.log('prefilter', JSON.stringify(evaluator.prefilterStats));
    // Fresh objects, as decoding gives: parsed facts live as long as the event object.
    for (let i = 0; i < 2000; i++) evaluator.evaluate({ ...events[i % events.length]! });
    const started = cpuMs();
    let count = 0;
    let alerts = 0;
    while (cpuMs() - started < (seconds * 1000) / 2) {
      for (let k = 0; k < 256; k++)
        alerts += evaluator.evaluate({ ...events[count++ % events.length]! }).length;
    }
    const us = ((cpuMs() - started) * 1000) / count;
    console.log(
      `${rules} rules, prefilter ${prefilter ? 'on ' : 'off'}: ${us.toFixed(1)} µs CPU/event over ${count} events (${alerts} alerts)`,
    );
  }
}

main();
