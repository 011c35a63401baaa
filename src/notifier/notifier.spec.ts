import { describe, expect, it } from 'vitest';
import type { DeadLetter } from '../core/process-batch';
import type { AlertBatch } from '../kafka/alerts-consumer';
import { NotificationRetryError } from './http-delivery';
import { Notifier, NOTIFY_DLQ_REASONS } from './notifier';
import { NotifierMetrics } from './notifier-metrics';
import { parseNotifyConfig } from './notify-config';
import type { OutputSettings } from './notify-config';

const CONFIG = parseNotifyConfig(
  'notify.json',
  JSON.stringify({
    outputs: {
      chat: { type: 'slack', urlFile: 'url', rateLimit: { max: 2, windowSeconds: 60 } },
      hook: { type: 'webhook', urlFile: 'url', rateLimit: { max: 1000, windowSeconds: 60 } },
    },
    routes: [{ match: { severity: ['critical'] }, outputs: ['chat'] }, { outputs: ['hook'] }],
  }),
  () => 'http://127.0.0.1:1/',
);

type Answer = 'delivered' | 'refused' | 'retry';

/** Fake I/O: answers per output scripted by the test, a clock it moves, commits recorded. */
class FakePorts {
  now = Date.UTC(2026, 11, 7, 8, 0, 0);
  sent: { output: string; body: string; headers: Record<string, string> }[] = [];
  deadLetters: DeadLetter[] = [];
  commits: string[] = [];
  answers: Record<string, Answer[]> = {};
  logger = { warn: (): void => undefined, error: (): void => undefined };

  send = (output: OutputSettings, body: string, headers: Record<string, string>) => {
    const answer = this.answers[output.name]?.shift() ?? 'delivered';
    if (answer === 'retry') {
      return Promise.reject(new NotificationRetryError(output.name, 'HTTP 503', undefined));
    }
    this.sent.push({ output: output.name, body, headers });
    return Promise.resolve(
      answer === 'delivered'
        ? { verdict: 'delivered' as const }
        : { verdict: 'refused' as const, reason: 'HTTP 400: bad payload' },
    );
  };
  deadLetter = (_topic: string, _partition: number, letters: DeadLetter[]): Promise<void> => {
    this.deadLetters.push(...letters);
    return Promise.resolve();
  };
  commit = (_topic: string, partition: number, offset: string): Promise<void> => {
    this.commits.push(`${partition}@${offset}`);
    return Promise.resolve();
  };
  sleep = (): Promise<void> => Promise.resolve();
}

function batch(offsets: number[], severity = 'critical', ruleId = 'SW-DST-0001'): AlertBatch {
  return {
    topic: 'shell.alerts',
    partition: 0,
    records: offsets.map((offset) => ({
      offset: String(offset),
      key: `id-${offset}`,
      value: Buffer.from(JSON.stringify({ rule: { id: ruleId, severity }, host: { name: 'h' } })),
      headers: { 'shellwatch.alert.id': `id-${offset}` },
    })),
    heartbeat: () => Promise.resolve(),
    isActive: () => true,
  };
}

function notifier(ports: FakePorts): Notifier {
  return new Notifier(
    CONFIG,
    {
      ...ports,
      now: () => ports.now,
      send: ports.send,
      deadLetter: ports.deadLetter,
      commit: ports.commit,
    },
    new NotifierMetrics(['chat', 'hook']),
  );
}

describe('Notifier', () => {
  it('routes, delivers and commits past the batch', async () => {
    const ports = new FakePorts();
    await notifier(ports).handleBatch(batch([0, 1]));
    expect(ports.sent.map((s) => `${s.output}:${s.headers['x-shellwatch-alert-id']}`)).toEqual([
      'chat:id-0',
      'hook:id-0',
      'chat:id-1',
      'hook:id-1',
    ]);
    expect(ports.commits).toEqual(['0@2']);
  });

  it('retries until delivered before committing', async () => {
    const ports = new FakePorts();
    ports.answers.hook = ['retry', 'retry'];
    await notifier(ports).handleBatch(batch([0], 'low'));
    expect(ports.sent.map((s) => s.output)).toEqual(['hook']);
    expect(ports.commits).toEqual(['0@1']);
  });

  it('dead-letters a refused alert with the output and the reason, then commits', async () => {
    const ports = new FakePorts();
    ports.answers.hook = ['refused'];
    await notifier(ports).handleBatch(batch([5], 'low'));
    expect(ports.deadLetters).toHaveLength(1);
    expect(ports.deadLetters[0]).toMatchObject({
      offset: '5',
      reason: NOTIFY_DLQ_REASONS.refused,
      message: 'output hook: HTTP 400: bad payload',
      record: { headers: { 'shellwatch.notify.output': 'hook', 'shellwatch.alert.id': 'id-5' } },
    });
    expect(ports.commits).toEqual(['0@6']);
  });

  it('holds the commit at the first rate-limited record until its digest is delivered', async () => {
    const ports = new FakePorts();
    const n = notifier(ports);
    await n.handleBatch(batch([0, 1, 2, 3, 4]));
    expect(ports.sent.filter((s) => s.output === 'chat')).toHaveLength(2);
    expect(ports.commits).toEqual(['0@2']);
    ports.now += 30_000;
    await n.tick();
    expect(ports.commits).toEqual(['0@2']);
    ports.now += 30_000;
    await n.tick();
    const digest = ports.sent.find((s) => s.headers['x-shellwatch-kind'] === 'digest');
    expect(digest?.output).toBe('chat');
    expect((JSON.parse(digest?.body ?? '{}') as { text: string }).text).toContain('3 more alerts');
    expect(ports.commits).toEqual(['0@2', '0@5']);
  });

  it('dead-letters a record that is not an alert document and moves on', async () => {
    const ports = new FakePorts();
    const bad = batch([0]);
    bad.records[0]!.value = Buffer.from('not json');
    await notifier(ports).handleBatch(bad);
    expect(ports.deadLetters.map((d) => d.reason)).toEqual([NOTIFY_DLQ_REASONS.invalid]);
    expect(ports.sent).toEqual([]);
    expect(ports.commits).toEqual(['0@1']);
  });
});
