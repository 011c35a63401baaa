import { BadRequestException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { RULE_CONVERT_REQUEST } from './dto/rule-convert-request.dto';
import { RULE_TEST_REQUEST } from './dto/rule-test-request.dto';
import { RULE_TEST_MAX_INPUTS } from './dto/rule-test.dto';
import { errorBody } from './http-exception.filter';
import { parseRequestBody, RequestBodyPipe } from './request-body';
import type { RequestSchema } from './request-body';

/** The 400 body a request gets (the test fails if it is accepted). */
function refusal<T>(
  request: RequestSchema<T>,
  body: unknown,
): { message: string; problems: unknown } {
  try {
    parseRequestBody(request, body);
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestException);
    return errorBody(error) as unknown as { message: string; problems: unknown };
  }
  throw new Error(`accepted ${JSON.stringify(body)}`);
}

describe('POST /rules/test body (RULE_TEST_REQUEST)', () => {
  it('accepts a rule or an id with one kind of inputs, as the DTO', () => {
    const body = { ruleId: 'SW-DST-0001', events: [{ process: { command_line: 'ls' }, user: {} }] };
    expect(new RequestBodyPipe(RULE_TEST_REQUEST).transform(body)).toBe(body);
    expect(parseRequestBody(RULE_TEST_REQUEST, { rule: {}, commands: ['ls'] })).toEqual({
      rule: {},
      commands: ['ls'],
    });
  });

  // The messages and pointers the API gave when the service checked by hand (e2e rules-api).
  it.each([
    [[1], 'expected a test request as a JSON object (Content-Type: application/json)', ''],
    [{ ruleId: 'SW-DST-0001', commands: ['ls'], grace: 1 }, 'unknown property: "grace"', '/grace'],
    [{ commands: ['ls'] }, 'give either "rule" (a rule body) or "ruleId", not both', ''],
    [{ rule: {}, ruleId: 'A-1', commands: ['ls'] }, 'give either "rule"', ''],
    [{ ruleId: 5, commands: ['ls'] }, '"ruleId" must be a string', '/ruleId'],
    [{ ruleId: '../x', commands: ['ls'] }, 'invalid rule id "../x"', '/ruleId'],
    [{ rule: 'x', commands: ['ls'] }, 'expected a rule as a JSON object', '/rule'],
    [{ ruleId: 'A-1' }, 'give one of "commands", "events" or "records"', ''],
    [{ ruleId: 'A-1', commands: ['ls'], records: ['x'] }, 'give one of "commands"', ''],
    [
      { ruleId: 'A-1', commands: [] },
      `"commands" must be an array of 1 to ${RULE_TEST_MAX_INPUTS} items`,
      '/commands',
    ],
    [{ ruleId: 'A-1', records: 'x' }, '"records" must be an array', '/records'],
    [{ ruleId: 'A-1', commands: ['ls', 3] }, 'invalid test inputs', '/commands/1'],
    [
      { ruleId: 'A-1', events: [{ process: {} }] },
      'invalid test inputs',
      '/events/0/process/command_line',
    ],
    [{ ruleId: 'A-1', events: [7] }, 'invalid test inputs', '/events/0/process/command_line'],
  ])('refuses %j: %s', (body, message, pointer) => {
    const answer = refusal(RULE_TEST_REQUEST, body);
    expect(answer.message).toContain(message);
    expect(answer.problems).toEqual(expect.arrayContaining([expect.objectContaining({ pointer })]));
  });

  it('names every unknown property, and refuses null where a field is optional', () => {
    expect(refusal(RULE_TEST_REQUEST, { ruleId: 'A-1', commands: ['ls'], a: 1, 'b/c': 2 })).toEqual(
      expect.objectContaining({
        message: 'unknown properties: "a", "b/c"',
        problems: [
          { pointer: '/a', message: 'unknown property' },
          { pointer: '/b~1c', message: 'unknown property' },
        ],
      }),
    );
    expect(
      refusal(RULE_TEST_REQUEST, { ruleId: 'A-1', commands: ['ls'], rule: null }).problems,
    ).toEqual(expect.arrayContaining([{ pointer: '/rule', message: 'must be a JSON object' }]));
  });
});

describe('POST /rules/convert body (RULE_CONVERT_REQUEST)', () => {
  it.each([
    [null, 'expected {"sigma": "<YAML text>"} as a JSON object'],
    [['title: x'], 'expected {"sigma": "<YAML text>"} as a JSON object'],
    [{}, '"sigma" must be the rule as YAML text'],
    [{ sigma: 5 }, '"sigma" must be the rule as YAML text'],
    [{ sigma: 'x', path: '../x y' }, '"path" must be a file name'],
    [{ sigma: 'x', path: 7 }, '"path" must be a file name'],
    [{ sigma: 'x', yaml: 'x' }, 'unknown property: "yaml"'],
  ])('refuses %j with a 400: %s', (body, message) => {
    expect(refusal(RULE_CONVERT_REQUEST, body).message).toBe(message);
  });
});
