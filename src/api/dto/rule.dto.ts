import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { SEVERITIES } from '../../core/event';
import type { Severity } from '../../core/event';
import { RULE_ID_PATTERN } from '../../core/rules/rule-id';
import { SCHEMA, schemaRef } from '../openapi-refs';

/*
 * These classes document the API's answers (OpenAPI at /docs). They do not
 * validate: request bodies are checked against rules/schema/rule.schema.json by
 * the rule core, the same check a rule file on disk gets, and the OpenAPI
 * document describes a rule with that very schema (src/api/openapi-schemas.ts),
 * so the API, its document and the files can never disagree about a valid rule.
 */

export class RuleExamplesDto {
  @ApiPropertyOptional({ type: [String], description: 'Command lines the rule must match.' })
  match?: string[];

  @ApiPropertyOptional({ type: [String], description: 'Command lines the rule must not match.' })
  noMatch?: string[];
}

/**
 * A rule as written in a rule file, as a TypeScript shape (see rules/schema/rule.schema.json
 * and docs/rules.md); the OpenAPI document uses the schema itself (component `Rule`).
 */
export class RuleCreateDto {
  @ApiProperty({ example: 'ACME-0001', pattern: RULE_ID_PATTERN.source, maxLength: 128 })
  id!: string;

  @ApiProperty({ example: 'Netcat listener', maxLength: 200 })
  name!: string;

  @ApiPropertyOptional()
  description?: string;

  @ApiProperty({ enum: SEVERITIES, example: 'high' })
  severity!: Severity;

  @ApiPropertyOptional({ default: true })
  enabled?: boolean;

  @ApiPropertyOptional({ minimum: 1, default: 1 })
  version?: number;

  @ApiPropertyOptional({ type: [String] })
  tags?: string[];

  @ApiPropertyOptional({ type: [String], example: ['T1059.004'] })
  mitre?: string[];

  @ApiPropertyOptional()
  author?: string;

  @ApiPropertyOptional({ type: [String] })
  references?: string[];

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      "json-rules-engine's condition format: all / any / not of {fact, path, operator, value}.",
    example: {
      all: [
        { fact: 'commands', operator: 'anyCommand', value: { program: 'nc', hasFlags: ['l'] } },
      ],
    },
  })
  conditions!: unknown;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: 'Conditions that, when any holds, suppress a match.',
  })
  exceptions?: unknown[];

  @ApiPropertyOptional({ type: RuleExamplesDto })
  examples?: RuleExamplesDto;
}

/** A rule of the active set. */
export class RuleResponseDto {
  @ApiProperty({ example: 'SW-DST-0001' })
  id!: string;

  @ApiProperty({
    description: 'File relative to RULES_DIR.',
    example: 'destruction/SW-DST-0001.json',
  })
  file!: string;

  @ApiProperty({ description: 'Entity tag of the file; send it as If-Match to change the rule.' })
  etag!: string;

  @ApiProperty({ allOf: [schemaRef(SCHEMA.rule)], description: 'The rule, with defaults applied.' })
  rule!: { [field: string]: unknown };
}

export class RuleListResponseDto {
  @ApiProperty({ nullable: true, type: String, description: 'Content hash of the active set.' })
  hash!: string | null;

  @ApiProperty({ description: 'Rules in this page.' })
  count!: number;

  @ApiProperty({ description: 'Rules that pass the filters, in every page.' })
  total!: number;

  @ApiProperty({ description: 'Position of the first rule of this page among those that pass.' })
  offset!: number;

  @ApiProperty({ description: 'Most rules in one page (the `limit` asked for, or the default).' })
  limit!: number;

  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'The `offset` of the next page; null on the last page.',
  })
  nextOffset!: number | null;

  @ApiProperty({ type: [RuleResponseDto], description: 'Ordered by id.' })
  rules!: RuleResponseDto[];
}

export class RuleProblemDto {
  @ApiPropertyOptional({
    description: 'File relative to RULES_DIR; absent for a problem in the request body.',
  })
  file?: string;

  @ApiProperty({
    description: "RFC 6901 JSON pointer into the rule ('' for the whole document).",
    example: '/conditions/all/0/operator',
  })
  pointer!: string;

  @ApiProperty({ example: 'must be one of "equal", "notEqual", ...' })
  message!: string;
}

export class RuleSetStatusResponseDto {
  @ApiProperty({ description: 'Rules in the active set, disabled ones included.' })
  ruleCount!: number;

  @ApiProperty()
  enabledCount!: number;

  @ApiProperty({ nullable: true, type: String, description: 'Content hash of the active set.' })
  hash!: string | null;

  @ApiProperty({ nullable: true, type: String, description: 'When the active set was loaded.' })
  loadedAt!: string | null;

  @ApiProperty({ nullable: true, type: String, description: 'When the folder was last read.' })
  lastAttemptAt!: string | null;

  @ApiProperty({
    type: [RuleProblemDto],
    description: 'Why the last attempt was rejected; empty when it succeeded.',
  })
  lastErrors!: RuleProblemDto[];

  @ApiProperty({
    required: false,
    type: Object,
    description:
      'RULES_STORE=kafka only: `kind` ("kafka"), `topic`, `appliedOffset` (last record applied), and `unreadable`: the records this replica could not apply (`key`, `offset`, `reason`).',
  })
  store?: Record<string, unknown>;
}

export class RuleExampleFailureDto {
  @ApiProperty({ example: '/examples/match/0' })
  pointer!: string;

  @ApiProperty({ enum: ['match', 'noMatch'] })
  kind!: 'match' | 'noMatch';

  @ApiProperty()
  line!: string;

  @ApiProperty()
  message!: string;
}

export class RuleValidateResponseDto {
  @ApiProperty({ description: 'True when a write of this rule would pass validation.' })
  valid!: boolean;

  @ApiProperty({ type: [RuleProblemDto] })
  problems!: RuleProblemDto[];

  @ApiProperty({
    type: [RuleExampleFailureDto],
    description: 'Embedded examples that do not behave as declared (only for a valid rule).',
  })
  exampleFailures!: RuleExampleFailureDto[];
}
