import {
  BadRequestException,
  GatewayTimeoutException,
  Logger,
  NotFoundException,
  PayloadTooLargeException,
  ServiceUnavailableException,
} from '@nestjs/common';
import type { ArgumentsHost } from '@nestjs/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RulePathError } from '../rules-store/rule-paths';
import { RuleInvalidException, RuleVersionMismatchException } from './api-errors';
import { errorBody, HttpExceptionFilter } from './http-exception.filter';

describe('HttpExceptionFilter logging', () => {
  /** An HTTP ArgumentsHost over a fake request and response. */
  function httpHost(): { host: ArgumentsHost; sent: unknown[] } {
    const sent: unknown[] = [];
    const response = {
      headersSent: false,
      status: () => response,
      json: (body: unknown) => sent.push(body),
    };
    const request = { method: 'PUT', originalUrl: '/rules/ACME-1' };
    const host = {
      getType: () => 'http',
      switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }),
    } as unknown as ArgumentsHost;
    return { host, sent };
  }

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('logs an outage answer (503, 504) as one warning line, without a stack', () => {
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const error = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const filter = new HttpExceptionFilter();
    const { host, sent } = httpHost();
    filter.catch(new ServiceUnavailableException('writing to the rule topic failed: down'), host);
    filter.catch(new GatewayTimeoutException('written but not applied within 3000 ms'), host);
    expect(error).not.toHaveBeenCalled();
    expect(warn.mock.calls.map(([line]) => String(line))).toEqual([
      'PUT /rules/ACME-1 answered 503: writing to the rule topic failed: down',
      'PUT /rules/ACME-1 answered 504: written but not applied within 3000 ms',
    ]);
    expect(sent).toMatchObject([{ statusCode: 503 }, { statusCode: 504 }]);
  });

  it('logs an unexpected failure at error level with its stack', () => {
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const error = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const { host } = httpHost();
    new HttpExceptionFilter().catch(new TypeError('x is undefined'), host);
    expect(warn).not.toHaveBeenCalled();
    expect(String(error.mock.calls[0]?.[0])).toMatch(
      /request failed: TypeError: x is undefined\n\s+at /,
    );
  });
});

describe('errorBody', () => {
  it('keeps the status, reason and message of an HTTP exception', () => {
    expect(
      errorBody(new NotFoundException('rule SW-A-0001 is not in the active rule set')),
    ).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'rule SW-A-0001 is not in the active rule set',
    });
  });

  it('keeps the details an exception carries', () => {
    const problems = [{ pointer: '/severity', message: 'must be one of ...' }];
    expect(errorBody(new RuleInvalidException('the rule is invalid', problems))).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'the rule is invalid',
      problems,
    });
    expect(errorBody(new RuleVersionMismatchException('SW-A-0001', '"abc"'))).toMatchObject({
      statusCode: 412,
      error: 'Precondition Failed',
      etag: '"abc"',
    });
  });

  it('answers a malformed body (mapped by Nest) with 400', () => {
    expect(errorBody(new BadRequestException('Unexpected token } in JSON'))).toMatchObject({
      statusCode: 400,
      error: 'Bad Request',
    });
  });

  it('answers the body parser’s own errors with their 4xx status', () => {
    const tooLarge = Object.assign(new Error('request entity too large'), {
      status: 413,
      expose: true,
      type: 'entity.too.large',
    });
    expect(errorBody(tooLarge)).toEqual({
      statusCode: 413,
      error: 'Payload Too Large',
      message: 'request body larger than 262144 bytes (256 KiB)',
    });
    expect(errorBody(new PayloadTooLargeException())).toMatchObject({ statusCode: 413 });
    const charset = Object.assign(new Error('unsupported charset "LATIN-9"'), {
      status: 415,
      expose: true,
    });
    expect(errorBody(charset)).toMatchObject({ statusCode: 415, message: /charset/ });
  });

  it('answers an invalid id or a path outside the rules folder with 400', () => {
    expect(errorBody(new RulePathError('invalid rule id "../x"'))).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'invalid rule id "../x"',
    });
  });

  it('says nothing of the internals on an unexpected error', () => {
    const internal = Object.assign(new Error('ENOENT: /srv/secret/path'), { status: 500 });
    expect(errorBody(internal)).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'internal server error',
    });
    expect(errorBody('a string')).toMatchObject({ statusCode: 500 });
    expect(errorBody(Object.assign(new Error('x'), { status: 404 }))).toMatchObject({
      statusCode: 500,
    });
  });
});
