import { BadRequestException, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { RulePathError } from '../rules-store/rule-paths';
import { RuleInvalidException, RuleVersionMismatchException } from './api-errors';
import { errorBody } from './http-exception.filter';

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
