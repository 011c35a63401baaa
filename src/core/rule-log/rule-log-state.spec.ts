import { describe, expect, it } from 'vitest';
import {
  CHANGE_HEADER,
  encodeChangeHeader,
  encodeRuleRecord,
  RULE_RECORD_SCHEMA_VERSION,
} from './rule-record';
import type { ChangeMeta, Expectation, RuleChangeKind, TopicRecord } from './rule-record';
import { RuleLogState, versionAt } from './rule-log-state';

let nextOffset = 0;
let nextChange = 0;

function meta(
  kind: RuleChangeKind,
  expect: Expectation | null,
  extra: Partial<ChangeMeta> = {},
): ChangeMeta {
  nextChange += 1;
  return {
    schemaVersion: RULE_RECORD_SCHEMA_VERSION,
    kind,
    expect,
    changeId: `c${nextChange}`,
    user: 'tester',
    at: '2026-12-07T10:00:00.000Z',
    ...extra,
  };
}

function put(
  id: string,
  name: string,
  expect: Expectation | null,
  extra: Partial<ChangeMeta> = {},
): TopicRecord {
  return {
    offset: String(nextOffset++),
    key: id,
    value: encodeRuleRecord({
      ...meta('rule-replaced', expect, extra),
      path: `custom/${id}.json`,
      rule: { id, name },
    }),
  };
}

function remove(
  id: string,
  expect: Expectation | null,
  extra: Partial<ChangeMeta> = {},
): TopicRecord {
  return {
    offset: String(nextOffset++),
    key: id,
    value: null,
    header: encodeChangeHeader(meta('rule-deleted', expect, extra)),
  };
}

function fold(records: TopicRecord[]): RuleLogState {
  const state = new RuleLogState();
  for (const record of records) state.apply(record);
  return state;
}

function summary(state: RuleLogState): string[] {
  return state.all().map((e) => `${e.key}@${e.version}=${String(e.document['name'])}`);
}

/** Kafka's compaction of a log cleaned up to `cleanedTo` (exclusive): the last record per key in the cleaned part, everything after it. */
function compact(records: TopicRecord[], cleanedTo: number, dropTombstones = false): TopicRecord[] {
  const lastOfKey = new Map<string | null, number>();
  records.slice(0, cleanedTo).forEach((r, i) => lastOfKey.set(r.key, i));
  return records.filter((r, i) => {
    if (i >= cleanedTo) return true;
    if (lastOfKey.get(r.key) !== i) return false;
    return !(dropTombstones && r.value === null);
  });
}

