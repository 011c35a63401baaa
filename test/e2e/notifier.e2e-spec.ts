import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { consumeAll, createTopic, groupLag, produce, uniqueName } from '../support/kafka';
import { Receiver } from '../support/receiver';
import type { Received } from '../support/receiver';
import { runProcess, ServiceProcess } from '../support/service';
import { KAFKA_BROKER, REPO_ROOT } from '../support/stack';
import { waitFor } from '../support/wait-for';

/**
 * The notifier as a user runs it (the built dist/src/notifier/main.js as a child
 * process, configured by environment and a config file) against the real Kafka
 * and a real HTTP receiver started here. Notifier-only: the alerts are
 * alert-shaped records produced straight to a fresh alerts topic, as the
 * pipeline produces them (key and shellwatch.alert.id = the alert id); the
 * pipeline's side is alerts-topic.e2e-spec.ts.
 */

interface TestRule {
  id: string;
  name: string;
  severity: string;
  tags: string[];
}

const RULES: TestRule[] = [
  { id: 'SW-DST-0001', name: 'Forced delete', severity: 'critical', tags: ['destruction'] },
  { id: 'SW-NET-0001', name: 'Reverse shell', severity: 'high', tags: ['execution'] },
  { id: 'SW-NET-0002', name: 'Download piped to a shell', severity: 'high', tags: ['exfil'] },
  { id: 'SW-PRV-0001', name: 'Sudoers edited', severity: 'medium', tags: ['privilege'] },
];
/** A rule whose output (the receiver's /reject) answers 400. */
const REFUSED_RULE: TestRule = {
  id: 'SW-BAD-0001',
  name: 'Refused by its receiver',
  severity: 'low',
  tags: [],
};
const REFUSED_AT = new Set([100, 500, 900]);

interface TestAlert {
  id: string;
  rule: TestRule;
  host: string;
  body: Record<string, unknown>;
}

function testAlert(i: number): TestAlert {
  const rule = REFUSED_AT.has(i) ? REFUSED_RULE : RULES[i % RULES.length]!;
  const host = i % 3 === 0 ? `db-${i % 4}.example.internal` : `web-${i % 7}.example.internal`;
  const id = `e2e.commands:${i % 3}:${i}:${rule.id}`;
  return {
    id,
    rule,
    host,
    body: {
      '@timestamp': new Date(Date.UTC(2026, 11, 7, 8, 0, 0, i)).toISOString(),
      event: { kind: 'alert', created: '2026-12-07T08:00:01.000Z' },
      host: { name: host },
      user: { name: i % 2 === 0 ? 'alice' : 'deploy' },
      process: { command_line: `test command ${i}` },
      rule: { id: rule.id, name: rule.name, severity: rule.severity, tags: rule.tags },
    },
  };
}

async function produceAlerts(topic: string, alerts: TestAlert[]): Promise<void> {
  await produce(
    topic,
    alerts.map((a) => ({
      key: a.id,
      value: JSON.stringify(a.body),
      headers: { 'shellwatch.alert.id': a.id },
    })),
  );
}

/** Writes the config file and one secret file per URL/token; returns the config's path. */
function writeConfig(config: {
  outputs: Record<string, Record<string, unknown> & { url: string; token?: string }>;
  routes: unknown[];
}): string {
  const dir = mkdtempSync(join(tmpdir(), 'sw-notify-'));
  const outputs: Record<string, unknown> = {};
  for (const [name, { url, token, ...rest }] of Object.entries(config.outputs)) {
    writeFileSync(join(dir, `${name}.url`), `${url}\n`);
    const tokenFile = token === undefined ? {} : { tokenFile: join(dir, `${name}.token`) };
    if (token !== undefined) writeFileSync(join(dir, `${name}.token`), token);
    outputs[name] = { ...rest, urlFile: join(dir, `${name}.url`), ...tokenFile };
  }
  const path = join(dir, 'notify.json');
  writeFileSync(path, JSON.stringify({ outputs, routes: config.routes }, null, 2));
  return path;
}

