import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MetricsService } from '../src/metrics/metrics.service';
import { NotifierMetrics } from '../src/notifier/notifier-metrics';
import { DOCUMENT, rendered } from './metrics-table';

describe('metrics reference in the docs', () => {
  const text = readFileSync(resolve(__dirname, '..', DOCUMENT), 'utf8');

  it(`${DOCUMENT} holds the tables the registries render`, async () => {
    expect(text, 'run: npm run docs:metrics').toBe(await rendered(text));
  });

  it('lists every metric of the service and of the notifier', () => {
    const names = [
      ...new MetricsService().registry.getMetricsAsArray(),
      ...new NotifierMetrics([]).registry.getMetricsAsArray(),
    ]
      .map((metric) => metric.name)
      .filter((name) => name.startsWith('shellwatch_'));
    expect(names.length).toBeGreaterThan(15);
    for (const name of names) expect(text).toContain(`| \`${name}\``);
  });
});
