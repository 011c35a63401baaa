import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allDocuments, countDocuments, uniqueIndex } from '../support/elasticsearch';
import { createTopic, produce, uniqueName, withAdmin } from '../support/kafka';
import { callRulesApi } from '../support/rules-api';
import type { RulesApiAnswer } from '../support/rules-api';
import { runProcess, ServiceProcess } from '../support/service';
import { KAFKA_BROKER, REPO_ROOT } from '../support/stack';
import { waitFor } from '../support/wait-for';

/**
 * Issue 22, item 1: the shared rule store on Kafka (RULES_STORE=kafka). Three
 * replicas of the built service follow one compacted rule topic; changes go
 * through any of them; every replica folds the same log the same way.
 */
const API_KEY = 'e2e-kafka-store-key-5c1e0d7a9b24f863';
const KEY_NAME = 'default';
const CHANGES = 100;
const RULE_IDS = Array.from({ length: 8 }, (_, i) => `ACME-KS-${String(i).padStart(2, '0')}`);

interface RuleStatus {
  hash: string | null;
  loadedAt: string | null;
  ruleCount: number;
  stale: boolean;
  lastErrors: unknown[];
  store?: { appliedOffset: string | null; unreadable: { key: string; reason: string }[] };
}

function ruleBody(id: string, name: string): Record<string, unknown> {
  return {
    id,
    name,
    severity: 'low',
    tags: ['e2e'],
    conditions: { all: [{ fact: 'programs', operator: 'contains', value: 'nc' }] },
    examples: { match: ['nc -l 4444'], noMatch: ['ls'] },
  };
}

function call(
  service: ServiceProcess,
  method: string,
  path: string,
  body?: unknown,
  ifMatch?: string,
): Promise<RulesApiAnswer> {
  return callRulesApi(service, API_KEY, { method, path, body, ifMatch });
}

