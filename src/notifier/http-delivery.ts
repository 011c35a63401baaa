import { errorMessage, ShellwatchError } from '../core/errors';
import type { OutputSettings } from './notify-config';

/**
 * One POST to an output with Node's global fetch and a timeout, and what its
 * answer means: delivered (2xx), try again later (network error, timeout, 408,
 * 429, 5xx — thrown as a retriable NotificationRetryError, with the wait the
 * receiver asked for in Retry-After), or refused for good (any other status:
 * the same request will be refused again, so it goes to the dead-letter topic).
 */

/** What one answer means. */
export type ResponseVerdict =
  | { verdict: 'delivered' }
  | { verdict: 'retry'; reason: string; retryAfterMs: number | undefined }
  | { verdict: 'refused'; reason: string };

/** Statuses that say "not now" rather than "never": 408 Request Timeout, 429 Too Many Requests. */
const RETRY_STATUSES = new Set([408, 429]);

/** Reads a status and its Retry-After header (seconds or an HTTP date) at time `now`. */
export function classifyResponse(
  status: number,
  retryAfter: string | null,
  body: string,
  now: number,
): ResponseVerdict {
  if (status >= 200 && status < 300) return { verdict: 'delivered' };
  const reason = `HTTP ${status}${body ? `: ${body.replace(/\s+/g, ' ').trim().slice(0, 300)}` : ''}`;
  if (status >= 500 || RETRY_STATUSES.has(status)) {
    return { verdict: 'retry', reason, retryAfterMs: parseRetryAfter(retryAfter, now) };
  }
  return { verdict: 'refused', reason };
}

/** Retry-After in milliseconds from `now`: delta-seconds or an HTTP date; undefined if absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** A delivery attempt that may succeed later; `retryAfterMs` when the receiver said when. */
export class NotificationRetryError extends ShellwatchError {
  constructor(
    output: string,
    reason: string,
    readonly retryAfterMs: number | undefined,
    cause?: unknown,
  ) {
    super('NOTIFY_RETRY', `delivering to ${output}: ${reason}`, true, { output }, { cause });
  }
}

/** Headers every request carries, beside the output's own. */
export interface RequestHeaders {
  [name: string]: string;
}

/**
 * POSTs `body` to the output. Resolves `delivered` or `refused` (with the
 * reason); throws NotificationRetryError for anything worth trying again. The
 * URL and token are never part of a message (the URL may hold the secret).
 */
export async function post(
  output: OutputSettings,
  body: string,
  headers: RequestHeaders,
  now: () => number = Date.now,
): Promise<{ verdict: 'delivered' } | { verdict: 'refused'; reason: string }> {
  let response: Response;
  try {
    response = await fetch(output.url, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'shellwatch-notifier',
        ...output.headers,
        ...headers,
        ...(output.token ? { authorization: `Bearer ${output.token}` } : {}),
      },
      signal: AbortSignal.timeout(output.timeoutMs),
    });
  } catch (error) {
    throw new NotificationRetryError(output.name, networkReason(error, output), undefined, error);
  }
  let text = '';
  try {
    text = await response.text();
  } catch {
    // The status decides; a body cut short only shortens the reason.
  }
  const verdict = classifyResponse(
    response.status,
    response.headers.get('retry-after'),
    text,
    now(),
  );
  if (verdict.verdict === 'retry') {
    throw new NotificationRetryError(output.name, verdict.reason, verdict.retryAfterMs);
  }
  return verdict;
}

/** "timed out after N ms" or the cause's code (ECONNREFUSED…), without the URL. */
function networkReason(error: unknown, output: OutputSettings): string {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return `no answer within ${output.timeoutMs} ms`;
  }
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (typeof cause?.code === 'string') return `network error ${cause.code}`;
  const message = errorMessage(error);
  return `network error: ${message.split(output.url).join('***')}`;
}
