import type { ErrorObject } from 'ajv';
import { RULE_ID_PATTERN, ruleIdProblem } from '../../core/rules/rule-id';
import type { RequestSchema, WordedProblem } from '../request-body';
import { RULE_TEST_MAX_INPUTS } from './rule-test.dto';

/**
 * A command event given to POST /rules/test: ECS names, as in the commands index.
 * Only process.command_line is required; the other fields the body gives (user,
 * host, …) pass through, those it leaves out are those of a plain command line.
 */
export interface RuleTestEventDto {
  process: { command_line: string };
}

/** The body of POST /rules/test: a rule (`rule` or `ruleId`) and its inputs (one kind). */
export interface RuleTestRequestDto {
  /** A rule body, checked by the rule core (problems under `/rule`). */
  rule?: { [field: string]: unknown };
  ruleId?: string;
  commands?: string[];
  events?: RuleTestEventDto[];
  records?: string[];
}

const INPUT_NAMES = ['commands', 'events', 'records'] as const;

/** An array of 1 to RULE_TEST_MAX_INPUTS inputs. */
function inputs<T>(items: T, description: string, example: unknown) {
  return {
    type: 'array' as const,
    nullable: true as const,
    minItems: 1,
    maxItems: RULE_TEST_MAX_INPUTS,
    items,
    description,
    examples: [example],
  };
}

/** POST /rules/test (component RuleTestRequest; `rule` is published as the Rule component). */
export const RULE_TEST_REQUEST: RequestSchema<RuleTestRequestDto> = {
  what: 'a test request',
  schema: {
    type: 'object',
    description: 'A rule (`rule`, not saved, or `ruleId` of the active set) and its inputs.',
    additionalProperties: false,
    required: [],
    properties: {
      rule: {
        type: 'object',
        nullable: true,
        required: [],
        description: 'A rule to try (not saved).',
      },
      ruleId: {
        type: 'string',
        nullable: true,
        pattern: RULE_ID_PATTERN.source,
        description: 'Id of a rule of the active set.',
        examples: ['SW-DST-0001'],
      },
      commands: inputs(
        { type: 'string' },
        'Raw command lines, each run as user alice on example-host.',
        ['rm -rf /', 'ls -la'],
      ),
      events: inputs(
        {
          type: 'object',
          required: ['process'],
          properties: {
            process: {
              type: 'object',
              required: ['command_line'],
              properties: { command_line: { type: 'string' } },
            },
          },
        },
        'Command events (ECS names, as in the commands index); process.command_line is required, other fields default to those of a command line.',
        [{ process: { command_line: 'sudo rm -rf /etc' }, user: { name: 'root' } }],
      ),
      records: inputs(
        { type: 'string' },
        'Records as the service reads them from Kafka (any format INPUT_FORMAT and INPUT_FORMATS_FILE accept), in stream order, decoded as the service decodes them.',
        ['[uid:0 sid:5000 tty:/dev/pts/1 cwd:/ filename:/bin/rm]: rm -rf /boot'],
      ),
    },
    allOf: [
      { oneOf: [{ required: ['rule'] }, { required: ['ruleId'] }] },
      { oneOf: [{ required: ['commands'] }, { required: ['events'] }, { required: ['records'] }] },
    ],
  },
  word: testRequestWording,
};

/**
 * The words the API used before the schema (and its tests assert), ranked in the
 * order those checks ran: the rule, then the inputs.
 */
function testRequestWording(error: ErrorObject): WordedProblem {
  const path = error.instancePath;
  if (error.schemaPath.startsWith('#/allOf/0/')) {
    return {
      pointer: '',
      message: 'needs exactly one of "rule" and "ruleId"',
      headline: 'give either "rule" (a rule body) or "ruleId", not both',
      rank: 1,
    };
  }
  if (error.schemaPath.startsWith('#/allOf/1/')) {
    return {
      pointer: '',
      message: 'needs exactly one of "commands", "events" and "records"',
      headline: 'give one of "commands", "events" or "records", not several',
      rank: 4,
    };
  }
  if (path === '/ruleId' && error.keyword === 'pattern') {
    const id = String(error.data);
    return {
      pointer: path,
      message: 'must be a rule id (e.g. SW-DST-0001, ACME-0001, a UUID)',
      headline: `invalid rule id ${JSON.stringify(id.slice(0, 80))}: ${ruleIdProblem(id) ?? 'not a rule id'}`,
      rank: 2,
    };
  }
  if (path === '/ruleId') {
    return {
      pointer: path,
      message: 'must be a string',
      headline: '"ruleId" must be a string',
      rank: 2,
    };
  }
  if (path === '/rule') {
    return {
      pointer: path,
      message: 'must be a JSON object',
      headline: 'expected a rule as a JSON object',
      rank: 3,
    };
  }
  const name = INPUT_NAMES.find((input) => path === `/${input}`);
  if (name !== undefined) {
    const message = `must be an array of 1 to ${RULE_TEST_MAX_INPUTS} items`;
    return { pointer: path, message, headline: `"${name}" ${message}`, rank: 5 };
  }
  const event = /^\/events\/(\d+)/.exec(path);
  if (event !== null) {
    return {
      pointer: `/events/${event[1]}/process/command_line`,
      message: 'an event needs process.command_line (a string)',
      headline: 'invalid test inputs',
      rank: 6,
    };
  }
  if (/^\/(commands|records)\/\d+$/.test(path)) {
    return { pointer: path, message: 'must be a string', headline: 'invalid test inputs', rank: 6 };
  }
  return { pointer: path, message: error.message ?? error.keyword };
}
