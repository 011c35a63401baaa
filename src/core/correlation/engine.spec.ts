import { describe, expect, it } from 'vitest';
import type { CommandEvent } from '../event';
import { loadRuleSet } from '../rules/load-rule-set';
import type { LoadedRule } from '../rules/load-rule-set';
import { buildCorrelationAlert } from './build-correlation-alert';
import { CorrelationEngine } from './engine';
import type { CorrelationEngineOptions, CorrelationStep } from './engine';
import { runCorrelationExamples } from './run-correlation-examples';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');

function program(name: string): Record<string, unknown> {
  return { all: [{ fact: 'programs', operator: 'contains', value: name }] };
}

function load(rule: Record<string, unknown>): LoadedRule {
  const id = String(rule['id']);
  const result = loadRuleSet([
    { path: `${id}.json`, text: JSON.stringify({ name: id, severity: 'high', ...rule }) },
  ]);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.rules[0]!;
}

const sequenceRule = (extra: Record<string, unknown> = {}): LoadedRule =>
  load({
    id: 'SW-COR-0901',
    type: 'sequence',
    sequence: {
      groupBy: ['session.id'],
      window: '5m',
      steps: [
        { name: 'download', conditions: program('wget') },
        { name: 'chmod', conditions: program('chmod') },
        { name: 'run', conditions: program('payload') },
      ],
    },
    ...extra,
  });

const thresholdRule = (extra: Record<string, unknown> = {}): LoadedRule =>
  load({
    id: 'SW-COR-0902',
    type: 'threshold',
    conditions: program('whoami'),
    threshold: { groupBy: ['session.id'], window: '2m', count: 3 },
    ...extra,
  });

let offset = 0;
function event(command: string, atSeconds: number, session = 's1'): CommandEvent {
  return {
    '@timestamp': new Date(T0 + atSeconds * 1000).toISOString(),
    user: { name: 'alice' },
    host: { name: 'h1' },
    session: { id: session },
    process: { command_line: command },
    event: { original: command },
    log: { source: 'test' },
  };
}

function engineFor(rules: LoadedRule[], options: Partial<CorrelationEngineOptions> = {}) {
  const engine = new CorrelationEngine(rules, { graceMs: 30_000, maxKeys: 1000, ...options });
  const feed = (command: string, at: number, session = 's1'): CorrelationStep => {
    offset += 1;
    return engine.process(event(command, at, session), { id: `t:0:${offset}` });
  };
  return { engine, feed };
}

/** download, then chmod, alerting unless a cleanup (`rm`) follows within a minute. */
function downloadChmodWithoutCleanup(): ReturnType<typeof sequenceRule> {
  return sequenceRule({
    sequence: {
      groupBy: ['session.id'],
      window: '5m',
      steps: [
        { name: 'download', conditions: program('wget') },
        { name: 'chmod', conditions: program('chmod') },
      ],
      absence: { name: 'cleanup', conditions: program('rm'), within: '1m' },
    },
  });
}

