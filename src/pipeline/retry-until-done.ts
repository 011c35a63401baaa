import { backOff } from 'exponential-backoff';

export interface RetryOptions {
  maxDelayMs: number;
  /** False stops the retries (shutdown, partition revoked). */
  isActive: () => boolean;
  /** Called after each failed attempt, before waiting. */
  onFailure: (error: unknown, attempt: number) => Promise<void> | void;
}

/** Gave up because the batch is no longer ours to finish, not because of the error. */
export class RetryAbandoned extends Error {
  constructor() {
    super('retry abandoned: stopping or partition revoked');
  }
}

/**
 * Runs `attempt` until it succeeds, with exponential back-off and full jitter
 * (so a fleet of instances does not hammer a recovering cluster in step), for
 * as long as the batch is still ours. There is no attempt limit on purpose:
 * giving up would mean dropping records or committing unwritten ones.
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
        await options.onFailure(error, attemptNumber);
        return options.isActive();
      },
    });
  } catch (error) {
    if (!options.isActive()) throw new RetryAbandoned();
    throw error;
  }
}
