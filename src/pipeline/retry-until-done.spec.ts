import { describe, expect, it } from 'vitest';
import { ShellwatchError } from '../core/errors';
import { isRetriable, RetryAbandoned, retryUntilDone } from './retry-until-done';

describe('retryUntilDone', () => {
  it("passes each error's own retriable verdict to onFailure and keeps going until done", async () => {
    const errors = [
      new ShellwatchError('DLQ_WRITE_FAILED', 'refused for good', false),
      new ShellwatchError('ES_ITEMS_RETRY', 'try again', true),
      new Error('connect ECONNREFUSED'),
    ];
    const seen: [string, boolean][] = [];
    const result = await retryUntilDone(
      () => {
        const error = errors.shift();
        return error ? Promise.reject(error) : Promise.resolve('written');
      },
      {
        maxDelayMs: 100,
        isActive: () => true,
        onFailure: (error, _attempt, retriable) => {
          seen.push([(error as Error).message, retriable]);
        },
      },
    );
    expect(result).toBe('written');
    expect(seen).toEqual([
      ['refused for good', false],
      ['try again', true],
      ['connect ECONNREFUSED', true],
    ]);
  });

  it('stops when the batch is no longer ours (shutdown, revoked)', async () => {
    let active = true;
    const outcome = retryUntilDone(() => Promise.reject(new Error('down')), {
      maxDelayMs: 100,
      isActive: () => active,
      onFailure: () => {
        active = false;
      },
    });
    await expect(outcome).rejects.toBeInstanceOf(RetryAbandoned);
  });
});

describe('isRetriable', () => {
  it('reads retriable from the error, and counts an error that does not say as retriable', () => {
    expect(isRetriable(new ShellwatchError('X', 'x', false))).toBe(false);
    expect(isRetriable({ retriable: false })).toBe(false);
    expect(isRetriable(new ShellwatchError('X', 'x', true))).toBe(true);
    expect(isRetriable(new Error('socket hang up'))).toBe(true);
    expect(isRetriable(null)).toBe(true);
  });

  it("reads a foreign error's innermost verdict: kafkajs gives up on a retriable cause", () => {
    // Shaped as kafkajs builds them (src/errors.js); kafkajs stays behind src/kafka.
    const lost = Object.assign(new Error('Connection error: connect ECONNREFUSED'), {
      retriable: true,
    });
    const exceeded = Object.assign(new Error('Connection error: connect ECONNREFUSED'), {
      name: 'KafkaJSNumberOfRetriesExceeded',
      retriable: false,
      cause: lost,
    });
    expect(isRetriable(exceeded)).toBe(true);
    const refused = Object.assign(new Error('Not authorized to access topics'), {
      name: 'KafkaJSNonRetriableError',
      retriable: false,
      cause: Object.assign(new Error('Not authorized to access topics'), { retriable: false }),
    });
    expect(isRetriable(refused)).toBe(false);
    // Our own verdict wins over its cause's.
    expect(isRetriable(new ShellwatchError('X', 'x', false, {}, { cause: lost }))).toBe(false);
  });
});