describe('sequence', () => {
  it('fires once when the steps happen in order within the window, citing each event', () => {
    const { feed } = engineFor([sequenceRule()]);
    expect(feed('wget http://x/payload', 0).alerts).toEqual([]);
    expect(feed('chmod +x payload', 10).alerts).toEqual([]);
    const { alerts } = feed('./payload', 20);
    expect(alerts).toHaveLength(1);
    const alert = alerts[0]!;
    expect(alert.events.map((e) => e.step)).toEqual(['download', 'chmod', 'run']);
    expect(alert.group).toEqual({ 'session.id': 's1' });
    expect(alert.timestamp).toBe(new Date(T0 + 20_000).toISOString());
    expect(alert.id).toMatch(/^cor:SW-COR-0901:[0-9a-f]{16}:t:0:\d+$/);
    expect(feed('./payload', 30).alerts).toEqual([]);
  });

  it('does not fire out of order, outside the window, or across keys', () => {
    const { feed } = engineFor([sequenceRule()]);
    feed('chmod +x payload', 0);
    feed('wget http://x/payload', 10);
    expect(feed('./payload', 20).alerts).toEqual([]); // chmod came before the download

    const other = engineFor([sequenceRule()]);
    other.feed('wget http://x/payload', 0);
    other.feed('chmod +x payload', 100);
    expect(other.feed('./payload', 301).alerts).toEqual([]); // 301 s > 5 min

    const keys = engineFor([sequenceRule()]);
    keys.feed('wget http://x/payload', 0, 'a');
    keys.feed('chmod +x payload', 1, 'b');
    expect(keys.feed('./payload', 2, 'a').alerts).toEqual([]);
  });

  it('orders by event time: out-of-order arrival within the grace period still matches', () => {
    const { feed } = engineFor([sequenceRule()]);
    feed('wget http://x/payload', 0);
    feed('./payload', 20); // arrives before the chmod it follows in event time
    const { alerts, late } = feed('chmod +x payload', 10);
    expect(late).toBe(false);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.events.map((e) => e.command_line)).toEqual([
      'wget http://x/payload',
      'chmod +x payload',
      './payload',
    ]);
  });

  it('counts and reports events later than the grace period instead of using them', () => {
    const { engine, feed } = engineFor([sequenceRule()], { graceMs: 5_000 });
    feed('wget http://x/payload', 0);
    feed('./payload', 60);
    const step = feed('chmod +x payload', 10); // 10 < 60 - 5: beyond grace
    expect(step.late).toBe(true);
    expect(step.alerts).toEqual([]);
    expect(engine.counters.late).toBe(1);
  });

  it('with an absence fires only when the watermark passes without the absent step', () => {
    const rule = downloadChmodWithoutCleanup();
    const fired = engineFor([rule], { graceMs: 0 });
    fired.feed('wget http://x/a', 0);
    expect(fired.feed('chmod +x a', 5).alerts).toEqual([]);
    expect(fired.feed('ls', 60, 'other').alerts).toEqual([]); // watermark 60 <= deadline 65
    expect(fired.feed('ls', 66, 'other').alerts).toHaveLength(1);

    const cancelled = engineFor([rule], { graceMs: 0 });
    cancelled.feed('wget http://x/a', 0);
    cancelled.feed('chmod +x a', 5);
    cancelled.feed('rm a', 30);
    expect(cancelled.feed('ls', 600, 'other').alerts).toEqual([]);
    expect(cancelled.engine.counters.cancelled).toBe(1);

    const eof = engineFor([rule], { graceMs: 0 });
    eof.feed('wget http://x/a', 0);
    eof.feed('chmod +x a', 5);
    expect(eof.engine.finish()).toHaveLength(1);
  });
});

describe('threshold', () => {
  it('slides per key: fires for 3 events within 2 minutes that a 2-minute bucket would split', () => {
    const { feed } = engineFor([thresholdRule()]);
    feed('whoami', 50);
    feed('whoami', 100);
    const { alerts } = feed('whoami', 160); // buckets [0,120) and [120,240) would miss this
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.events).toHaveLength(3);
    expect(alerts[0]!.type).toBe('threshold');
  });

  it('does not fire when no 3 events fit in the window, and forgets a burst once it fired', () => {
    const { feed } = engineFor([thresholdRule()]);
    feed('whoami', 0);
    feed('whoami', 100);
    expect(feed('whoami', 221).alerts).toEqual([]);
    expect(feed('whoami', 230).alerts).toEqual([]); // 100..230 spans 130 s
    expect(feed('whoami', 240).alerts).toHaveLength(1); // 221, 230, 240
    expect(feed('whoami', 241).alerts).toEqual([]); // the burst was consumed
    expect(feed('ls', 242).alerts).toEqual([]);
  });

  it('accepts an out-of-order event within the grace period', () => {
    const { feed } = engineFor([thresholdRule()], { graceMs: 30_000 });
    feed('whoami', 0);
    feed('whoami', 60);
    const { alerts, late } = feed('whoami', 30);
    expect(late).toBe(false);
    expect(alerts[0]!.events.map((e) => e['@timestamp'])).toEqual(
      [0, 30, 60].map((s) => new Date(T0 + s * 1000).toISOString()),
    );
  });

  it('counts distinct values when asked', () => {
    const rule = load({
      id: 'SW-COR-0903',
      type: 'threshold',
      conditions: {
        all: [{ fact: 'commandLine', operator: 'regex', value: '^(whoami|id|uname)' }],
      },
      threshold: {
        groupBy: ['session.id'],
        window: '2m',
        count: 3,
        distinct: 'process.command_line',
      },
    });
    const { feed } = engineFor([rule]);
    feed('whoami', 0);
    feed('whoami', 1);
    expect(feed('whoami', 2).alerts).toEqual([]);
    feed('id', 3);
    expect(feed('uname -a', 4).alerts).toHaveLength(1);
  });
});

