/**
 * Polls `probe` until it returns a value that `done` accepts, or fails after
 * `timeoutMs` with the last value seen: tests wait for what a user would see,
 * never sleep-then-assert.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs = 60_000, intervalMs = 250 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  // The latest outcome only: an early error (a port not yet listening) must not
  // hide what the probe returned for the rest of the wait.
  let last: { value: T } | { error: unknown };
  for (;;) {
    try {
      const value = await probe();
      if (done(value)) return value;
      last = { value };
    } catch (error) {
      last = { error };
    }
    if (Date.now() > deadline) {
      const seen = 'error' in last ? describeError(last.error) : JSON.stringify(last.value);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${seen}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** An error's message with its cause (fetch's "fetch failed" says nothing without it). */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${error.message}${cause}`;
}
