import type { NextFunction, Request, Response } from 'express';
import { describe, expect, it, vi } from 'vitest';
import { allowedMethods, methodNotAllowed, methodTable } from './method-not-allowed';

const TABLE = methodTable([
  { path: '/rules', method: 'GET' },
  { path: '/rules', method: 'POST' },
  { path: '/rules/status', method: 'GET' },
  { path: '/rules/:id', method: 'GET' },
  { path: '/rules/:id', method: 'PUT' },
  { path: '/rules/:id', method: 'DELETE' },
]);

function call(
  method: string,
  path: string,
): { next: boolean; status?: number; headers: Record<string, string>; body?: unknown } {
  const result: {
    next: boolean;
    status?: number;
    headers: Record<string, string>;
    body?: unknown;
  } = {
    next: false,
    headers: {},
  };
  const response = {
    setHeader: (name: string, value: string) => {
      result.headers[name] = value;
    },
    status: (code: number) => {
      result.status = code;
      return response;
    },
    json: (body: unknown) => {
      result.body = body;
    },
    end: vi.fn(),
  };
  const next: NextFunction = () => {
    result.next = true;
  };
  methodNotAllowed(TABLE)({ method, path } as Request, response as unknown as Response, next);
  return result;
}

describe('allowedMethods', () => {
  it('lists the methods of a path, HEAD with GET, and OPTIONS', () => {
    expect(allowedMethods(TABLE, '/rules')).toEqual(['GET', 'HEAD', 'OPTIONS', 'POST']);
    expect(allowedMethods(TABLE, '/rules/SW-DST-0001')).toEqual([
      'DELETE',
      'GET',
      'HEAD',
      'OPTIONS',
      'PUT',
    ]);
  });

  it('treats a fixed path as its own resource, not as a value of a parameter', () => {
    expect(allowedMethods(TABLE, '/rules/status')).toEqual(['GET', 'HEAD', 'OPTIONS']);
  });

  it('knows nothing of other paths (and ignores case and a final slash like Express)', () => {
    expect(allowedMethods(TABLE, '/nope')).toEqual([]);
    expect(allowedMethods(TABLE, '/rules/a/b')).toEqual([]);
    expect(allowedMethods(TABLE, '/RULES/')).toEqual(['GET', 'HEAD', 'OPTIONS', 'POST']);
  });
});

describe('methodNotAllowed', () => {
  it('passes a method the path has, and unknown paths, on to the routes', () => {
    expect(call('GET', '/rules/status').next).toBe(true);
    expect(call('PUT', '/rules/SW-DST-0001').next).toBe(true);
    expect(call('TRACE', '/nope').next).toBe(true);
  });

  it('answers another method with 405, Allow and the error body', () => {
    const answer = call('TRACE', '/rules/status');
    expect(answer.next).toBe(false);
    expect(answer.status).toBe(405);
    expect(answer.headers).toEqual({ Allow: 'GET, HEAD, OPTIONS' });
    expect(answer.body).toEqual({
      statusCode: 405,
      error: 'Method Not Allowed',
      message: 'TRACE is not allowed on /rules/status; allowed: GET, HEAD, OPTIONS',
    });
    expect(call('PUT', '/rules/status').status).toBe(405);
    expect(call('POST', '/rules/SW-DST-0001').status).toBe(405);
  });

  it('answers OPTIONS with 204 and Allow', () => {
    const answer = call('OPTIONS', '/rules');
    expect(answer.status).toBe(204);
    expect(answer.headers).toEqual({ Allow: 'GET, HEAD, OPTIONS, POST' });
  });
});