function notifierEnv(world: { topic: string; group: string }, configFile: string) {
  return {
    KAFKA_ALERTS_TOPIC: world.topic,
    NOTIFY_GROUP_ID: world.group,
    NOTIFY_DLQ_TOPIC: `${world.topic}.notify-dlq`,
    NOTIFY_CONFIG_FILE: configFile,
  };
}

function alertIds(requests: Received[]): string[] {
  return requests
    .filter((r) => r.headers['x-shellwatch-kind'] === 'alert')
    .map((r) => String(r.headers['x-shellwatch-alert-id']));
}

async function metric(service: ServiceProcess, line: string): Promise<number> {
  const text = await (await fetch(`${service.baseUrl}/metrics`)).text();
  const found = text.split('\n').find((l) => l.startsWith(line));
  return found === undefined ? 0 : Number(found.slice(line.length).trim());
}

const processes: ServiceProcess[] = [];
const receivers: Receiver[] = [];

afterAll(async () => {
  await Promise.all(processes.map((p) => p.kill()));
  await Promise.all(receivers.map((r) => r.down()));
});

describe('the notifier', () => {
  it('delivers 1,000 alerts exactly as routed, rate-limited with digests, a 400 to the dead-letter topic', async () => {
    const world = { topic: uniqueName('e2e-notify'), group: uniqueName('e2e-notify-group') };
    const receiver = await Receiver.start();
    receivers.push(receiver);
    receiver.answer('/reject', 400, '{"error":"invalid_payload"}');
    const TOKEN = 'e2e-token-0123456789abcdef';
    const configFile = writeConfig({
      outputs: {
        archive: { type: 'webhook', url: receiver.url('/all'), token: TOKEN, ...unlimited() },
        critical: { type: 'slack', url: receiver.url('/slack'), ...unlimited() },
        net: { type: 'mattermost', url: receiver.url('/mm'), channel: 'netops', ...unlimited() },
        dbteams: { type: 'teams', url: receiver.url('/teams'), ...unlimited() },
        limited: {
          type: 'webhook',
          url: receiver.url('/limited'),
          rateLimit: { max: 5, windowSeconds: 5 },
        },
        rejecting: { type: 'webhook', url: receiver.url('/reject'), ...unlimited() },
      },
      routes: [
        { name: 'everything', outputs: ['archive'] },
        { match: { severity: ['critical'] }, outputs: ['critical'] },
        { match: { ruleId: ['SW-NET-*'] }, outputs: ['net'] },
        { match: { host: ['db-*.example.internal'] }, outputs: ['dbteams'] },
        { match: { tag: ['destruction', 'execution'] }, outputs: ['limited'] },
        { match: { ruleId: ['SW-BAD-0001'] }, outputs: ['rejecting'] },
      ],
    });
    await createTopic(world.topic, 3);
    const alerts = Array.from({ length: 1000 }, (_, i) => testAlert(i));
    await produceAlerts(world.topic, alerts);
    // What each receiver path must get, computed from the data, not by the notifier's code.
    const expected = {
      '/all': alerts.length,
      '/slack': alerts.filter((a) => a.rule.severity === 'critical').length,
      '/mm': alerts.filter((a) => a.rule.id.startsWith('SW-NET-')).length,
      '/teams': alerts.filter((a) => a.host.startsWith('db-')).length,
      limited: alerts.filter((a) =>
        a.rule.tags.some((t) => t === 'destruction' || t === 'execution'),
      ).length,
    };

    const notifier = new ServiceProcess(
      notifierEnv(world, configFile),
      'dist/src/notifier/main.js',
    );
    processes.push(notifier);
    notifier.start();
    await notifier.waitReady();

    for (const path of ['/all', '/slack', '/mm', '/teams'] as const) {
      await waitFor(
        `${expected[path]} alerts on ${path}`,
        () => Promise.resolve(receiver.on(path).length),
        (n) => n >= expected[path],
        { timeoutMs: 180_000, intervalMs: 500 },
      );
    }
    const limitedTotal = (): { alerts: number; digested: number } => {
      const requests = receiver.on('/limited');
      const digests = requests.filter((r) => r.headers['x-shellwatch-kind'] === 'digest');
      return {
        alerts: alertIds(requests).length,
        digested: digests.reduce((n, d) => n + (JSON.parse(d.body) as { count: number }).count, 0),
      };
    };
    await waitFor(
      `${expected.limited} alerts sent or counted in digests on /limited`,
      () => Promise.resolve(limitedTotal()),
      ({ alerts: sent, digested }) => sent + digested >= expected.limited,
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    await waitFor(
      'the whole alerts topic committed',
      () => groupLag(world.group, world.topic),
      (lag) => lag === 0,
      {
        timeoutMs: 60_000,
        intervalMs: 500,
      },
    );

    // Exactly as routed: no duplicates without a crash, nothing missing, nothing extra.
    const all = receiver.on('/all');
    expect(all).toHaveLength(expected['/all']);
    expect(new Set(alertIds(all)).size).toBe(alerts.length);
    expect(receiver.on('/slack')).toHaveLength(expected['/slack']);
    expect(receiver.on('/mm')).toHaveLength(expected['/mm']);
    expect(receiver.on('/teams')).toHaveLength(expected['/teams']);
    expect(receiver.on('/reject')).toHaveLength(0);

    // The webhook body is the alert document; the token came from its file.
    const first = all.find((r) => r.headers['x-shellwatch-alert-id'] === alerts[7]!.id);
    expect(JSON.parse(first?.body ?? '{}')).toEqual(alerts[7]!.body);
    expect(first?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    const slack = JSON.parse(receiver.on('/slack')[0]?.body ?? '{}') as { text?: string };
    expect(slack.text).toMatch(/^\[CRITICAL\] SW-DST-0001 Forced delete on /);
    const mm = JSON.parse(receiver.on('/mm')[0]?.body ?? '{}') as { channel?: string };
    expect(mm.channel).toBe('netops');
    const teams = JSON.parse(receiver.on('/teams')[0]?.body ?? '{}') as { type?: string };
    expect(teams.type).toBe('message');

    // Rate limit: every digest follows a full window of 5, and alert + digest counts add up.
    const limited = receiver.on('/limited');
    const digests = limited
      .filter((r) => r.headers['x-shellwatch-kind'] === 'digest')
      .map((r) => JSON.parse(r.body) as { rule: { id: string }; count: number; sent: number });
    expect(digests.length).toBeGreaterThan(0);
    for (const digest of digests) {
      expect(digest.sent).toBe(5);
      expect(digest.count).toBeGreaterThan(0);
    }
    const { alerts: sentOneByOne, digested } = limitedTotal();
    expect(sentOneByOne + digested).toBe(expected.limited);
    for (const rule of ['SW-DST-0001', 'SW-NET-0001']) {
      const windows = digests.filter((d) => d.rule.id === rule).length + 1;
      const sentForRule = alertIds(limited).filter((id) => id.endsWith(`:${rule}`)).length;
      expect(sentForRule).toBeLessThanOrEqual(5 * windows);
    }

    // The three alerts /reject refused are on the dead-letter topic with the reason.
    const letters = await consumeAll(`${world.topic}.notify-dlq`, REFUSED_AT.size);
    expect(letters.map((l) => l.headers['shellwatch.alert.id']).sort()).toEqual(
      [...REFUSED_AT].map((i) => testAlert(i).id).sort(),
    );
    for (const letter of letters) {
      expect(letter.headers['shellwatch.reason']).toBe('NOTIFY_REFUSED');
      expect(letter.headers['shellwatch.error']).toBe(
        'output rejecting: HTTP 400: {"error":"invalid_payload"}',
      );
      expect(letter.headers['shellwatch.notify.output']).toBe('rejecting');
      expect(JSON.parse(letter.value?.toString() ?? '{}')).toMatchObject({
        rule: { id: 'SW-BAD-0001' },
      });
    }
    expect(
      await metric(
        notifier,
        'shellwatch_notifications_total{output="rejecting",outcome="dead_lettered"}',
      ),
    ).toBe(3);
    expect(notifier.logs()).not.toContain(TOKEN);

    console.log(
      `notifier e2e: /all ${all.length}, /slack ${expected['/slack']}, /mm ${expected['/mm']}, /teams ${expected['/teams']}, /limited ${sentOneByOne} sent + ${digested} in ${digests.length} digests = ${expected.limited}, dead-lettered ${letters.length}\nwebhook body: ${first?.body ?? ''}`,
    );
  });

  it('loses nothing when the receiver is down for 30 s and the notifier is SIGKILLed meanwhile', async () => {
    const world = { topic: uniqueName('e2e-notify-outage'), group: uniqueName('e2e-outage-group') };
    const receiver = await Receiver.start();
    receivers.push(receiver);
    const configFile = writeConfig({
      outputs: {
        hook: { type: 'webhook', url: receiver.url('/hook'), timeoutMs: 2000, ...unlimited() },
      },
      routes: [{ outputs: ['hook'] }],
    });
    await createTopic(world.topic, 3);
    const alerts = Array.from({ length: 300 }, (_, i) => testAlert(i));
    const env = notifierEnv(world, configFile);
    const first = new ServiceProcess(env, 'dist/src/notifier/main.js');
    processes.push(first);
    first.start();
    await first.waitReady();
    await produceAlerts(world.topic, alerts.slice(0, 100));
    await waitFor(
      '100 alerts delivered',
      () => Promise.resolve(receiver.on('/hook').length),
      (n) => n >= 100,
    );

    await receiver.down();
    const downAt = Date.now();
    await produceAlerts(world.topic, alerts.slice(100));
    await waitFor(
      'the notifier failing to deliver',
      () => metric(first, 'shellwatch_notifications_total{output="hook",outcome="failed"}'),
      (failed) => failed > 0,
    );
    const failedBeforeKill = await metric(
      first,
      'shellwatch_notifications_total{output="hook",outcome="failed"}',
    );
    await first.kill();
    const second = new ServiceProcess(env, 'dist/src/notifier/main.js');
    processes.push(second);
    second.start();
    await second.waitReady();
    // The outage lasts 30 s in all (a scenario's length, not a timed assertion).
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, 30_000 - (Date.now() - downAt))),
    );
    await receiver.up();

    const distinct = await waitFor(
      'every alert delivered after the outage',
      () => Promise.resolve(new Set(alertIds(receiver.on('/hook'))).size),
      (n) => n >= alerts.length,
      { timeoutMs: 180_000, intervalMs: 500 },
    );
    await waitFor(
      'the whole alerts topic committed',
      () => groupLag(world.group, world.topic),
      (lag) => lag === 0,
    );
    const ids = alertIds(receiver.on('/hook'));
    expect(distinct).toBe(alerts.length);
    expect(new Set(ids)).toEqual(new Set(alerts.map((a) => a.id)));
    console.log(
      `notifier outage e2e: ${alerts.length} alerts, ${distinct} distinct delivered, ${ids.length - distinct} duplicates (at-least-once), failed attempts: ${failedBeforeKill} before the SIGKILL, ${await metric(second, 'shellwatch_notifications_total{output="hook",outcome="failed"}')} after the restart`,
    );
  });
});

