import { KafkaJSConnectionError, KafkaJSProtocolError } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { DeadLetterDelivery, DeadLetterWriteError } from './dead-letter.producer';
import type { DeadLetterMessage } from './dead-letter-requests';

const WHERE = { dlqTopic: 'shell.commands.dlq', sourceTopic: 'shell.commands', partition: 3 };

function letter(offset: number, valueBytes = 100): DeadLetterMessage {
  const own = {
    'shellwatch.reason': 'UNKNOWN_FORMAT',
    'shellwatch.source.offset': String(offset),
  };
  return {
    key: `shell.commands:3:${offset}`,
    value: Buffer.alloc(valueBytes, 'v'),
    headers: { 'x-origin': 'a', ...own },
    ownHeaders: own,
  };
}

const tooLarge = (): Error =>
  new KafkaJSProtocolError(
    Object.assign(new Error('The request included a message larger than the max message size'), {
      type: 'MESSAGE_TOO_LARGE',
      code: 10,
      retriable: false,
    }),
  );

/**
 * A broker that refuses any request over `limit` value bytes (as MESSAGE_TOO_LARGE),
 * or everything while `down`; it records what it accepted.
 */
function fakeBroker(limit: number) {
  const accepted: DeadLetterMessage[][] = [];
  const broker = {
    accepted,
    attempts: 0,
    down: false,
    refuseAll: false,
    produce: (request: DeadLetterMessage[]): Promise<void> => {
      broker.attempts += 1;
      if (broker.down) return Promise.reject(new KafkaJSConnectionError('connect ECONNREFUSED'));
      const bytes = request.reduce((n, m) => n + (m.value?.length ?? 0), 0);
      if (broker.refuseAll || bytes > limit) return Promise.reject(tooLarge());
      accepted.push(request);
      return Promise.resolve();
    },
  };
  return broker;
}

describe('DeadLetterDelivery', () => {
  it('splits a request the broker refuses as too large until each part is accepted', async () => {
    const broker = fakeBroker(250);
    const letters = [0, 1, 2, 3, 4].map((o) => letter(o));
    await new DeadLetterDelivery([letters], broker.produce, WHERE).deliver();
    expect(broker.accepted.flat()).toEqual(letters);
    for (const request of broker.accepted) expect(request.length).toBeLessThanOrEqual(2);
  });

  it('writes a single refused letter minimal, so the partition moves on', async () => {
    const broker = fakeBroker(150);
    const warnings: string[] = [];
    await new DeadLetterDelivery([[letter(0), letter(1, 500)]], broker.produce, WHERE, {
      warn: (line: string) => warnings.push(line),
    }).deliver();
    const written = broker.accepted.flat();
    expect(written.map((m) => m.key)).toEqual(['shell.commands:3:0', 'shell.commands:3:1']);
    expect(written[0]?.value?.length).toBe(100);
    expect(written[1]?.value).toBeNull();
    expect(written[1]?.headers).toEqual({
      'shellwatch.reason': 'UNKNOWN_FORMAT',
      'shellwatch.source.offset': '1',
      'shellwatch.truncated': 'value,headers',
      'shellwatch.original.size': '500',
      'shellwatch.dlq.refused':
        'MESSAGE_TOO_LARGE: The request included a message larger than the max message size',
    });
    expect(warnings.join('\n')).toContain(
      'shell.commands[3] offset 1 refused by shell.commands.dlq',
    );
  });

  it('fails permanently when even the minimal letter is refused, and resumes where it stopped', async () => {
    const broker = fakeBroker(1000);
    const delivery = new DeadLetterDelivery(
      [[letter(0)], [letter(1)], [letter(2)]],
      broker.produce,
      WHERE,
    );
    broker.refuseAll = true;
    const first = await delivery.deliver().catch((error: unknown) => error);
    expect(first).toBeInstanceOf(DeadLetterWriteError);
    expect(first).toMatchObject({ code: 'DLQ_WRITE_FAILED', retriable: false });
    expect((first as Error).message).toContain('writing dead letters to shell.commands.dlq');
    expect((first as Error).message).toContain('MESSAGE_TOO_LARGE');
    expect(broker.attempts).toBe(2); // the letter, then its minimal form: never the same twice

    broker.refuseAll = false;
    await delivery.deliver();
    expect(broker.accepted.flat().map((m) => m.headers['shellwatch.source.offset'])).toEqual([
      '0',
      '1',
      '2',
    ]);
    expect(delivery.remaining).toBe(0);
  });

  it('reports a lost broker as retriable and sends nothing twice when called again', async () => {
    const broker = fakeBroker(1000);
    // Up for the first request, down for the second, up again after.
    const flaky = (request: DeadLetterMessage[]): Promise<void> => {
      broker.down = broker.attempts === 1;
      return broker.produce(request);
    };
    const resumable = new DeadLetterDelivery([[letter(0)], [letter(1)]], flaky, WHERE);
    const failure = await resumable.deliver().catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'DLQ_WRITE_FAILED', retriable: true });
    expect(resumable.remaining).toBe(1);
    await resumable.deliver();
    expect(broker.accepted.flat().map((m) => m.key)).toEqual([
      'shell.commands:3:0',
      'shell.commands:3:1',
    ]);
  });
});