describe('suppression', () => {
  it('emits one alert per key and period and counts the rest into it', () => {
    const rule = thresholdRule({ suppression: { groupBy: ['session.id'], period: '10m' } });
    const { engine, feed } = engineFor([rule]);
    const burst = (start: number): CorrelationStep[] =>
      [0, 1, 2].map((i) => feed('whoami', start + i));
    const first = burst(0).flatMap((s) => s.alerts);
    expect(first).toHaveLength(1);
    expect(engine.takeSuppressionUpdates()).toEqual([]);
    expect(burst(100).flatMap((s) => s.alerts)).toEqual([]);
    expect(burst(200).flatMap((s) => s.alerts)).toEqual([]);
    expect(engine.takeSuppressionUpdates()).toEqual([
      { alertId: first[0]!.id, ruleId: 'SW-COR-0902', count: 2 },
    ]);
    expect(burst(700).flatMap((s) => s.alerts)).toHaveLength(1); // a new period
    const body = buildCorrelationAlert(first[0]!, rule.definition, 'now');
    expect(body['shellwatch']).toMatchObject({ suppressed_count: 0 });
  });

  it('applies to single-event rules too', () => {
    const result = loadRuleSet([
      {
        path: 'SW-COR-0904.json',
        text: JSON.stringify({
          id: 'SW-COR-0904',
          name: 'n',
          severity: 'low',
          conditions: program('nmap'),
          suppression: { groupBy: ['user.name'], period: '1h' },
        }),
      },
    ]);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const engine = new CorrelationEngine(result.rules, { graceMs: 0, maxKeys: 10 });
    const kept = [0, 10, 20].map((at, i) => {
      const e = event('nmap 10.0.0.0/8', at);
      return engine.process(e, { id: `r${i}` }, result.evaluator.evaluate(e)).matches.length;
    });
    expect(kept).toEqual([1, 0, 0]);
    expect(engine.takeSuppressionUpdates()).toEqual([
      { alertId: 'r0:SW-COR-0904', ruleId: 'SW-COR-0904', count: 2 },
    ]);
  });
});

describe('state', () => {
  it('a snapshot restored mid-sequence gives the same alert as an uninterrupted run', () => {
    const steps: [string, number][] = [
      ['wget http://x/payload', 0],
      ['chmod +x payload', 10],
      ['./payload', 20],
    ];
    const straight = new CorrelationEngine([sequenceRule()], { graceMs: 0, maxKeys: 10 });
    const ids = steps.map(([c, at], i) => straight.process(event(c, at), { id: `p:${i}` }).alerts);

    const before = new CorrelationEngine([sequenceRule()], { graceMs: 0, maxKeys: 10 });
    before.process(event(steps[0]![0], steps[0]![1]), { id: 'p:0' });
    const changelog = new Map<string, unknown>();
    const { updated } = before.takeChanges();
    for (const [key, state] of updated) changelog.set(key, JSON.parse(JSON.stringify(state)));
    const meta = JSON.parse(JSON.stringify(before.meta())) as ReturnType<typeof before.meta>;

    const after = new CorrelationEngine([sequenceRule()], { graceMs: 0, maxKeys: 10 });
    after.restore(meta, changelog as Map<string, never>);
    after.process(event(steps[1]![0], steps[1]![1]), { id: 'p:1' });
    const resumed = after.process(event(steps[2]![0], steps[2]![1]), { id: 'p:2' }).alerts;
    expect(resumed).toEqual(ids[2]);
    expect(resumed).toHaveLength(1);
  });

  it('a pending absence restored from a checkpoint still fires when the watermark passes it', () => {
    const rule = downloadChmodWithoutCleanup();
    const before = new CorrelationEngine([rule], { graceMs: 0, maxKeys: 10 });
    before.process(event('wget http://x/a', 0), { id: 'q:0' });
    before.process(event('chmod +x a', 5), { id: 'q:1' });
    const { updated } = before.takeChanges();
    const keys = updated.map(([key, state]): [string, never] => [
      key,
      JSON.parse(JSON.stringify(state)) as never,
    ]);
    const meta = JSON.parse(JSON.stringify(before.meta())) as ReturnType<typeof before.meta>;

    const after = new CorrelationEngine([rule], { graceMs: 0, maxKeys: 10 });
    after.restore(meta, keys);
    expect(after.process(event('ls', 60, 'other'), { id: 'q:2' }).alerts).toEqual([]);
    expect(after.process(event('ls', 66, 'other'), { id: 'q:3' }).alerts).toHaveLength(1);
    // Resolved once: a later watermark does not fire it again.
    expect(after.process(event('ls', 200, 'other'), { id: 'q:4' }).alerts).toEqual([]);
  });

  it('bounds memory: expired windows go, the least recently updated key is shed and counted', () => {
    const { engine, feed } = engineFor([thresholdRule()], { maxKeys: 2, graceMs: 0 });
    feed('whoami', 0, 'a');
    feed('whoami', 1, 'b');
    feed('whoami', 2, 'c');
    expect(engine.keyCount).toBe(2);
    expect(engine.counters.shedKeys).toBe(1);
    feed('ls', 1000, 'd');
    engine.expire();
    expect(engine.keyCount).toBe(0);
    expect(engine.takeChanges().removed.length).toBeGreaterThan(0);
  });

  it('skips events that lack a group-by field, counting them', () => {
    const { engine } = engineFor([thresholdRule()]);
    const e = event('whoami', 0);
    delete e.session;
    engine.process(e, { id: 'x' });
    expect(engine.counters.ungrouped).toBe(1);
  });
});