describe('RuleLogState', () => {
  it('applies a creation, an update with the right version, and a delete; versions are offsets', () => {
    nextOffset = 10;
    const state = new RuleLogState();
    const created = state.apply(put('ACME-1', 'one', { state: 'absent' }));
    expect(created).toMatchObject({ result: 'applied', after: { version: '"o10"' } });
    const updated = state.apply(put('ACME-1', 'two', { state: 'version', versions: ['"o10"'] }));
    expect(updated).toMatchObject({
      result: 'applied',
      before: { version: '"o10"' },
      after: { version: '"o11"' },
    });
    expect(summary(state)).toEqual(['ACME-1@"o11"=two']);
    expect(state.apply(remove('ACME-1', { state: 'present' }))).toMatchObject({
      result: 'applied',
      after: undefined,
    });
    expect(state.all()).toEqual([]);
    expect(state.position).toBe(12n);
  });

  it('rejects a stale If-Match, a creation of an existing rule and an update of a missing one, changing nothing', () => {
    nextOffset = 0;
    const state = fold([
      put('ACME-1', 'one', { state: 'absent' }),
      put('ACME-1', 'two', { state: 'version', versions: ['"o0"'] }),
    ]);
    expect(
      state.apply(put('ACME-1', 'late', { state: 'version', versions: ['"o0"'] })),
    ).toMatchObject({
      result: 'rejected',
      reason: 'version',
      current: { version: '"o1"' },
    });
    expect(state.apply(put('ACME-1', 'again', { state: 'absent' }))).toMatchObject({
      result: 'rejected',
      reason: 'exists',
    });
    state.apply(remove('ACME-1', null));
    expect(state.apply(put('ACME-1', 'ghost', { state: 'present' }))).toMatchObject({
      result: 'rejected',
      reason: 'absent',
    });
    expect(state.all()).toEqual([]);
  });

  it('folds identically on every replica: two conditional writes on one version, only the first applies', () => {
    nextOffset = 0;
    const log = [
      put('ACME-1', 'one', { state: 'absent' }),
      put('ACME-1', 'from A', { state: 'version', versions: ['"o0"'] }),
      put('ACME-1', 'from B', { state: 'version', versions: ['"o0"'] }),
    ];
    // Three replicas, each folding the whole log.
    const outcomes = [1, 2, 3].map(() => summary(fold(log)));
    expect(outcomes[0]).toEqual(['ACME-1@"o1"=from A']);
    expect(new Set(outcomes.map((o) => JSON.stringify(o))).size).toBe(1);
  });

  it('skips records at or before its position: a re-read never applies a change twice', () => {
    nextOffset = 0;
    const first = put('ACME-1', 'one', { state: 'absent' });
    const state = fold([first, put('ACME-1', 'two', null)]);
    expect(state.apply(first)).toEqual({ result: 'skipped', offset: '0' });
    expect(summary(state)).toEqual(['ACME-1@"o1"=two']);
  });

  it('keeps an unreadable record as a problem of its key, changing nothing, until a readable one follows', () => {
    nextOffset = 0;
    const state = fold([put('ACME-1', 'one', null)]);
    const newer = {
      offset: String(nextOffset++),
      key: 'ACME-1',
      value: JSON.stringify({ schemaVersion: 99 }),
    };
    const outcome = state.apply(newer);
    expect(outcome.result).toBe('unreadable');
    expect(outcome.result === 'unreadable' ? outcome.reason : '').toContain(
      'schemaVersion 99 is newer',
    );
    expect(
      state.apply({ offset: String(nextOffset++), key: 'ACME-2', value: '{not json' }),
    ).toMatchObject({ result: 'unreadable' });
    expect(summary(state)).toEqual(['ACME-1@"o0"=one']);
    expect(state.problems().map((p) => p.key)).toEqual(['ACME-1', 'ACME-2']);
    state.apply(put('ACME-1', 'fixed', null));
    expect(state.problems().map((p) => p.key)).toEqual(['ACME-2']);
  });

  it('refuses paths that leave the folder and rules whose id is not the key', () => {
    nextOffset = 0;
    const state = new RuleLogState();
    const bad = (path: string, id = 'ACME-1') =>
      state.apply({
        offset: String(nextOffset++),
        key: 'ACME-1',
        value: encodeRuleRecord({ ...meta('rule-pushed', null), path, rule: { id } }),
      });
    expect(bad('../ACME-1.json')).toMatchObject({ result: 'unreadable' });
    expect(bad('lists/ACME-1.json')).toMatchObject({ result: 'unreadable' });
    expect(bad('custom/other.json')).toMatchObject({ result: 'unreadable' });
    expect(bad('custom/ACME-1.json', 'ACME-2')).toMatchObject({ result: 'unreadable' });
    expect(bad('custom/ACME-1.json')).toMatchObject({ result: 'applied' });
  });

  it('a bare tombstone deletes; a list is keyed by its path', () => {
    nextOffset = 0;
    const list: TopicRecord = {
      offset: String(nextOffset++),
      key: 'lists/shells.json',
      value: encodeRuleRecord({
        ...meta('list-pushed', null),
        path: 'lists/shells.json',
        list: { name: 'shells', items: ['sh'] },
      }),
    };
    const state = fold([
      list,
      put('ACME-1', 'one', null),
      { offset: String(nextOffset++), key: 'ACME-1', value: null },
    ]);
    expect(state.all().map((e) => `${e.kind}:${e.key}`)).toEqual(['list:lists/shells.json']);
  });

  describe('compaction keeps the fold', () => {
    /** A log with two races resolved by restatements, a delete and a re-creation. */
    function raceLog(): TopicRecord[] {
      nextOffset = 0;
      return [
        put('ACME-1', 'one', { state: 'absent' }), // 0
        put('ACME-2', 'two', { state: 'absent' }), // 1
        put('ACME-1', 'A wins', { state: 'version', versions: ['"o0"'] }), // 2
        put('ACME-1', 'B loses', { state: 'version', versions: ['"o0"'] }), // 3 rejected
        put('ACME-1', 'A wins', null, {
          kind: 'restated',
          restates: { rejected: '3', version: '"o2"' },
        }), // 4
        remove('ACME-2', { state: 'present' }), // 5
        put('ACME-2', 'late update', { state: 'version', versions: ['"o1"'] }), // 6 rejected (absent)
        remove('ACME-2', null, { kind: 'restated', restates: { rejected: '6', version: null } }), // 7
        put('ACME-3', 'three', { state: 'absent' }), // 8
        put('ACME-3', 'three again', { state: 'absent' }), // 9 rejected (exists)
        put('ACME-3', 'three', null, {
          kind: 'restated',
          restates: { rejected: '9', version: '"o8"' },
        }), // 10
      ];
    }

    it('gives the same rules and versions for the log compacted at every point', () => {
      const log = raceLog();
      const whole = summary(fold(log));
      expect(whole).toEqual(['ACME-1@"o2"=A wins', 'ACME-3@"o8"=three']);
      for (let cleanedTo = 0; cleanedTo <= log.length; cleanedTo++) {
        for (const dropTombstones of [false, true]) {
          expect(
            summary(fold(compact(log, cleanedTo, dropTombstones))),
            `cleaned to ${cleanedTo}`,
          ).toEqual(whole);
        }
      }
    });

    it('without the restatement a rejected record would shadow the winner (why restatements exist)', () => {
      const log = raceLog().slice(0, 4);
      expect(summary(fold(log))).toEqual(['ACME-1@"o2"=A wins', 'ACME-2@"o1"=two']);
      expect(summary(fold(compact(log, log.length)))).toContain('ACME-1@"o3"=B loses');
    });

    it('a rejected delete, and a rejected restatement, compacted at every point fold the same', () => {
      nextOffset = 0;
      const log = [
        put('ACME-1', 'one', { state: 'absent' }), // 0
        put('ACME-1', 'two', { state: 'version', versions: ['"o0"'] }), // 1
        remove('ACME-1', { state: 'version', versions: ['"o0"'] }), // 2 rejected (stale)
        put('ACME-1', 'two', null, {
          kind: 'restated',
          restates: { rejected: '2', version: '"o1"' },
        }), // 3
        put('ACME-2', 'one', { state: 'absent' }), // 4
        put('ACME-2', 'lost', { state: 'absent' }), // 5 rejected (exists)
        put('ACME-2', 'newer', null), // 6
        put('ACME-2', 'one', null, {
          kind: 'restated',
          restates: { rejected: '5', version: '"o4"' },
        }), // 7 rejected: the key changed meanwhile
        put('ACME-2', 'newer', null, {
          kind: 'restated',
          restates: { rejected: '7', version: '"o6"' },
        }), // 8
      ];
      const whole = summary(fold(log));
      expect(whole).toEqual(['ACME-1@"o1"=two', 'ACME-2@"o6"=newer']);
      for (let cleanedTo = 0; cleanedTo <= log.length; cleanedTo++) {
        for (const dropTombstones of [false, true]) {
          expect(
            summary(fold(compact(log, cleanedTo, dropTombstones))),
            `cleaned to ${cleanedTo}, tombstones ${dropTombstones ? 'dropped' : 'kept'}`,
          ).toEqual(whole);
        }
      }
    });

    it('tells which rejected records are still the last of their key', () => {
      nextOffset = 0;
      const state = fold([
        put('ACME-1', 'one', { state: 'absent' }), // 0
        put('ACME-1', 'lost', { state: 'absent' }), // 1 rejected
        put('ACME-2', 'two', { state: 'absent' }), // 2
        remove('ACME-2', null), // 3
        put('ACME-2', 'lost', { state: 'present' }), // 4 rejected (absent)
      ]);
      expect(state.unrestated().map((r) => [r.key, r.offset])).toEqual([
        ['ACME-1', '1'],
        ['ACME-2', '4'],
      ]);
      state.apply(
        put('ACME-1', 'one', null, {
          kind: 'restated',
          restates: { rejected: '1', version: '"o0"' },
        }),
      );
      expect(state.unrestated().map((r) => r.key)).toEqual(['ACME-2']);
      expect(state.isUnrestated('ACME-2', '4')).toBe(true);
    });

    it('a restatement that comes after another change is rejected and changes nothing', () => {
      nextOffset = 0;
      const state = fold([
        put('ACME-1', 'one', { state: 'absent' }),
        put('ACME-1', 'lost', { state: 'version', versions: ['"o9"'] }),
        put('ACME-1', 'newer', null),
      ]);
      const restated = put('ACME-1', 'one', null, {
        kind: 'restated',
        restates: { rejected: '1', version: versionAt('0') },
      });
      expect(state.apply(restated)).toMatchObject({ result: 'rejected', reason: 'version' });
      expect(summary(state)).toEqual(['ACME-1@"o2"=newer']);
    });
  });

  it('reads the change header of a tombstone', () => {
    nextOffset = 0;
    const state = fold([put('ACME-1', 'one', null)]);
    const outcome = state.apply(remove('ACME-1', { state: 'version', versions: ['"o0"'] }));
    expect(outcome).toMatchObject({
      result: 'applied',
      meta: { kind: 'rule-deleted', user: 'tester' },
    });
    expect(CHANGE_HEADER).toBe('shellwatch-change');
  });
});
