import { BadRequestException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { errorBody } from './http-exception.filter';
import { PREVIEW_LIMITS, RULE_PREVIEW_REQUEST } from './dto/rule-preview-request.dto';
import { parseRequestBody } from './request-body';
import { resolvePreviewRequest } from './rule-preview-request';

const NOW = Date.parse('2026-12-07T10:00:00.000Z');

/** The 400 body a request gets, or the parsed request. */
function answer(body: unknown): unknown {
  try {
    return resolvePreviewRequest(parseRequestBody(RULE_PREVIEW_REQUEST, body), NOW);
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestException);
    return errorBody(error);
  }
}

describe('a preview request: its schema, then its range', () => {
  it('resolves the range and fills in the budget defaults', () => {
    expect(answer({ ruleId: 'SW-DST-0001', from: 'now-7d' })).toEqual({
      ruleId: 'SW-DST-0001',
      from: new Date('2026-11-30T10:00:00.000Z'),
      to: new Date(NOW),
      budget: {
        maxDocuments: PREVIEW_LIMITS.maxDocuments.default,
        maxMs: PREVIEW_LIMITS.maxSeconds.default * 1000,
        maxMatches: PREVIEW_LIMITS.maxMatches.default,
        maxHosts: PREVIEW_LIMITS.maxHosts,
      },
    });
  });

  it('takes days, zoned timestamps and the budgets given', () => {
    expect(
      answer({
        rule: { id: 'X-1' },
        from: '2026-12-01',
        to: '2026-12-02T01:30:00+01:00',
        maxDocuments: 500,
        maxSeconds: 2.5,
        maxMatches: 0,
      }),
    ).toMatchObject({
      rule: { id: 'X-1' },
      from: new Date('2026-12-01T00:00:00.000Z'),
      to: new Date('2026-12-02T00:30:00.000Z'),
      budget: { maxDocuments: 500, maxMs: 2500, maxMatches: 0 },
    });
  });

  it.each([
    [{ from: 'now-1d' }, '', 'needs exactly one of "rule" and "ruleId"'],
    [
      { ruleId: 'SW-DST-0001', rule: {}, from: 'now-1d' },
      '',
      'needs exactly one of "rule" and "ruleId"',
    ],
    [{ ruleId: 'SW-DST-0001' }, '', "must have required property 'from'"],
    [
      { ruleId: '../x', from: 'now-1d' },
      '/ruleId',
      'must be a rule id (e.g. SW-DST-0001, ACME-0001, a UUID)',
    ],
    [{ ruleId: 'SW-DST-0001', from: 'now-1d', limit: 3 }, '/limit', 'unknown property'],
    [{ ruleId: 'SW-DST-0001', from: 'now-1d', maxMatches: 5000 }, '/maxMatches', 'must be <= 1000'],
    [{ ruleId: 'SW-DST-0001', from: 'now-1d', maxDocuments: 0 }, '/maxDocuments', 'must be >= 1'],
    [{ ruleId: 'SW-DST-0001', from: 'now-1d', maxSeconds: 0 }, '/maxSeconds', 'must be > 0'],
    [{ ruleId: 'SW-DST-0001', from: 7 }, '/from', 'must be string'],
    [{ rule: 'x', from: 'now-1d' }, '/rule', 'must be object'],
  ])('refuses %j with a pointer', (body, pointer, message) => {
    expect(answer(body)).toMatchObject({
      statusCode: 400,
      problems: expect.arrayContaining([{ pointer, message }]) as unknown,
    });
  });

  it.each([
    ['yesterday', '/from'],
    ['2026-12-01T08:00:00', '/from'],
    ['2026-02-31', '/from'],
    ['now-7w', '/from'],
  ])('refuses the time %s', (from, pointer) => {
    const body = answer({ ruleId: 'SW-DST-0001', from });
    expect(body).toMatchObject({ statusCode: 400, problems: [{ pointer }] });
    expect((body as { message: string }).message).toContain('RFC 3339');
  });

  it('refuses a range that ends before it starts', () => {
    expect(answer({ ruleId: 'SW-DST-0001', from: '2026-12-02', to: '2026-12-01' })).toMatchObject({
      statusCode: 400,
      problems: [
        {
          pointer: '/to',
          message: 'must be after from (2026-12-02T00:00:00.000Z); it is 2026-12-01T00:00:00.000Z',
        },
      ],
    });
  });

  it('is not a JSON object', () => {
    expect(answer([1])).toMatchObject({
      statusCode: 400,
      message: 'expected a preview request as a JSON object (Content-Type: application/json)',
      problems: [{ pointer: '', message: 'must be a JSON object' }],
    });
  });
});
