import {
  BadRequestException,
  GatewayTimeoutException,
  NotFoundException,
  PreconditionFailedException,
  ServiceUnavailableException,
} from '@nestjs/common';
import { afterAll, describe, expect, it } from 'vitest';
import type { AuditTrailService } from '../audit/audit-trail.service';
import type { RuleChangeRecord } from '../audit/audit-document';
import { CHANGE_HEADER } from '../core/rule-log';
import type { ApplyOutcome, LogEntry } from '../core/rule-log';
import type { SourceFile } from '../core/rules';
import type { RuleTopicMessage } from '../kafka/rule-topic';
import { RuleRegexService } from '../regex-check/rule-regex.service';
import type { KafkaRuleStore, RuleTopicSnapshot } from '../rules-store/kafka-rule-store.service';
import { RuleTopicUnavailableError } from '../rules-store/kafka-rule-store.service';
import type { ChangeRequest, PlannedChange, RuleSnapshot } from './check-rule-change';
import { KafkaRuleChanges } from './kafka-rule-changes';

const regexes = new RuleRegexService();
afterAll(() => regexes.onModuleDestroy());

const PATH = 'custom/ACME-1.json';

function ruleText(name: string): string {
  return `${JSON.stringify(
    {
      id: 'ACME-1',
      name,
      severity: 'low',
      conditions: { all: [{ fact: 'programs', operator: 'contains', value: 'nc' }] },
    },
    null,
    2,
  )}\n`;
}

function entry(name: string, version: string): LogEntry {
  return {
    key: 'ACME-1',
    kind: 'rule',
    path: PATH,
    document: JSON.parse(ruleText(name)) as Record<string, unknown>,
    version,
  };
}

/** A rule topic that holds ACME-1 at `"o7"` and answers each submit with the next outcome of `outcomes`. */
class FakeTopic {
  readonly submitted: RuleTopicMessage[] = [];
  syncError: Error | undefined;
  submitError: Error | undefined;
  unreadableReason: string | undefined;

  constructor(private readonly outcomes: ((message: RuleTopicMessage) => ApplyOutcome)[]) {}

  unreadable(): string | undefined {
    return this.unreadableReason;
  }

  sync(): Promise<void> {
    return this.syncError ? Promise.reject(this.syncError) : Promise.resolve();
  }

  snapshot(): RuleTopicSnapshot {
    return {
      folder: { rules: [{ path: PATH, text: ruleText('one') }], lists: [], refused: [] },
      versions: new Map([[PATH, '"o7"']]),
    };
  }

  submit(message: RuleTopicMessage): Promise<ApplyOutcome> {
    if (this.submitError) return Promise.reject(this.submitError);
    this.submitted.push(message);
    const next = this.outcomes.shift();
    if (next === undefined) throw new Error('no outcome left');
    return Promise.resolve(next(message));
  }
}

const applied =
  (offset: string) =>
  (message: RuleTopicMessage): ApplyOutcome => ({
    result: 'applied',
    offset,
    key: message.key,
    meta: null,
    before: entry('one', '"o7"'),
    after: message.value === null ? undefined : entry('two', `"o${offset}"`),
  });

const rejected =
  (reason: 'version' | 'absent' | 'exists', current: LogEntry | undefined) =>
  (message: RuleTopicMessage): ApplyOutcome => ({
    result: 'rejected',
    offset: '9',
    key: message.key,
    meta: null,
    reason,
    current,
  });

function changes(topic: FakeTopic): { changes: KafkaRuleChanges; audit: RuleChangeRecord[] } {
  const audit: RuleChangeRecord[] = [];
  const trail = { record: (record: RuleChangeRecord) => audit.push(record) };
  return {
    changes: new KafkaRuleChanges(
      topic as unknown as KafkaRuleStore,
      regexes,
      trail as unknown as AuditTrailService,
    ),
    audit,
  };
}

const request = (basis: ChangeRequest['basis'], ifMatch?: string): ChangeRequest => ({
  actor: { name: 'alice', roles: new Set(['read', 'write']) } as unknown as ChangeRequest['actor'],
  ruleId: 'ACME-1',
  basis,
  ifMatch,
});

/** A replacement of ACME-1 planned on the snapshot, as RulesService plans it. */
const replaceWith =
  (name: string) =>
  (snapshot: RuleSnapshot): Promise<PlannedChange> => {
    const before = snapshot.folder.rules[0] as SourceFile;
    return Promise.resolve({
      path: PATH,
      text: ruleText(name),
      before,
      change: { name },
      action: 'rule-replaced',
    });
  };

function expectOf(message: RuleTopicMessage | undefined): unknown {
  const meta =
    message?.value === null || message?.value === undefined ? message?.header : message.value;
  return (JSON.parse(meta ?? '{}') as { expect: unknown }).expect;
}

