import { KafkaJSConnectionError, KafkaJSProtocolError } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import {
  ALERT_HEADERS,
  AlertsDelivery,
  AlertsWriteError,
  capAlertMessage,
} from './alerts.producer';
import type { AlertMessage } from './alerts.producer';

function message(id: string, extraBytes = 0): AlertMessage {
  const body = {
    '@timestamp': '2026-11-25T12:00:00.000Z',
    rule: { id: 'SW-DST-0001', name: 'Forced delete', severity: 'critical', tags: ['t'] },
    host: { name: 'web-1' },
    event: { original: 'x'.repeat(extraBytes) },
  };
  return { key: id, value: Buffer.from(JSON.stringify(body)), headers: { [ALERT_HEADERS.id]: id } };
}

const tooLarge = (): Error =>
  new KafkaJSProtocolError(
    Object.assign(new Error('message too large'), {
      type: 'MESSAGE_TOO_LARGE',
      code: 10,
      retriable: false,
    }),
  );

describe('capAlertMessage', () => {
  it('keeps an alert that fits', () => {
    const fits = message('a');
    expect(capAlertMessage(fits, 100_000)).toBe(fits);
  });

  it('replaces an oversized alert by its summary, keyed and flagged', () => {
    const capped = capAlertMessage(message('big', 200_000), 100_000);
    expect(capped.key).toBe('big');
    expect(capped.headers[ALERT_HEADERS.truncated]).toBe('value');
    expect(Number(capped.headers[ALERT_HEADERS.originalSize])).toBeGreaterThan(200_000);
    expect(JSON.parse(capped.value.toString())).toMatchObject({
      'shellwatch.rule.id': 'SW-DST-0001',
      'shellwatch.rule.severity': 'critical',
      'host.name': 'web-1',
      'shellwatch.truncated': true,
    });
  });
});

describe('AlertsDelivery', () => {
  it('does not send again what the broker acknowledged before a failure', async () => {
    const sent: string[][] = [];
    let failNext = false;
    const delivery = new AlertsDelivery(
      [[message('a')], [message('b')]],
      (request) => {
        if (failNext) {
          failNext = false;
          return Promise.reject(new KafkaJSConnectionError('Connection error'));
        }
        sent.push(request.map((m) => m.key));
        failNext = true;
        return Promise.resolve();
      },
      'shell.alerts',
    );
    const error = await delivery.deliver().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AlertsWriteError);
    expect((error as AlertsWriteError).retriable).toBe(true);
    expect(delivery.remaining).toBe(1);
    await delivery.deliver();
    expect(sent).toEqual([['a'], ['b']]);
  });

  it('splits a refused request, then sends a single refused alert as its summary', async () => {
    const sent: AlertMessage[] = [];
    const delivery = new AlertsDelivery(
      [[message('a'), message('b', 5_000)]],
      (request) => {
        if (request.some((m) => m.value.length > 1_000)) return Promise.reject(tooLarge());
        sent.push(...request);
        return Promise.resolve();
      },
      'shell.alerts',
    );
    await delivery.deliver();
    expect(sent.map((m) => m.key)).toEqual(['a', 'b']);
    expect(sent[1]?.headers[ALERT_HEADERS.truncated]).toBe('value');
  });

  it('gives up with a permanent error when even the summary is refused', async () => {
    const delivery = new AlertsDelivery(
      [[message('a')]],
      () => Promise.reject(tooLarge()),
      'shell.alerts',
    );
    const error = await delivery.deliver().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AlertsWriteError);
    expect((error as AlertsWriteError).retriable).toBe(false);
  });
});