describe('the notifier group session', () => {
  // KAFKA_SESSION_TIMEOUT_MS at the broker's minimum, a webhook slower than it: the
  // consumer must heartbeat during the delivery, or the group evicts it, its commit
  // fails, and the batch is delivered again (a duplicate per alert).
  const SESSION_MS = 6_000;
  const WEBHOOK_MS = 9_000;

  it('delivers through a webhook slower than the session once each, the member never evicted', async () => {
    const world = { topic: uniqueName('e2e-notify-slow'), group: uniqueName('e2e-slow-group') };
    const receiver = await Receiver.start();
    receivers.push(receiver);
    receiver.delay('/slow', WEBHOOK_MS);
    const configFile = writeConfig({
      outputs: {
        slow: { type: 'webhook', url: receiver.url('/slow'), timeoutMs: 60_000, ...unlimited() },
      },
      routes: [{ outputs: ['slow'] }],
    });
    await createTopic(world.topic, 1);
    const alerts = Array.from({ length: 3 }, (_, i) => testAlert(i));
    const notifier = new ServiceProcess(
      { ...notifierEnv(world, configFile), KAFKA_SESSION_TIMEOUT_MS: String(SESSION_MS) },
      'dist/src/notifier/main.js',
    );
    processes.push(notifier);
    notifier.start();
    await notifier.waitReady();
    await produceAlerts(world.topic, alerts);
    await waitFor(
      'the whole alerts topic committed',
      () => groupLag(world.group, world.topic),
      (lag) => lag === 0,
      { timeoutMs: 180_000, intervalMs: 500 },
    );
    // Requests are recorded when they arrive: a redelivery after an eviction would
    // have reached the receiver before the commit that ends the wait above.
    expect(alertIds(receiver.on('/slow')).sort()).toEqual(alerts.map((a) => a.id).sort());
    expect(notifier.output.join('\n')).not.toMatch(/commit of .* failed|alerts consumer crashed/);
  });
});

