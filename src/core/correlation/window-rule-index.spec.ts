import { describe, expect, it } from 'vitest';
import { corpus as corpusLines, packFiles } from '../../../bench/corpus';
import type { CommandEvent } from '../event';
import { formatRuleProblems, loadRuleSet } from '../rules/load-rule-set';
import type { LoadedRule } from '../rules/load-rule-set';
import { prng } from '../../../bench/support/generate-rules';
import { listFile, ruleFile } from '../../../bench/support/rule-factory';
import { CorrelationEngine } from './engine';
import type { CorrelationStep } from './engine';

/**
 * Differential test of the engine's prefilter (window-rule-index.ts): with it, the
 * engine must give exactly the alerts, matches and late verdicts it gives when every
 * threshold and sequence rule runs on every event.
 *
 * Rules: the default pack plus rules below that the pack may not have: a sequence with
 * an absence and a top-level `any` scope, a threshold over an `inList`, one with
 * exceptions, an `isRoot` step and an `all` of two anyCommand specs (a conjunction).
 * Events: EVENTS corpus lines, MALICIOUS_SHARE malicious, over a few hosts, sessions
 * and users (root among them), one to three seconds apart with some out of order.
 */
const EVENTS = 30_000;
const MALICIOUS_SHARE = 0.3;

const EXTRA_RULES = [
  ruleFile({
    id: 'SW-TST-0101',
    type: 'sequence',
    conditions: {
      any: [
        { fact: 'host', path: '$.name', operator: 'equal', value: 'web-1' },
        { fact: 'commandLine', operator: 'containsI', value: 'tmp' },
      ],
    },
    sequence: {
      groupBy: ['host.name'],
      window: '5m',
      steps: [
        {
          conditions: {
            all: [{ fact: 'commands', operator: 'anyCommand', value: { program: 'curl' } }],
          },
        },
        {
          conditions: {
            all: [{ fact: 'commands', operator: 'anyCommand', value: { program: 'tar' } }],
          },
        },
      ],
      absence: {
        within: '2m',
        conditions: {
          all: [{ fact: 'commands', operator: 'anyCommand', value: { program: 'git' } }],
        },
      },
    },
  }),
  ruleFile({
    id: 'SW-TST-0102',
    type: 'threshold',
    conditions: {
      any: [
        { fact: 'programs', operator: 'inList', value: 'recon-tools' },
        { fact: 'commandLine', operator: 'regex', value: '/etc/(passwd|shadow)' },
      ],
    },
    exceptions: [{ field: 'user.name', operator: 'equal', value: 'deploy', reason: 'test' }],
    threshold: { groupBy: ['session.id'], window: '30m', count: 3 },
  }),
  ruleFile({
    id: 'SW-TST-0103',
    type: 'sequence',
    conditions: undefined, // no scope (the factory's default would be one)
    sequence: {
      groupBy: ['session.id'],
      window: '10m',
      steps: [
        { conditions: { all: [{ fact: 'isRoot', operator: 'equal', value: true }] } },
        {
          conditions: {
            all: [
              { fact: 'commands', operator: 'anyCommand', value: { program: 'cat' } },
              {
                fact: 'commands',
                operator: 'anyCommand',
                value: { anyArg: { startsWithI: '/etc/' } },
              },
            ],
          },
        },
      ],
    },
  }),
];

function loadRules(): LoadedRule[] {
  const pack = packFiles();
  const loaded = loadRuleSet(
    [...pack.rules, ...EXTRA_RULES],
    [...pack.lists, listFile('recon-tools', ['whoami', 'id', 'uname', 'hostname'])],
  );
  if (!loaded.ok) throw new Error(formatRuleProblems(loaded.errors));
  return [...loaded.rules];
}

function stream(): CommandEvent[] {
  const { malicious, benign } = corpusLines();
  const random = prng(20261126);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  let ms = Date.parse('2026-11-26T08:00:00.000Z');
  return Array.from({ length: EVENTS }, (_, i) => {
    ms += 1000 + Math.floor(random() * 2000);
    // One in fifty arrives up to two minutes late, so the watermark and late events show.
    const at = random() < 0.02 ? ms - Math.floor(random() * 120_000) : ms;
    const line = pick(random() < MALICIOUS_SHARE ? malicious : benign);
    const user = pick([
      { name: 'root', id: '0' },
      { name: 'alice', id: '1000' },
      { name: 'deploy', id: '1001' },
    ]);
    return {
      '@timestamp': new Date(at).toISOString(),
      user,
      host: { name: pick(['web-1', 'web-2', 'db-1']) },
      session: { id: String(i % 7) },
      process: { command_line: line },
      event: { original: line },
      log: { source: 'lines' },
    };
  });
}

/** What a step says, as comparable text. */
function summary(step: CorrelationStep): string {
  return JSON.stringify({
    late: step.late,
    matches: step.matches.map((m) => m.rule.id),
    alerts: step.alerts.map((a) => [a.ruleId, a.id, a.events.map((e) => e.id)]),
  });
}

describe('correlation engine prefilter', () => {
  it(`gives the same alerts with and without the prefilter over ${EVENTS} events`, () => {
    const rules = loadRules();
    const indexed = new CorrelationEngine(rules, { graceMs: 60_000, maxKeys: 100_000 });
    const every = new CorrelationEngine(rules, {
      graceMs: 60_000,
      maxKeys: 100_000,
      prefilter: false,
    });
    const mismatches: string[] = [];
    const fired = new Map<string, number>();
    stream().forEach((event, i) => {
      const ref = { id: `t:0:${i}` };
      // Separate objects: each engine parses its own copy, as nothing is shared.
      const full = every.process({ ...event }, ref);
      const fast = summary(indexed.process({ ...event }, ref));
      if (fast !== summary(full) && mismatches.length < 5)
        mismatches.push(`${event.process.command_line}: ${fast} vs ${summary(full)}`);
      for (const alert of full.alerts) fired.set(alert.ruleId, (fired.get(alert.ruleId) ?? 0) + 1);
    });
    const finish = (engine: CorrelationEngine): string =>
      JSON.stringify(engine.finish().map((a) => [a.ruleId, a.id]));
    expect(mismatches).toEqual([]);
    expect(finish(indexed)).toEqual(finish(every));
    // Not vacuous: thresholds, sequences and the absence each produced alerts.
    expect([...fired.keys()]).toEqual(
      expect.arrayContaining(['SW-TST-0101', 'SW-TST-0102', 'SW-TST-0103']),
    );
    expect([...fired.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(100);
  }, 120_000);
});
