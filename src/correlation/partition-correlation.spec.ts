import { describe, expect, it } from 'vitest';
import type { CommandEvent } from '../core/event';
import { loadRuleSet } from '../core/rules/load-rule-set';
import type { LoadedRule } from '../core/rules/load-rule-set';
import type { OutputDocument } from '../core/process-batch';
import type { ChangelogRecord, StateChangelogPort } from '../kafka/state-changelog';
import { PartitionCorrelations } from './partition-correlation';
import type { BatchCorrelation } from './partition-correlation';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');

function load(rules: Record<string, unknown>[]): LoadedRule[] {
  const result = loadRuleSet(
    rules.map((rule) => ({
      path: `${String(rule['id'])}.json`,
      text: JSON.stringify({ name: String(rule['id']), severity: 'high', ...rule }),
    })),
  );
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return [...result.rules];
}

const program = (name: string): Record<string, unknown> => ({
  all: [{ fact: 'programs', operator: 'contains', value: name }],
});

const SINGLE = { id: 'SW-T-0001', conditions: program('nc') };
const SEQUENCE = {
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
};
const SUPPRESSED = {
  id: 'SW-T-0002',
  conditions: program('sudo'),
  suppression: { groupBy: ['session.id'], period: '1h' },
};

function event(command: string, atSeconds: number): CommandEvent {
  return {
    '@timestamp': new Date(T0 + atSeconds * 1000).toISOString(),
    user: { name: 'alice' },
    host: { name: 'h1' },
    session: { id: 's1' },
    process: { command_line: command },
    event: { original: command },
    log: { source: 'test' },
  };
}

/** An in-memory compacted topic: latest value per key, and every send recorded. */
class FakeChangelog implements StateChangelogPort {
  readonly topic = new Map<string, string>();
  sends: ChangelogRecord[][] = [];
  reads = 0;
  ensured = 0;
  failNext = false;
  ensureTopic(): Promise<void> {
    this.ensured += 1;
    return Promise.resolve();
  }
  write(_partition: number, records: ChangelogRecord[]): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      return Promise.reject(new Error('broker down'));
    }
    this.sends.push(records);
    for (const r of records) {
      if (r.value === null) this.topic.delete(r.key);
      else this.topic.set(r.key, r.value);
    }
    return Promise.resolve();
  }
  read(_partition: number, prefix: string): Promise<Map<string, string>> {
    this.reads += 1;
    return Promise.resolve(new Map([...this.topic].filter(([k]) => k.startsWith(prefix))));
  }
}

const OPTIONS = { graceMs: 60_000, maxKeys: 1000 };

/** Feeds `commands` (offset, command, seconds) as one batch, like processBatch would. */
function feed(
  batch: BatchCorrelation,
  rules: LoadedRule[],
  commands: [number, string, number][],
): { singles: string[]; documents: OutputDocument[] } {
  const singles: string[] = [];
  for (const [offset, command, at] of commands) {
    const e = event(command, at);
    const matches = rules
      .filter((r) => r.correlation?.type !== 'sequence' && r.conditions !== undefined)
      .filter((r) => command.startsWith(r.definition.id === 'SW-T-0001' ? 'nc' : 'sudo'))
      .map((r) => ({ rule: r.definition }));
    const kept = batch.correlate(
      e,
      {
        commandId: `t:0:${offset}:0`,
        alertId: (ruleId) => `t:0:${offset}:0:${ruleId}`,
      },
      matches as never,
      String(offset),
    );
    singles.push(...kept.map((m) => `${offset}:${m.rule.id}`));
  }
  return { singles, documents: batch.documents('2026-03-01T10:10:00.000Z') };
}

