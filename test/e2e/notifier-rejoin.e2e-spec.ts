import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Partitioners } from 'kafkajs';
import type { Message } from 'kafkajs';
import { createTopic, groupLag, kafkaAt, uniqueName } from '../support/kafka';
import { Receiver } from '../support/receiver';
import { ServiceProcess } from '../support/service';
import { PrivateKafka } from '../support/stack';
import { waitFor } from '../support/wait-for';

/**
 * The notifier after a broker restart: alerts written to the alerts topic while the
 * broker was down (the service's producer retrying) are delivered after the broker
 * returns, every one of them, and the whole topic committed. It also measures (logs,
 * never asserts) how long after the broker's return the first of them reaches the
 * receiver: the restarted broker reloads the group with the member the notifier had,
 * and the notifier's consumer, restarted after its crash, joins as a new member that
 * waits for the old one's session (KAFKA_SESSION_TIMEOUT_MS) to expire. Its own
 * broker on port 9592 (9192 kafka-outage, 9292 rules-kafka-outage, 9392
 * kafka-rejoin), so that stopping it disturbs no other test.
 */
const PARTITIONS = 2;
const BEFORE = 50;
const DURING = 50;

function alertMessage(i: number): Message & { id: string } {
  const id = `e2e.commands:${i % PARTITIONS}:${i}:SW-DST-0001`;
  const body = {
    '@timestamp': new Date(Date.UTC(2026, 11, 8, 1, 0, 0, i)).toISOString(),
    event: { kind: 'alert' },
    host: { name: `web-${i % 5}.example.internal` },
    rule: { id: 'SW-DST-0001', name: 'Forced delete', severity: 'critical', tags: [] },
  };
  return {
    id,
    key: id,
    partition: i % PARTITIONS,
    value: JSON.stringify(body),
    headers: { 'shellwatch.alert.id': id },
  };
}

function hookConfig(url: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sw-notify-rejoin-'));
  writeFileSync(join(dir, 'hook.url'), `${url}\n`);
  const path = join(dir, 'notify.json');
  const hook = {
    type: 'webhook',
    urlFile: join(dir, 'hook.url'),
    rateLimit: { max: 100000, windowSeconds: 60 },
  };
  writeFileSync(path, JSON.stringify({ outputs: { hook }, routes: [{ outputs: ['hook'] }] }));
  return path;
}

describe('Kafka broker restart: the notifier rejoins its group', () => {
  const broker = new PrivateKafka(9592);
  const kafka = kafkaAt(broker.broker);
  const topic = uniqueName('e2e-notify-rejoin');
  const group = uniqueName('e2e-notify-rejoin-group');
  let notifier: ServiceProcess | undefined;
  let receiver: Receiver | undefined;

  afterAll(async () => {
    await notifier?.kill();
    await receiver?.down();
    broker.stop();
  });

  it('delivers the alerts written during the outage after the broker returns', async () => {
    broker.start();
    // Right after its start the broker may still be loading: poll until the topic has a leader.
    await waitFor(
      `the topic ${topic} with a leader on the private broker`,
      async () => {
        await createTopic(topic, PARTITIONS, {}, kafka);
        return true;
      },
      (created) => created,
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
    receiver = await Receiver.start();
    const hook = receiver;
    const delivered = (): Set<string> =>
      new Set(hook.on('/hook').map((r) => String(r.headers['x-shellwatch-alert-id'])));
    notifier = new ServiceProcess(
      {
        KAFKA_BROKERS: broker.broker,
        KAFKA_ALERTS_TOPIC: topic,
        NOTIFY_GROUP_ID: group,
        NOTIFY_DLQ_TOPIC: `${topic}.notify-dlq`,
        NOTIFY_CONFIG_FILE: hookConfig(receiver.url('/hook')),
      },
      'dist/src/notifier/main.js',
    );
    notifier.start();
    await notifier.waitReady(120_000);

    const producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: 1_000, initialRetryTime: 300, maxRetryTime: 2_000 },
    });
    await producer.connect();
    const before = Array.from({ length: BEFORE }, (_, i) => alertMessage(i));
    await producer.send({ topic, acks: -1, messages: before });
    await waitFor(
      'the alerts written before the outage delivered',
      () => Promise.resolve(delivered().size),
      (n) => n === BEFORE,
      { timeoutMs: 120_000, intervalMs: 200 },
    );

    broker.stop();
    const during = Array.from({ length: DURING }, (_, i) => alertMessage(BEFORE + i));
    const sending = producer.send({ topic, acks: -1, messages: during });
    // The outage as the notifier sees it: its consumer lost the broker and crashed.
    await waitFor(
      'the notifier to report its consumer crashed',
      () => Promise.resolve(notifier!.output.join('\n')),
      (output) => output.includes('alerts consumer crashed'),
      { timeoutMs: 120_000, intervalMs: 500 },
    );

    broker.start();
    const backAt = Date.now();
    await sending;
    await producer.disconnect();
    const duringIds = during.map((m) => m.id);
    const deliveredDuring = (): number => {
      const ids = delivered();
      return duringIds.filter((id) => ids.has(id)).length;
    };
    await waitFor(
      'a first alert written during the outage delivered',
      () => Promise.resolve(deliveredDuring()),
      (n) => n > 0,
      { timeoutMs: 180_000, intervalMs: 200 },
    );
    const firstS = (Date.now() - backAt) / 1000;
    await waitFor(
      'every alert written during the outage delivered',
      () => Promise.resolve(deliveredDuring()),
      (n) => n === DURING,
      { timeoutMs: 180_000, intervalMs: 200 },
    );
    console.log(
      `notifier after a broker restart: first alert written during the outage delivered ${firstS.toFixed(1)} s after the broker returned, all ${DURING} after ${((Date.now() - backAt) / 1000).toFixed(1)} s`,
    );

    // Every alert delivered (at-least-once: a redelivery may notify twice), the whole
    // topic committed.
    expect(delivered()).toEqual(new Set([...before, ...during].map((m) => m.id)));
    await waitFor(
      'the whole alerts topic committed',
      () => groupLag(group, topic, kafka).catch(() => -1),
      (lag) => lag === 0,
      { timeoutMs: 120_000, intervalMs: 500 },
    );
  });
});
