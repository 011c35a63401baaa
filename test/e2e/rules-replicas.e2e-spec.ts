import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueIndex } from '../support/elasticsearch';
import { createTopic, uniqueName } from '../support/kafka';
import { ServiceProcess } from '../support/service';
import { REPO_ROOT } from '../support/stack';
import { waitFor } from '../support/wait-for';

/**
 * If-Match across replicas (issue 20, finding 5): two service processes share one
 * RULES_DIR, and each gets a change to the same rule with the same If-Match at the
 * same moment (a PATCH on one, a PUT on the other). Exactly one may win; the other
 * must be told that the rule changed (412), every time. Before the file lock, the
 * check and the rename were not one step and both answered 200.
 */
const API_KEY = 'e2e-replicas-key-7d41c09b2e5a8f36';
const TRIALS = 10;
const RULE_ID = 'SW-EXE-0001';
const RULE_FILE = 'execution/SW-EXE-0001.json';

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** The ETag the API gives a file: SHA-256 of its exact bytes (docs/api.md). */
function etagOfFile(path: string): string {
  return `"${createHash('sha256').update(readFileSync(path)).digest('base64url')}"`;
}

describe('If-Match on two replicas sharing one rules folder', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'shellwatch-replicas-'));
  const rulesDir = join(workDir, 'rules');
  const replicas: ServiceProcess[] = [];

  const send = async (
    service: ServiceProcess,
    method: string,
    body: unknown,
    ifMatch: string,
  ): Promise<Answer> => {
    const response = await fetch(`${service.baseUrl}/rules/${RULE_ID}`, {
      method,
      headers: {
        authorization: `Bearer ${API_KEY}`,
        'content-type': 'application/json',
        'if-match': ifMatch,
      },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  const etagServedBy = async (service: ServiceProcess): Promise<string | null> =>
    (
      await fetch(`${service.baseUrl}/rules/${RULE_ID}`, {
        headers: { authorization: `Bearer ${API_KEY}` },
      })
    ).headers.get('etag');

  beforeAll(async () => {
    cpSync(resolve(REPO_ROOT, 'test/fixtures/rules/basic'), rulesDir, { recursive: true });
    for (const name of ['a', 'b']) {
      const topic = uniqueName(`e2e-replica-${name}`);
      await createTopic(topic, 1);
      replicas.push(
        new ServiceProcess({
          KAFKA_TOPIC: topic,
          KAFKA_GROUP_ID: uniqueName(`e2e-replica-${name}-group`),
          KAFKA_DLQ_TOPIC: `${topic}.dlq`,
          ES_ALERTS_INDEX: uniqueIndex(`e2e-replica-${name}-alerts`),
          ES_COMMANDS_INDEX: uniqueIndex(`e2e-replica-${name}-commands`),
          RULES_DIR: rulesDir,
          API_KEY,
        }).start(),
      );
    }
    await Promise.all(replicas.map((replica) => replica.waitReady()));
  });

  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    rmSync(workDir, { recursive: true, force: true });
  });

  it(`lets exactly one of two concurrent changes with the same If-Match win, ${TRIALS} times of ${TRIALS}`, async () => {
    const [a, b] = replicas as [ServiceProcess, ServiceProcess];
    const outcomes: string[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      // Both replicas serve the file as it is now, so both clients start from the same version.
      const file = join(rulesDir, RULE_FILE);
      const etag = etagOfFile(file);
      await waitFor(
        `trial ${trial}: both replicas serving the file's current version`,
        async () => [await etagServedBy(a), await etagServedBy(b)],
        (served) => served.every((served) => served === etag),
        { timeoutMs: 15_000, intervalMs: 50 },
      );
      const rule = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      const patch = { name: `patched through replica A, trial ${trial}` };
      const put = { ...rule, name: `replaced through replica B, trial ${trial}` };
      // PATCH on one, PUT on the other; the roles swap every trial.
      const [first, second] = trial % 2 === 0 ? [a, b] : [b, a];
      const answers = await Promise.all([
        send(first, 'PATCH', patch, etag),
        send(second, 'PUT', put, etag),
      ]);
      const statuses = answers.map((answer) => answer.status);
      outcomes.push(statuses.join('/'));
      expect([...statuses].sort(), `trial ${trial}: ${JSON.stringify(answers)}`).toEqual([
        200, 412,
      ]);
      // The file is the winner's change, and the loser was told the version that won.
      const winner = statuses[0] === 200 ? patch.name : put.name;
      const written = JSON.parse(readFileSync(file, 'utf8')) as { name: string };
      expect(written.name).toBe(winner);
      const loser = answers.find((answer) => answer.status === 412)!;
      expect(loser.body['etag']).toBe(etagOfFile(file));
    }
    console.log(`replicas: PATCH/PUT statuses per trial: ${outcomes.join(', ')}`);
  });
});