describe('PartitionCorrelations', () => {
  it('does nothing, and touches no changelog, without correlation rules', async () => {
    const changelog = new FakeChangelog();
    const correlations = new PartitionCorrelations(changelog, OPTIONS);
    expect(await correlations.begin(0, '0', load([SINGLE]))).toBeUndefined();
    expect(changelog.ensured + changelog.reads + changelog.sends.length).toBe(0);
  });

  it('a sequence straddling a crash gives one alert with the same id, records below the checkpoint not fed again', async () => {
    const rules = load([SINGLE, SEQUENCE]);
    const changelog = new FakeChangelog();
    const first = new PartitionCorrelations(changelog, OPTIONS);
    const b1 = (await first.begin(0, '0', rules))!;
    expect(feed(b1, rules, [[0, 'wget http://x/payload', 0]]).documents).toEqual([]);
    await b1.checkpoint('0');
    const b2 = (await first.begin(0, '1', rules))!;
    expect(b2.restored).toBe(false);
    feed(b2, rules, [[1, 'chmod +x payload', 10]]);
    await b2.checkpoint('1');
    // Crash before the offsets of batch 2 were committed: redelivered from offset 1.
    const second = new PartitionCorrelations(changelog, OPTIONS);
    const b3 = (await second.begin(0, '1', rules))!;
    expect(b3.restored).toBe(true);
    const { documents } = feed(b3, rules, [
      [1, 'chmod +x payload', 10],
      [2, './payload', 20],
    ]);
    expect(documents).toHaveLength(1);
    expect(documents[0]!.id).toBe('cor:SW-COR-0901:' + documents[0]!.id.split(':')[2] + ':t:0:0:0');
    expect(documents[0]!.offset).toBe('2');
    // The same run without a crash gives the same id.
    const plain = new PartitionCorrelations(new FakeChangelog(), OPTIONS);
    const p1 = (await plain.begin(0, '0', rules))!;
    const again = feed(p1, rules, [
      [0, 'wget http://x/payload', 0],
      [1, 'chmod +x payload', 10],
      [2, './payload', 20],
    ]);
    expect(again.documents.map((d) => d.id)).toEqual([documents[0]!.id]);
  });

  it('restores after an abandoned batch (the state had advanced in memory)', async () => {
    const rules = load([SEQUENCE]);
    const changelog = new FakeChangelog();
    const correlations = new PartitionCorrelations(changelog, OPTIONS);
    const b1 = (await correlations.begin(0, '0', rules))!;
    feed(b1, rules, [[0, 'wget http://x/payload', 0]]);
    await b1.checkpoint('0');
    const abandoned = (await correlations.begin(0, '1', rules))!;
    feed(abandoned, rules, [
      [1, 'chmod +x payload', 10],
      [2, './payload', 20],
    ]);
    // Not checkpointed: redelivered from offset 1; the alert comes again, once.
    const redelivered = (await correlations.begin(0, '1', rules))!;
    expect(redelivered.restored).toBe(true);
    const { documents } = feed(redelivered, rules, [
      [1, 'chmod +x payload', 10],
      [2, './payload', 20],
    ]);
    expect(documents).toHaveLength(1);
  });

  it('a failed checkpoint is retried with the same records, then the next batch continues in memory', async () => {
    const rules = load([SEQUENCE]);
    const changelog = new FakeChangelog();
    const correlations = new PartitionCorrelations(changelog, OPTIONS);
    const b1 = (await correlations.begin(0, '5', rules))!;
    feed(b1, rules, [[5, 'wget http://x/payload', 0]]);
    changelog.failNext = true;
    await expect(b1.checkpoint('5')).rejects.toThrow('broker down');
    await b1.checkpoint('5');
    expect(changelog.sends).toHaveLength(1);
    expect(changelog.sends[0]!.some((r) => r.key.startsWith('0:SW-COR-0901'))).toBe(true);
    const b2 = (await correlations.begin(0, '6', rules))!;
    expect(b2.restored).toBe(false);
    expect(changelog.reads).toBe(1);
  });

  it('suppressed single-event alerts: one written, the count set by an update; a replay below the checkpoint writes none', async () => {
    const rules = load([SUPPRESSED]);
    const changelog = new FakeChangelog();
    const correlations = new PartitionCorrelations(changelog, OPTIONS);
    const b1 = (await correlations.begin(0, '0', rules))!;
    const out = feed(b1, rules, [
      [0, 'sudo id', 0],
      [1, 'sudo id', 10],
      [2, 'sudo id', 20],
    ]);
    expect(out.singles).toEqual(['0:SW-T-0002']);
    expect(out.documents).toEqual([
      {
        target: 'alerts',
        op: 'update',
        id: 't:0:0:0:SW-T-0002',
        body: { shellwatch: { suppressed_count: 2 } },
        offset: '2',
      },
    ]);
    await b1.checkpoint('2');
    const replay = (await new PartitionCorrelations(changelog, OPTIONS).begin(0, '0', rules))!;
    const again = feed(replay, rules, [
      [0, 'sudo id', 0],
      [1, 'sudo id', 10],
      [2, 'sudo id', 20],
      [3, 'sudo id', 30],
    ]);
    expect(again.singles).toEqual([]);
    expect(again.documents.map((d) => d.body)).toEqual([{ shellwatch: { suppressed_count: 3 } }]);
  });
});