describe('rule files', () => {
  it('rejects misplaced or incomplete correlation blocks with pointers', () => {
    const result = loadRuleSet([
      {
        path: 'SW-COR-0905.json',
        text: JSON.stringify({
          id: 'SW-COR-0905',
          name: 'n',
          severity: 'low',
          type: 'threshold',
          threshold: { groupBy: ['session.id'], window: '2m', count: 3 },
        }),
      },
      {
        path: 'SW-COR-0906.json',
        text: JSON.stringify({
          id: 'SW-COR-0906',
          name: 'n',
          severity: 'low',
          conditions: program('ls'),
          threshold: { groupBy: ['session.id'], window: '2m', count: 3 },
        }),
      },
      {
        path: 'SW-COR-0907.json',
        text: JSON.stringify({
          id: 'SW-COR-0907',
          name: 'n',
          severity: 'low',
          type: 'threshold',
          conditions: program('ls'),
          threshold: { groupBy: ['session.id'], window: '2x', count: 3 },
          suppression: { groupBy: ['user.name'], period: '1h' },
        }),
      },
    ]);
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.errors.map((e) => `${e.file}#${e.pointer}`);
    expect(problems).toEqual(
      expect.arrayContaining([
        'SW-COR-0905.json#',
        'SW-COR-0906.json#/threshold',
        'SW-COR-0907.json#/threshold/window',
      ]),
    );
  });

  it('keeps thresholds and sequences out of the single-event evaluator', () => {
    const result = loadRuleSet([
      {
        path: 'SW-COR-0902.json',
        text: JSON.stringify({
          id: 'SW-COR-0902',
          name: 'n',
          severity: 'low',
          type: 'threshold',
          conditions: program('whoami'),
          threshold: { groupBy: ['session.id'], window: '2m', count: 3 },
        }),
      },
    ]);
    expect(result.ok && result.evaluator.evaluate(event('whoami', 0))).toEqual([]);
  });

  it('runs ordered examples', () => {
    const rule = thresholdRule({
      examples: {
        sequences: [
          {
            events: [
              { command: 'whoami' },
              { command: 'whoami', at: 10 },
              { command: 'whoami', at: 20 },
            ],
            alerts: 1,
          },
          { events: [{ command: 'whoami' }, { command: 'whoami', at: 200 }], alerts: 1 },
        ],
      },
    });
    expect(runCorrelationExamples(rule)).toEqual([
      expect.objectContaining({ pointer: '/examples/sequences/1' }),
    ]);
  });
});
