import { describe, expect, it } from 'vitest';
import { classifyResponse, parseRetryAfter } from './http-delivery';

const NOW = Date.UTC(2026, 11, 7, 8, 0, 0);

describe('classifyResponse', () => {
  it('delivers on 2xx', () => {
    for (const status of [200, 201, 202, 204]) {
      expect(classifyResponse(status, null, '', NOW)).toEqual({ verdict: 'delivered' });
    }
  });

  it('retries on 408, 429 and 5xx, with the Retry-After the receiver gave', () => {
    expect(classifyResponse(429, '7', 'slow down', NOW)).toEqual({
      verdict: 'retry',
      reason: 'HTTP 429: slow down',
      retryAfterMs: 7000,
    });
    for (const status of [408, 500, 502, 503, 504]) {
      expect(classifyResponse(status, null, '', NOW).verdict).toBe('retry');
    }
  });

  it('refuses for good on any other status, with the body in the reason', () => {
    for (const status of [400, 401, 403, 404, 410, 413, 422, 301]) {
      expect(classifyResponse(status, null, '', NOW).verdict).toBe('refused');
    }
    expect(classifyResponse(400, null, '{"error":\n "invalid_payload"}', NOW)).toEqual({
      verdict: 'refused',
      reason: 'HTTP 400: {"error": "invalid_payload"}',
    });
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120_000);
    expect(parseRetryAfter(new Date(NOW + 30_000).toUTCString(), NOW)).toBe(30_000);
    expect(parseRetryAfter(new Date(NOW - 30_000).toUTCString(), NOW)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
    expect(parseRetryAfter('', NOW)).toBeUndefined();
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
  });
});
