/**
 * The consumer-group session every consumer of this project shares: the main
 * consumer (KafkaBatchServer) and the notifier's (AlertsConsumer) both take
 * KAFKA_SESSION_TIMEOUT_MS, heartbeat every tenth of it, and keep heartbeating
 * while their handler works (a bulk request, a slow webhook): kafkajs sends a
 * heartbeat only between fetches and when asked to, so a handler busier than the
 * session would otherwise get its member evicted and its batch redelivered.
 */

/** The session when none is given: KAFKA_SESSION_TIMEOUT_MS's default. */
export const DEFAULT_SESSION_TIMEOUT_MS = 10_000;

/** kafkajs sends a heartbeat at most this often (its own ratio: 3 s for a 30 s session). */
export function heartbeatIntervalMs(sessionTimeoutMs: number): number {
  return Math.max(500, Math.floor(sessionTimeoutMs / 10));
}

/**
 * Runs `work` (the handler of one batch) with a heartbeat every `intervalMs`.
 * A failed heartbeat (a rebalance starting) is ignored here: the batch's own
 * heartbeat, `isActive` and commit see the rebalance too and act on it.
 */
export async function whileHeartbeating<T>(
  heartbeat: () => Promise<void>,
  intervalMs: number,
  work: () => Promise<T>,
): Promise<T> {
  const timer = setInterval(() => {
    heartbeat().catch(() => undefined);
  }, intervalMs);
  timer.unref();
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
