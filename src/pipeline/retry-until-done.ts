import { backOff } from 'exponential-backoff';
import { ShellwatchError } from '../core/errors';

export interface RetryOptions {
  maxDelayMs: number;
  /** False stops the retries (shutdown, partition revoked). */
  isActive: () => boolean;
  /**
   * Called after each failed attempt, before waiting. `retriable` is the error's
   * own verdict (see isRetriable): false means waiting will not cure it, a person
   * must act, and the caller should say so at once (readiness).
   */
  onFailure: (error: unknown, attempt: number, retriable: boolean) => Promise<void> | void;
}

/** Gave up because the batch is no longer ours to finish, not because of the error. */
export class RetryAbandoned extends Error {
  constructor() {
    super('retry abandoned: stopping or partition revoked');
  }
}

/**
 * Whether trying the same thing again may succeed, as the error says: a
 * ShellwatchError's `retriable` is our own decision and wins; for another error
 * the innermost `retriable` of its cause chain, because kafkajs wraps the error
 * it stopped retrying in a non-retriable "retries exceeded" whose cause (a lost
 * connection) is retriable. An error that does not say (a connection error of
 * the Elasticsearch client) counts as retriable.
 */
export function isRetriable(error: unknown): boolean {
  if (error instanceof ShellwatchError) return error.retriable;
  let verdict = true;
  let current: unknown = error;
  for (let depth = 0; depth < 10 && typeof current === 'object' && current !== null; depth += 1) {
    const { retriable, cause } = current as { retriable?: unknown; cause?: unknown };
    if (typeof retriable === 'boolean') verdict = retriable;
    if (cause === current) break;
    current = cause;
  }
  return verdict;
}

/**
 * Runs `attempt` until it succeeds, with exponential back-off and full jitter
 * (so a fleet of instances does not hammer a recovering cluster in step), for
 * as long as the batch is still ours. There is no attempt limit on purpose:
 * giving up would mean dropping records or committing unwritten ones. So a
 * non-retriable error is not given up on either; it is reported as such to
 * `onFailure`, and it is the attempt's job not to repeat a request that was
 * refused for good (the dead-letter delivery splits and shrinks it instead).
 */
export async function retryUntilDone<T>(
  attempt: () => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  try {
    return await backOff(attempt, {
      numOfAttempts: Number.MAX_SAFE_INTEGER,
      startingDelay: 200,
      timeMultiple: 2,
      maxDelay: options.maxDelayMs,
      jitter: 'full',
      retry: async (error: unknown, attemptNumber: number) => {
        if (!options.isActive()) return false;
        await options.onFailure(error, attemptNumber, isRetriable(error));
        return options.isActive();
      },
    });
  } catch (error) {
    if (!options.isActive()) throw new RetryAbandoned();
    throw error;
  }
}
