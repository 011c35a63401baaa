/**
 * Evaluator throughput, one core, in this process: events/s of
 * - the compiled evaluator with the prefilter (what the service runs),
 * - the compiled evaluator without it (every rule on every event),
 * - json-rules-engine as the service's `RULES_ENGINE=reference` runs it (a new Engine
 *   per event, which is what makes it safe to share),
 * - json-rules-engine "the obvious way": one Engine holding all rules, run
 *   sequentially (never concurrently, which would skip rules),
 * at 10, 100 and 1,000 rules on the ~1%-malicious corpus mix. Each figure is the
 * count of events evaluated in a fixed time after a warm-up.
 *
 * Every evaluation gets a fresh shallow copy of its event, as the service gets a new
 * object per decoded record: the evaluator keeps an event's parsed facts for as long
 * as the object lives (factsOf, shared with the correlation engine), so cycling over
 * the same objects would time the parser once and then only cache hits.
 */
import { Engine } from 'json-rules-engine';
import {
  compileRuleSet,
  createReferenceEvaluator,
  CUSTOM_OPERATORS,
  EventFacts,
} from '../src/core/rules';
import type { RuleSet } from '../src/core/rules';
import { factsRecord } from '../src/core/rules/facts';
import type { Predicate } from '../src/core/rules/operators/operator';
import type { CommandEvent } from '../src/core/event';
import { eventMix, ruleSetFor } from './corpus';
import { errorMessage } from '../src/core/errors';

export interface EvaluatorRow {
  rules: number;
  packRules: number;
  loadMs: number;
  compiled: number;
  /**
   * Events/s of the compiled evaluator's prefilter alone (choosing the candidates, with
   * the parsing that needs): the part of `compiled` that is not running rules.
   */
  prefilterOnly: number;
  compiledNoPrefilter: number;
  referencePerEvent: number;
  referenceShared: number;
  alwaysCandidates: number;
  meanCandidates: number;
  alertsPer1000: number;
}

export interface EvaluatorResult {
  events: number;
  maliciousShare: number;
  measureMs: number;
  rows: EvaluatorRow[];
  rssAt1000RulesMb: number;
  heapAt1000RulesMb: number;
}

type Evaluate = (event: CommandEvent) => unknown;

/** Events/s of a synchronous evaluator over the pool, cycling, for `ms` after a warm-up of ms/4. */
function rate(events: readonly CommandEvent[], evaluate: Evaluate, ms: number): number {
  let i = 0;
  const warmEnd = performance.now() + ms / 4;
  while (performance.now() < warmEnd) evaluate({ ...events[i++ % events.length]! });
  let count = 0;
  const started = performance.now();
  let now = started;
  while (now - started < ms) {
    for (let k = 0; k < 64; k++) evaluate({ ...events[(i + count + k) % events.length]! });
    count += 64;
    now = performance.now();
  }
  return (count * 1000) / (now - started);
}

async function rateAsync(
  events: readonly CommandEvent[],
  evaluate: (event: CommandEvent) => Promise<unknown>,
  ms: number,
): Promise<number> {
  let i = 0;
  const warmEnd = performance.now() + ms / 4;
  while (performance.now() < warmEnd) await evaluate({ ...events[i++ % events.length]! });
  let count = 0;
  const started = performance.now();
  let now = started;
  while (now - started < ms) {
    await evaluate({ ...events[(i + count) % events.length]! });
    count += 1;
    now = performance.now();
  }
  return (count * 1000) / (now - started);
}

/** json-rules-engine used the obvious way: one Engine with every rule, facts passed per run. */
function sharedEngine(ruleSet: RuleSet): (event: CommandEvent) => Promise<unknown> {
  const engine = new Engine([], { allowUndefinedFacts: true });
  const cache = new Map<string, Predicate>();
  for (const op of CUSTOM_OPERATORS) {
    engine.addOperator(op.name, (factValue: unknown, value: unknown) => {
      const key = `${op.name}\u0000${JSON.stringify(value)}`;
      let predicate = cache.get(key);
      if (predicate === undefined) {
        const compiled = op.compile(value, ruleSet.context);
        predicate = compiled.ok ? compiled.test : () => false;
        cache.set(key, predicate);
      }
      return predicate(factValue);
    });
  }
  for (const rule of ruleSet.rules.filter((r) => r.definition.enabled)) {
    engine.addRule({
      name: rule.definition.id,
      conditions: rule.engineConditions as never,
      event: { type: rule.definition.id },
    });
  }
  return (event) => engine.run(factsRecord(new EventFacts(event)));
}

