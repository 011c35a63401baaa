import { afterAll, describe, expect, it } from 'vitest';
import {
  CHANGE_HEADER,
  encodeRuleRecord,
  RULE_RECORD_SCHEMA_VERSION,
  RuleLogState,
} from '../../src/core/rule-log';
import type { Expectation, TopicRecord } from '../../src/core/rule-log';
import { createTopic, produce, readTopicToEnd, testKafka, uniqueName } from '../support/kafka';
import { ServiceProcess } from '../support/service';
import { waitFor } from '../support/wait-for';
import { ruleTopicReplicaEnv } from '../support/world';

/**
 * RULES_STORE=kafka, the restatement window: a replica writes a record that the log
 * rejects and dies (SIGKILL) before it appends the restatement. Simulated here by
 * producing that record straight to the topic, as a replica would have, with nobody
 * to restate it. Another replica, following the topic or starting after the death,
 * must restate it, so that compaction never leaves the rejected record as the last
 * word on its key (a replica reading the compacted log would apply it and diverge).
 */
const API_KEY = 'e2e-restatement-key-3f9a61c0d2b847e5';
/** The replicas' grace before restating another's record is this (and up to as much again). */
const TOPIC_TIMEOUT_MS = 1_000;

function ruleBody(id: string, name: string): Record<string, unknown> {
  return {
    id,
    name,
    severity: 'low',
    conditions: { all: [{ fact: 'programs', operator: 'contains', value: 'nc' }] },
  };
}

/** A record as a replica writes it for an API change. */
function changeRecord(id: string, name: string, expect: Expectation) {
  return {
    key: id,
    partition: 0,
    value: encodeRuleRecord({
      schemaVersion: RULE_RECORD_SCHEMA_VERSION,
      kind: 'rule-replaced',
      expect,
      changeId: uniqueName('dead-writer'),
      user: 'dead-writer',
      at: new Date().toISOString(),
      path: `custom/${id}.json`,
      rule: ruleBody(id, name),
    }),
  };
}

/** Every record of the topic, from its start to its end offset now. */
async function readTopic(topic: string): Promise<TopicRecord[]> {
  return (await readTopicToEnd(topic, testKafka, 30_000)).map((message) => {
    const header = message.headers?.[CHANGE_HEADER];
    return {
      offset: message.offset,
      key: message.key?.toString() ?? null,
      value: message.value?.toString() ?? null,
      header: header === undefined ? undefined : String(header),
    };
  });
}

/** The restatements of the rejected record at `offset`. */
function restatementsOf(records: TopicRecord[], offset: string): TopicRecord[] {
  return records.filter((record) => {
    const meta = JSON.parse(record.value ?? record.header ?? '{}') as {
      restates?: { rejected: string };
    };
    return meta.restates?.rejected === offset;
  });
}

/** Kafka's compaction of the whole log: the last record of each key. */
function compacted(records: TopicRecord[]): TopicRecord[] {
  const last = new Map(records.map((record, index) => [record.key, index]));
  return records.filter((record, index) => last.get(record.key) === index);
}

function folded(records: TopicRecord[]): string[] {
  const state = new RuleLogState();
  for (const record of records) state.apply(record);
  return state.all().map((e) => `${e.key}@${e.version}=${String(e.document['name'])}`);
}

async function ruleAt(
  service: ServiceProcess,
  id: string,
): Promise<{ status: number; etag: string | null; name: unknown }> {
  const response = await fetch(`${service.baseUrl}/rules/${id}`, {
    headers: { authorization: `Bearer ${API_KEY}` },
  });
  const body = (await response.json()) as { rule?: { name?: unknown } };
  return { status: response.status, etag: response.headers.get('etag'), name: body.rule?.name };
}

describe('RULES_STORE=kafka: a writer that dies between a rejected record and its restatement', () => {
  const rulesTopic = uniqueName('e2e-rules-restatement');
  let replica: ServiceProcess | undefined;

  afterAll(async () => {
    await replica?.stop();
  });

  it('is restated by the replica that starts after it, then by the one that follows the log', async () => {
    // The topic as the service creates it; two records of a writer that died: a
    // creation, then a second creation of the same rule (rejected: it exists).
    await createTopic(rulesTopic, 1, { 'cleanup.policy': 'compact' });
    await produce(rulesTopic, [changeRecord('ACME-RS-1', 'first', { state: 'absent' })]);
    await produce(rulesTopic, [changeRecord('ACME-RS-1', 'lost', { state: 'absent' })]);
    expect(folded(compacted(await readTopic(rulesTopic)))).toEqual(['ACME-RS-1@"o1"=lost']);

    const input = uniqueName('e2e-restatement-input');
    await createTopic(input, 1);
    replica = new ServiceProcess(
      ruleTopicReplicaEnv('e2e-restatement', input, rulesTopic, {
        RULES_TOPIC_TIMEOUT_MS: String(TOPIC_TIMEOUT_MS),
        API_KEY,
      }),
    ).start();
    await replica.waitReady();
    expect(await ruleAt(replica, 'ACME-RS-1')).toMatchObject({ etag: '"o0"', name: 'first' });

    // At its catch-up the replica found offset 1 rejected and last of its key: restated.
    const afterStart = await waitFor(
      'a restatement of offset 1',
      () => readTopic(rulesTopic),
      (records) => restatementsOf(records, '1').length > 0,
      { timeoutMs: 30_000 },
    );
    expect(folded(compacted(afterStart))).toEqual(['ACME-RS-1@"o0"=first']);
    expect(replica.logs()).toContain('which its writer did not restate');

    // Live: a rule changed through the API, then a stale change from a writer that dies.
    const created = await fetch(`${replica.baseUrl}/rules`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(ruleBody('ACME-RS-2', 'through the API')),
    });
    expect(created.status).toBe(201);
    const version = created.headers.get('etag')!;
    await produce(rulesTopic, [
      changeRecord('ACME-RS-2', 'stale', { state: 'version', versions: ['"o0"'] }),
    ]);
    const rejectedAt = String(
      (await readTopic(rulesTopic)).findLast((r) => r.key === 'ACME-RS-2')!.offset,
    );
    const live = await waitFor(
      `a restatement of offset ${rejectedAt}`,
      () => readTopic(rulesTopic),
      (records) => restatementsOf(records, rejectedAt).length > 0,
      { timeoutMs: 30_000 },
    );
    expect(await ruleAt(replica, 'ACME-RS-2')).toMatchObject({
      etag: version,
      name: 'through the API',
    });
    // The compacted log folds to what the replica that followed it holds.
    expect(folded(compacted(live))).toEqual([
      'ACME-RS-1@"o0"=first',
      `ACME-RS-2@${version}=through the API`,
    ]);
    expect(folded(live)).toEqual(folded(compacted(live)));
    // One restatement per rejected record: no storm (the replica's own sweeps found them done).
    expect(restatementsOf(live, '1')).toHaveLength(1);
    expect(restatementsOf(live, rejectedAt)).toHaveLength(1);
  });
});
