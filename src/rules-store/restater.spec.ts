import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { encodeRuleRecord, RULE_RECORD_SCHEMA_VERSION, RuleLogState } from '../core/rule-log';
import type { Expectation, RestatementRecord, TopicRecord } from '../core/rule-log';
import { Restater } from './restater';

/**
 * Replicas that follow one rule topic (an array here), each folding it and each
 * with its Restater; a writer that dies between its record and its restatement.
 */
class Log {
  readonly records: TopicRecord[] = [];
  private readonly followers: Follower[] = [];

  append(record: Omit<TopicRecord, 'offset'>): void {
    this.records.push({ ...record, offset: String(this.records.length) });
    // Kafka delivers to every follower (at once, here: the grace is far longer than a fetch).
    for (const follower of this.followers) follower.catchUp();
  }

  follow(follower: Follower): void {
    this.followers.push(follower);
  }
}

class Follower {
  readonly state = new RuleLogState();
  readonly restater: Restater;
  private read = 0;

  constructor(
    private readonly log: Log,
    random: number,
  ) {
    this.restater = new Restater(this.state, {
      graceMs: 10_000,
      random: () => random,
      produce: (record: RestatementRecord) => {
        log.append(record);
        return Promise.resolve();
      },
      report: () => undefined,
    });
    log.follow(this);
    this.catchUp();
  }

  catchUp(): void {
    while (this.read < this.log.records.length) this.state.apply(this.log.records[this.read++]!);
    this.restater.noticed();
  }
}

function put(id: string, name: string, expect: Expectation | null): Omit<TopicRecord, 'offset'> {
  return {
    key: id,
    value: encodeRuleRecord({
      schemaVersion: RULE_RECORD_SCHEMA_VERSION,
      kind: 'rule-replaced',
      expect,
      changeId: `${id}-${name}`,
      user: 'tester',
      at: '2026-12-07T10:00:00.000Z',
      path: `custom/${id}.json`,
      rule: { id, name },
    }),
  };
}

function summary(state: RuleLogState): string[] {
  return state.all().map((e) => `${e.key}@${e.version}=${String(e.document['name'])}`);
}

function fold(records: TopicRecord[]): string[] {
  const state = new RuleLogState();
  for (const record of records) state.apply(record);
  return summary(state);
}

/** Kafka's compaction of a log cleaned up to `cleanedTo` (exclusive). */
function compact(records: TopicRecord[], cleanedTo: number): TopicRecord[] {
  const lastOfKey = new Map<string | null, number>();
  records.slice(0, cleanedTo).forEach((r, i) => lastOfKey.set(r.key, i));
  return records.filter((r, i) => i >= cleanedTo || lastOfKey.get(r.key) === i);
}

const restatements = (log: Log): TopicRecord[] =>
  log.records.filter((r) => r.value?.includes('"kind":"restated"'));

describe('Restater: a writer that dies between its rejected record and its restatement', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a replica that followed the log restates it once, and the log compacted at every point folds the same', async () => {
    const log = new Log();
    const a = new Follower(log, 0.1);
    const b = new Follower(log, 0.7);
    log.append(put('ACME-1', 'one', { state: 'absent' })); // 0
    log.append(put('ACME-1', 'A wins', { state: 'version', versions: ['"o0"'] })); // 1
    // A writer that read "o0" too; killed after Kafka took its record, before restating.
    log.append(put('ACME-1', 'B loses', { state: 'version', versions: ['"o0"'] })); // 2
    expect(a.state.unrestated().map((r) => r.offset)).toEqual(['2']);
    await vi.advanceTimersByTimeAsync(30_000);
    // a's timer fired first (11 s), b read a's restatement before its own (17 s): one restatement.
    expect(restatements(log)).toHaveLength(1);
    expect(a.state.unrestated()).toEqual([]);
    expect(b.state.unrestated()).toEqual([]);
    const live = summary(a.state);
    expect(live).toEqual(['ACME-1@"o1"=A wins']);
    expect(summary(b.state)).toEqual(live);
    for (let cleanedTo = 0; cleanedTo <= log.records.length; cleanedTo++) {
      expect(fold(compact(log.records, cleanedTo)), `cleaned to ${cleanedTo}`).toEqual(live);
    }
  });

  it('a replica started after the writer died finds the rejected record at its catch-up and restates it', async () => {
    const log = new Log();
    log.append(put('ACME-1', 'one', { state: 'absent' }));
    log.append(put('ACME-1', 'two', { state: 'absent' })); // rejected: exists
    expect(fold(compact(log.records, 2))).toEqual(['ACME-1@"o1"=two']); // the divergence
    const late = new Follower(log, 0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(restatements(log)).toHaveLength(1);
    const live = summary(late.state);
    expect(live).toEqual(['ACME-1@"o0"=one']);
    for (let cleanedTo = 0; cleanedTo <= log.records.length; cleanedTo++) {
      expect(fold(compact(log.records, cleanedTo)), `cleaned to ${cleanedTo}`).toEqual(live);
    }
  });

  it('leaves the writer its grace: an own restatement in time means none from the others', async () => {
    const log = new Log();
    const follower = new Follower(log, 0.5);
    const writer = new Follower(log, 0.5);
    log.append(put('ACME-1', 'one', { state: 'absent' }));
    log.append(put('ACME-1', 'late', { state: 'version', versions: ['"o9"'] }));
    writer.restater.restateOwn(writer.state.unrestated()[0]!);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(restatements(log)).toHaveLength(1);
    expect(follower.state.unrestated()).toEqual([]);
  });

  it('restates again when its restatement lost to a newer change, and retries when Kafka refused it', async () => {
    const log = new Log();
    const state = new RuleLogState();
    let refuse = true;
    let read = 0;
    const catchUp = (): void => {
      while (read < log.records.length) state.apply(log.records[read++]!);
      restater.noticed();
    };
    const restater = new Restater(state, {
      graceMs: 1_000,
      random: () => 0,
      produce: (record) => {
        if (refuse) {
          refuse = false;
          return Promise.reject(new Error('broker unreachable'));
        }
        // A newer change lands between the restatement's decision and the restatement.
        if (log.records.length === 2) log.append(put('ACME-1', 'newer', null));
        log.append(record);
        catchUp();
        return Promise.resolve();
      },
      report: () => undefined,
    });
    log.append(put('ACME-1', 'one', { state: 'absent' }));
    log.append(put('ACME-1', 'lost', { state: 'absent' }));
    catchUp();
    await vi.advanceTimersByTimeAsync(10_000);
    // Refused once, then written after "newer" (rejected), then restated again.
    expect(restatements(log)).toHaveLength(2);
    expect(state.unrestated()).toEqual([]);
    const live = summary(state);
    expect(live).toEqual(['ACME-1@"o2"=newer']);
    for (let cleanedTo = 0; cleanedTo <= log.records.length; cleanedTo++) {
      expect(fold(compact(log.records, cleanedTo)), `cleaned to ${cleanedTo}`).toEqual(live);
    }
  });
});