describe('KafkaRuleChanges', () => {
  it('produces a change carrying the version it was made on, and records it once applied', async () => {
    const topic = new FakeTopic([applied('12')]);
    const { changes: store, audit } = changes(topic);
    const result = await store.change(request('replace', '"o7"'), replaceWith('two'));
    expect(result).toEqual({ versionAfter: '"o12"' });
    expect(expectOf(topic.submitted[0])).toEqual({ state: 'version', versions: ['"o7"'] });
    expect(JSON.parse(topic.submitted[0]?.value ?? '{}')).toMatchObject({
      schemaVersion: 1,
      kind: 'rule-replaced',
      path: PATH,
      user: 'alice',
      rule: { id: 'ACME-1', name: 'two' },
    });
    expect(audit).toMatchObject([
      { action: 'rule-replaced', user: 'alice', versionBefore: '"o7"', versionAfter: '"o12"' },
    ]);
  });

  it('expects the rule to exist for an unconditional PUT, and to be absent for a creation', async () => {
    const topic = new FakeTopic([applied('12'), applied('13')]);
    const { changes: store } = changes(topic);
    await store.change(request('replace'), replaceWith('two'));
    await store.change(request('create'), () =>
      Promise.resolve({
        path: PATH,
        text: ruleText('new'),
        before: undefined,
        change: {},
        action: 'rule-created',
      }),
    );
    expect(topic.submitted.map(expectOf)).toEqual([{ state: 'present' }, { state: 'absent' }]);
  });

  it('sends a delete as a tombstone with its metadata in the header', async () => {
    const topic = new FakeTopic([applied('12')]);
    const { changes: store, audit } = changes(topic);
    const result = await store.change(request('delete', '"o7"'), (snapshot) =>
      Promise.resolve({
        path: PATH,
        text: null,
        before: snapshot.folder.rules[0],
        change: null,
        action: 'rule-deleted',
      }),
    );
    expect(result).toEqual({ versionAfter: null });
    expect(topic.submitted[0]).toMatchObject({ key: 'ACME-1', value: null });
    expect(expectOf(topic.submitted[0])).toEqual({ state: 'version', versions: ['"o7"'] });
    // Every replica records a deletion from its record (KafkaRuleStore), this one too.
    expect(audit).toEqual([]);
    expect(CHANGE_HEADER).toBe('shellwatch-change');
  });

  it('answers 412 with the current version when the log rejected the change, and records nothing', async () => {
    const topic = new FakeTopic([rejected('version', entry('other', '"o8"'))]);
    const { changes: store, audit } = changes(topic);
    const error = await store
      .change(request('replace', '"o7"'), replaceWith('two'))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PreconditionFailedException);
    expect((error as PreconditionFailedException).getResponse()).toMatchObject({ etag: '"o8"' });
    expect(audit).toEqual([]);
  });

  it('re-makes a patch without If-Match that lost a race, on the newer version', async () => {
    const topic = new FakeTopic([rejected('version', entry('other', '"o8"')), applied('12')]);
    const { changes: store } = changes(topic);
    await store.change(request('patch'), replaceWith('two'));
    expect(topic.submitted).toHaveLength(2);
  });

  it('answers 404 when the rule was deleted meanwhile', async () => {
    const topic = new FakeTopic([rejected('absent', undefined)]);
    const { changes: store } = changes(topic);
    await expect(store.change(request('replace'), replaceWith('two'))).rejects.toBeInstanceOf(
      NotFoundException,
    );
  });

  it('produces nothing for an invalid rule: 400', async () => {
    const topic = new FakeTopic([]);
    const { changes: store } = changes(topic);
    const invalid = (snapshot: RuleSnapshot): Promise<PlannedChange> =>
      replaceWith('x')(snapshot).then((planned) => ({
        ...planned,
        text: JSON.stringify({ id: 'ACME-1', name: 'x', severity: 'extreme', conditions: {} }),
      }));
    await expect(store.change(request('replace'), invalid)).rejects.toBeInstanceOf(
      BadRequestException,
    );
    expect(topic.submitted).toEqual([]);
  });

  it('refuses a versioned change of a rule whose last record it cannot read, and lets an unconditional one through', async () => {
    const topic = new FakeTopic([applied('12')]);
    topic.unreadableReason = 'schemaVersion 2 is newer than this build reads (1)';
    const { changes: store } = changes(topic);
    await expect(store.change(request('patch'), replaceWith('two'))).rejects.toThrow(
      /cannot read the last record of rule ACME-1 .*schemaVersion 2/,
    );
    expect(topic.submitted).toEqual([]);
    await store.change(request('replace'), replaceWith('two'));
    expect(topic.submitted.map(expectOf)).toEqual([{ state: 'present' }]);
  });

  it('answers 503 when Kafka cannot be read or written, 504 when the record may be in the log', async () => {
    const unreachable = new FakeTopic([]);
    unreachable.syncError = new RuleTopicUnavailableError('no answer', false);
    await expect(
      changes(unreachable).changes.change(request('replace'), replaceWith('two')),
    ).rejects.toBeInstanceOf(ServiceUnavailableException);
    const unsure = new FakeTopic([]);
    unsure.submitError = new RuleTopicUnavailableError('not read back', true);
    await expect(
      changes(unsure).changes.change(request('replace'), replaceWith('two')),
    ).rejects.toBeInstanceOf(GatewayTimeoutException);
  });
});