/** Runs the evaluator section; `log` prints progress. */
export async function benchEvaluators(options: {
  quick: boolean;
  log: (line: string) => void;
  counts?: readonly number[];
}): Promise<EvaluatorResult> {
  const measureMs = options.quick ? 600 : 3000;
  const events = eventMix(options.quick ? 5000 : 20_000);
  const rows: EvaluatorRow[] = [];
  let rssAt1000RulesMb = 0;
  let heapAt1000RulesMb = 0;
  for (const count of options.counts ?? [10, 100, 1000]) {
    options.log(`evaluator: loading ${count} rules (validation, regex safety checks, compile)…`);
    const { ruleSet, packRules, loadMs } = ruleSetFor(count);
    const compiled = compileRuleSet(ruleSet);
    const full = compileRuleSet(ruleSet, { prefilter: false });
    if (count === 1000) {
      global.gc?.();
      const memory = process.memoryUsage();
      rssAt1000RulesMb = memory.rss / 2 ** 20;
      heapAt1000RulesMb = memory.heapUsed / 2 ** 20;
    }
    let alerts = 0;
    for (const event of events.slice(0, 1000)) alerts += compiled.evaluate(event).length;
    const stats = compiled.prefilterStats;
    // Mean candidates per event: rules the prefilter lets through (measured on 1,000 events).
    let candidates = 0;
    for (const event of events.slice(0, 1000)) candidates += compiled.candidateIds(event).length;
    options.log(`evaluator: ${count} rules: compiled with prefilter…`);
    const compiledRate = rate(events, (e) => compiled.evaluate(e), measureMs);
    options.log(`evaluator: ${count} rules: the prefilter alone…`);
    const prefilterRate = rate(events, (e) => compiled.candidateIds(e), measureMs);
    options.log(`evaluator: ${count} rules: compiled without prefilter…`);
    const fullRate = rate(events, (e) => full.evaluate(e), measureMs);
    options.log(
      `evaluator: ${count} rules: json-rules-engine, one Engine per event (RULES_ENGINE=reference)…`,
    );
    const reference = createReferenceEvaluator(ruleSet);
    const perEvent = await rateAsync(events, (e) => reference.evaluateReference(e), measureMs);
    options.log(`evaluator: ${count} rules: json-rules-engine, one shared Engine…`);
    const shared = await rateAsync(events, sharedEngine(ruleSet), measureMs);
    const row: EvaluatorRow = {
      rules: count,
      packRules,
      loadMs: Math.round(loadMs),
      compiled: Math.round(compiledRate),
      prefilterOnly: Math.round(prefilterRate),
      compiledNoPrefilter: Math.round(fullRate),
      referencePerEvent: Math.round(perEvent),
      referenceShared: Math.round(shared),
      alwaysCandidates: stats?.alwaysCandidates ?? count,
      meanCandidates: Number((candidates / 1000).toFixed(1)),
      alertsPer1000: alerts,
    };
    options.log(`evaluator: ${JSON.stringify(row)}`);
    rows.push(row);
  }
  return {
    events: events.length,
    maliciousShare: 0.01,
    measureMs,
    rows,
    rssAt1000RulesMb: Math.round(rssAt1000RulesMb),
    heapAt1000RulesMb: Math.round(heapAt1000RulesMb),
  };
}

/**
 * Child-process entry (`node dist/bench/evaluator.js [--quick]`): progress on stderr, the
 * result as JSON on stdout. run.ts starts it in a fresh process and retries it when
 * the rule load fails because recheck timed out under load: check-regex.ts memoizes
 * that verdict for the life of the process.
 */
if (require.main === module) {
  benchEvaluators({
    quick: process.argv.includes('--quick'),
    log: (line) => console.error(line),
  }).then(
    (result) => {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      console.error(errorMessage(error));
      process.exit(1);
    },
  );
}