async function status(service: ServiceProcess): Promise<RuleStatus> {
  return (await call(service, 'GET', '/rules/status')).body as unknown as RuleStatus;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

describe('RULES_STORE=kafka: three replicas on one compacted rule topic', () => {
  const rulesTopic = uniqueName('e2e-rules-store');
  const auditIndex = uniqueIndex('e2e-kafka-store-audit');
  const replicas: ServiceProcess[] = [];
  /** The etag of each rule after the last successful change (null: deleted). */
  const lastEtag = new Map<string, string | null>();
  let successfulChanges = 0;
  /** ACME-KS-RACE's version after the races. */
  let raceEtag = '';

  const replicaEnv = async (name: string): Promise<Record<string, string>> => {
    const topic = uniqueName(`e2e-ks-input-${name}`);
    await createTopic(topic, 1);
    return {
      KAFKA_TOPIC: topic,
      KAFKA_GROUP_ID: uniqueName(`e2e-ks-${name}-group`),
      KAFKA_DLQ_TOPIC: `${topic}.dlq`,
      KAFKA_ALERTS_TOPIC: '',
      ES_ALERTS_INDEX: uniqueIndex(`e2e-ks-${name}-alerts`),
      ES_COMMANDS_INDEX: '',
      ES_AUDIT_INDEX: auditIndex,
      RULES_STORE: 'kafka',
      RULES_TOPIC: rulesTopic,
      API_KEY,
    };
  };

  /** Every replica reports `hash`; resolves with their statuses. */
  const converged = (hash: string, what: string, among = replicas): Promise<RuleStatus[]> =>
    waitFor(
      what,
      () => Promise.all(among.map(status)),
      (all) => all.every((s) => s.hash === hash),
      { timeoutMs: 20_000, intervalMs: 20 },
    );

  /**
   * One change through `service`, chosen by what the rule is now: create it,
   * patch, replace, or (every fifth change of a rule) delete it.
   */
  const change = async (service: ServiceProcess, step: number): Promise<RulesApiAnswer> => {
    const id = RULE_IDS[step % RULE_IDS.length]!;
    const etag = lastEtag.get(id);
    let answer: RulesApiAnswer;
    if (etag === undefined || etag === null) {
      answer = await call(service, 'POST', '/rules', ruleBody(id, `step ${step}`));
      expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    } else if (step % 5 === 4) {
      answer = await call(service, 'DELETE', `/rules/${id}`, undefined, etag);
      expect(answer.status, JSON.stringify(answer.body)).toBe(204);
    } else if (step % 2 === 0) {
      answer = await call(service, 'PATCH', `/rules/${id}`, { name: `step ${step}` }, etag);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    } else {
      answer = await call(service, 'PUT', `/rules/${id}`, ruleBody(id, `step ${step}`), etag);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    }
    lastEtag.set(id, answer.status === 204 ? null : answer.etag);
    successfulChanges += 1;
    return answer;
  };

  beforeAll(async () => {
    const envs = await Promise.all(['a', 'b', 'c'].map(replicaEnv));
    for (const env of envs) replicas.push(new ServiceProcess(env).start());
    await Promise.all(replicas.map((replica) => replica.waitReady()));
  });

  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
  });

  it('creates the topic compacted with one partition', async () => {
    const config = await withAdmin(async (admin) => {
      const metadata = await admin.fetchTopicMetadata({ topics: [rulesTopic] });
      const configs = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: 2, name: rulesTopic, configNames: ['cleanup.policy'] }],
      });
      return {
        partitions: metadata.topics[0]?.partitions.length,
        policy: configs.resources[0]?.configEntries[0]?.configValue,
      };
    });
    expect(config).toEqual({ partitions: 1, policy: 'compact' });
  });

  it(`applies ${CHANGES} changes through different replicas; every replica reports the same hash after each`, async () => {
    const propagationMs: number[] = [];
    for (let step = 0; step < CHANGES; step++) {
      const via = replicas[step % replicas.length]!;
      await change(via, step);
      const answeredAt = Date.now();
      // The replica that answered has applied the change: its hash is the new one.
      const { hash } = await status(via);
      const all = await converged(hash!, `step ${step}: every replica on hash ${hash}`);
      // When the last replica swapped the new set in (loadedAt, same clock), after the answer.
      const last = Math.max(...all.map((s) => Date.parse(s.loadedAt ?? '')));
      propagationMs.push(Math.max(0, last - answeredAt));
    }
    const p50 = percentile(propagationMs, 50);
    const p99 = percentile(propagationMs, 99);
    console.log(
      `kafka rule store: propagation from the API's answer to the last of 3 replicas, ${CHANGES} changes: p50 ${p50} ms, p99 ${p99} ms, max ${Math.max(...propagationMs)} ms`,
    );
    // The answers' versions are the state of every replica.
    for (const replica of replicas) {
      for (const [id, etag] of lastEtag) {
        const answer = await call(replica, 'GET', `/rules/${id}`);
        expect(answer.status, `${id} on port ${replica.port}`).toBe(etag === null ? 404 : 200);
        if (etag !== null) expect(answer.etag).toBe(etag);
      }
    }
  });

  it('writes one audit document per change, named after the key used', async () => {
    await waitFor(
      `${successfulChanges} audit documents in ${auditIndex}`,
      () => countDocuments(auditIndex),
      (count) => count >= successfulChanges,
      { timeoutMs: 30_000 },
    );
    const documents = await allDocuments<{ user: { name: string } }>(auditIndex);
    expect(documents).toHaveLength(successfulChanges);
    expect(new Set(documents.map((d) => d.source.user.name))).toEqual(new Set([KEY_NAME]));
  });

  it('writes one audit document for a rule pushed by the CLI, whichever replicas apply it', async () => {
    const id = 'ACME-KS-PUSHED';
    const folder = mkdtempSync(join(tmpdir(), 'shellwatch-ks-push-'));
    try {
      mkdirSync(join(folder, 'custom'));
      writeFileSync(join(folder, 'custom', `${id}.json`), JSON.stringify(ruleBody(id, 'pushed')));
      const pushed = await runProcess(
        process.execPath,
        [resolve(REPO_ROOT, 'bin/shellwatch.js'), 'rules', 'push', folder],
        { PATH: process.env.PATH ?? '', KAFKA_BROKERS: KAFKA_BROKER, RULES_TOPIC: rulesTopic },
        120_000,
      );
      expect(pushed.code, pushed.output).toBe(0);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
    for (const replica of replicas) {
      await waitFor(
        `${id} on port ${replica.port}`,
        () => call(replica, 'GET', `/rules/${id}`),
        (answer) => answer.status === 200,
        { timeoutMs: 20_000 },
      );
    }
    type Audit = {
      event: { action: string; type: string[] };
      rule: { id: string };
      user: { name: string };
    };
    const pushDocuments = async () =>
      (await allDocuments<Audit>(auditIndex)).filter((d) => d.source.rule.id === id);
    await waitFor(`the push of ${id} in ${auditIndex}`, pushDocuments, (docs) => docs.length > 0, {
      timeoutMs: 30_000,
    });
    // Three replicas applied it, each recorded it: under the change id, one document.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const documents = await pushDocuments();
    expect(documents).toHaveLength(1);
    expect(documents[0]?.source.event).toMatchObject({ action: 'rule-pushed', type: ['creation'] });
    expect(documents[0]?.source.user.name).toMatch(/^cli:/);
  });

  it('lets exactly one of two concurrent changes with the same If-Match win, 10 times of 10', async () => {
    const [a, b] = replicas as [ServiceProcess, ServiceProcess];
    const id = 'ACME-KS-RACE';
    const created = await call(a, 'POST', '/rules', ruleBody(id, 'race'));
    expect(created.status).toBe(201);
    let etag = created.etag!;
    for (let trial = 0; trial < 10; trial++) {
      const [first, second] = trial % 2 === 0 ? [a, b] : [b, a];
      const answers = await Promise.all([
        call(first, 'PATCH', `/rules/${id}`, { name: `patched, trial ${trial}` }, etag),
        call(second, 'PUT', `/rules/${id}`, ruleBody(id, `replaced, trial ${trial}`), etag),
      ]);
      const statuses = answers.map((answer) => answer.status);
      expect([...statuses].sort(), `trial ${trial}: ${JSON.stringify(answers)}`).toEqual([
        200, 412,
      ]);
      const winner = answers.find((answer) => answer.status === 200)!;
      const loser = answers.find((answer) => answer.status === 412)!;
      // The loser is told the version that won.
      expect(loser.body['etag']).toBe(winner.etag);
      etag = winner.etag!;
      raceEtag = etag;
      // Every replica runs the winner's change.
      const { hash } = await status(first);
      await converged(hash!, `trial ${trial}: every replica on the winner's change`);
      for (const replica of replicas) {
        const rule = await call(replica, 'GET', `/rules/${id}`);
        expect(rule.etag).toBe(winner.etag);
        expect((rule.body['rule'] as { name: string }).name).toBe(
          (winner.body['rule'] as { name: string }).name,
        );
      }
    }
  });

  it('a replica killed with SIGKILL during changes and restarted converges: nothing lost, nothing applied twice', async () => {
    const [a, b, c] = replicas as [ServiceProcess, ServiceProcess, ServiceProcess];
    const live = [a, b];
    for (let step = CHANGES; step < CHANGES + 30; step++) {
      if (step === CHANGES + 5) await c.kill();
      if (step === CHANGES + 15) c.start();
      await change(live[step % 2]!, step);
    }
    await c.waitReady();
    const { hash } = await status(a);
    await converged(hash!, 'the restarted replica on the same hash as the others');
    for (const [id, etag] of lastEtag) {
      const answer = await call(c, 'GET', `/rules/${id}`);
      expect(answer.status, id).toBe(etag === null ? 404 : 200);
      if (etag !== null) expect(answer.etag, id).toBe(etag);
    }
    // Each record of the topic folded exactly once by the restarted replica.
    const end = await withAdmin(async (admin) =>
      Number((await admin.fetchTopicOffsets(rulesTopic))[0]?.high ?? '0'),
    );
    const metrics = await (await fetch(`${c.baseUrl}/metrics`)).text();
    const folded = [...metrics.matchAll(/^shellwatch_rule_topic_records_total\{[^}]*\} (\d+)$/gm)]
      .map((match) => Number(match[1]))
      .reduce((sum, count) => sum + count, 0);
    expect(folded).toBe(end);
  });

  it('keeps the last good set when a record cannot be applied, and says why', async () => {
    const [a] = replicas as [ServiceProcess];
    // A rule that exists: its version here goes unknown once its last record cannot be read.
    const id = RULE_IDS.find((rule) => lastEtag.get(rule))!;
    const before = await status(a);
    // A newer schema (an upgraded replica wrote it), then a rule this build cannot compile.
    await produce(rulesTopic, [
      {
        key: id,
        value: JSON.stringify({ schemaVersion: 99, kind: 'rule-replaced' }),
        partition: 0,
      },
    ]);
    const unready = await waitFor(
      'readiness naming the unreadable record',
      () => a.readiness(),
      (r) => r.status === 503 && JSON.stringify(r.body).includes('schemaVersion 99'),
      { timeoutMs: 15_000 },
    );
    expect(JSON.stringify(unready.body)).toContain('rulesStore');
    const after = await status(a);
    expect(after.hash).toBe(before.hash);
    expect(after.stale).toBe(true);
    expect(after.store?.unreadable.map((u) => u.key)).toEqual([id]);
    // A rule that does not compile here: a new one, and a new version of a running one.
    const brokenRecord = (id: string) =>
      JSON.stringify({
        schemaVersion: 1,
        kind: 'rule-pushed',
        path: `custom/${id}.json`,
        changeId: `e2e-broken-${id}`,
        user: 'e2e',
        at: new Date().toISOString(),
        expect: null,
        rule: {
          ...ruleBody(id, 'broken'),
          conditions: { all: [{ fact: 'programs', operator: 'noSuchOperator', value: 1 }] },
        },
      });
    await produce(rulesTopic, [
      { key: 'ACME-KS-BROKEN', value: brokenRecord('ACME-KS-BROKEN'), partition: 0 },
      { key: 'ACME-KS-RACE', value: brokenRecord('ACME-KS-RACE'), partition: 0 },
    ]);
    await waitFor(
      'readiness naming the rules that do not compile',
      () => a.readiness(),
      (r) =>
        JSON.stringify(r.body).includes('ACME-KS-RACE') &&
        JSON.stringify(r.body).includes('ACME-KS-BROKEN'),
      { timeoutMs: 15_000 },
    );
    // The running rule keeps its last good version; the new one never runs.
    const race = await call(a, 'GET', '/rules/ACME-KS-RACE');
    expect(race.etag).toBe(raceEtag);
    expect((await call(a, 'GET', '/rules/ACME-KS-BROKEN')).status).toBe(404);
    expect((await status(a)).hash).toBe(before.hash);
    // The replica keeps following: a good change of the unreadable rule clears its problem.
    // A change that depends on the version is refused meanwhile; an unconditional one goes through.
    const patch = await call(a, 'PATCH', `/rules/${id}`, { name: 'patched' });
    expect(patch.status, JSON.stringify(patch.body)).toBe(409);
    expect(String(patch.body['message'])).toContain('cannot read the last record');
    const fixed = await call(a, 'PUT', `/rules/${id}`, ruleBody(id, 'fixed'));
    expect(fixed.status, JSON.stringify(fixed.body)).toBe(200);
    const later = await status(a);
    expect(later.store?.unreadable).toEqual([]);
    expect(later.hash).not.toBe(before.hash);
  });
});