describe('the notifier configuration', () => {
  it('refuses a bad file at start: every problem with its place, no secret shown, exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-notify-bad-'));
    writeFileSync(join(dir, 'hook.url'), 'https://hooks.example/T0/SECRET-PART\n');
    const configFile = join(dir, 'notify.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        outputs: {
          hook: { type: 'webhook', urlFile: join(dir, 'hook.url'), retries: 3 },
          chat: { type: 'irc', urlFile: join(dir, 'missing.url') },
        },
        routes: [{ match: { severity: ['urgent'] }, outputs: ['hook', 'pager'] }],
      }),
    );
    const { code, output } = await runProcess(
      process.execPath,
      [join(REPO_ROOT, 'dist/src/notifier/main.js')],
      {
        PATH: process.env.PATH ?? '',
        KAFKA_BROKERS: KAFKA_BROKER,
        NOTIFY_CONFIG_FILE: configFile,
      },
      60_000,
    );
    expect(code).toBe(1);
    expect(output).toContain('invalid notifier configuration');
    expect(output).toContain(`${configFile}#/outputs/hook: unknown property "retries"`);
    expect(output).toContain(`${configFile}#/outputs/chat/type: must be one of "webhook"`);
    expect(output).toContain(`${configFile}#/routes/0/match/severity/0: must be one of`);
    expect(output).not.toContain('SECRET-PART');
    expect(output).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('says in one line that the alerts topic does not exist yet, exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-notify-notopic-'));
    writeFileSync(join(dir, 'hook.url'), 'http://127.0.0.1:9/hook\n');
    const configFile = join(dir, 'notify.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        outputs: { hook: { type: 'webhook', urlFile: join(dir, 'hook.url') } },
        routes: [{ outputs: ['hook'] }],
      }),
    );
    const topic = uniqueName('sw-notify-missing');
    const { code, output } = await runProcess(
      process.execPath,
      [join(REPO_ROOT, 'dist/src/notifier/main.js')],
      {
        PATH: process.env.PATH ?? '',
        KAFKA_BROKERS: KAFKA_BROKER,
        HTTP_PORT: '0',
        ...notifierEnv({ topic, group: `${topic}-group` }, configFile),
      },
      60_000,
    );
    expect(code).toBe(1);
    expect(output).toContain(`alerts topic ${topic} does not exist (yet)`);
    expect(output).not.toMatch(/\n\s+at /); // no stack trace
  });
});

/** A rate limit that never bites in these tests. */
function unlimited(): { rateLimit: { max: number; windowSeconds: number } } {
  return { rateLimit: { max: 100000, windowSeconds: 60 } };
}
