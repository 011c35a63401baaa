/**
 * Renders the metrics tables of docs/operations.md from the metric registries
 * themselves (src/metrics/metrics.service.ts for the service,
 * src/notifier/notifier-metrics.ts for the notifier), between the markers
 * `<!-- metrics:start -->`/`<!-- metrics:end -->` and
 * `<!-- notifier-metrics:start -->`/`<!-- notifier-metrics:end -->`. A metric's
 * `help` is its meaning, in /metrics and in the docs alike. `--check` fails when
 * the document is out of date (run by a unit test), otherwise it is updated.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { format } from 'prettier';
import type { Registry } from 'prom-client';
import { MetricsService } from '../src/metrics/metrics.service';
import { NotifierMetrics } from '../src/notifier/notifier-metrics';

export const DOCUMENT = 'docs/operations.md';

/** A table and the markers around it. */
interface Block {
  readonly start: string;
  readonly end: string;
  readonly table: () => Promise<string>;
}

/** prom-client keeps a metric's label names on the object without typing them. */
function labelNamesOf(metric: object): readonly string[] {
  const names: unknown = (metric as { labelNames?: unknown }).labelNames;
  return Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string') : [];
}

/** One row per metric of the registry whose name starts with `prefix`, in registration order. */
export function metricsTable(registry: Registry, prefix = 'shellwatch_'): string {
  const rows = registry
    .getMetricsAsArray()
    .filter((metric) => metric.name.startsWith(prefix))
    .map((metric) => {
      const labels = labelNamesOf(metric)
        .map((name) => `\`${name}\``)
        .join(', ');
      return `| \`${metric.name}\` | ${String(metric.type)} | ${labels} | ${metric.help} |`;
    });
  return [
    '| metric | type | labels | meaning |',
    '| --- | --- | --- | --- |',
    ...rows,
    "| `process_*`, `nodejs_*` | | | prom-client's default process metrics: CPU, memory, heap, event-loop lag, GC |",
  ].join('\n');
}

export const BLOCKS: readonly Block[] = [
  {
    start: '<!-- metrics:start -->',
    end: '<!-- metrics:end -->',
    table: () => Promise.resolve(metricsTable(new MetricsService().registry)),
  },
  {
    start: '<!-- notifier-metrics:start -->',
    end: '<!-- notifier-metrics:end -->',
    table: () => Promise.resolve(metricsTable(new NotifierMetrics([]).registry)),
  },
];

async function renderInto(text: string): Promise<string> {
  let out = text;
  for (const block of BLOCKS) {
    const start = out.indexOf(block.start);
    const end = out.indexOf(block.end);
    if (start < 0 || end < start) throw new Error(`${DOCUMENT}: markers ${block.start} missing`);
    out = `${out.slice(0, start + block.start.length)}\n${await block.table()}\n${out.slice(end)}`;
  }
  return out;
}

/** The document with the tables rendered in, formatted as Prettier (which CI checks) formats it. */
export async function rendered(text: string): Promise<string> {
  return format(await renderInto(text), { parser: 'markdown', proseWrap: 'preserve' });
}

async function main(): Promise<void> {
  const path = resolve(__dirname, '../..', DOCUMENT);
  const check = process.argv.includes('--check');
  const text = readFileSync(path, 'utf8');
  const updated = await rendered(text);
  if (updated === text) return;
  if (check) {
    process.stdout.write(`out of date: ${DOCUMENT} (npm run docs:metrics)\n`);
    process.exitCode = 1;
    return;
  }
  writeFileSync(path, updated);
  process.stdout.write(`updated: ${DOCUMENT}\n`);
}

if (require.main === module) void main();
