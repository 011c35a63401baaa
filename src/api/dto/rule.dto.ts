import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { SCHEMA, schemaRef } from '../openapi-refs';

/*
 * These classes document the API's answers (OpenAPI at /docs). Requests are not
 * classes: each request body has one JSON Schema (the *-request.dto.ts files), the
 * one the controller validates with (request-body.ts) and the OpenAPI document
 * publishes. A rule body is checked against rules/schema/rule.schema.json by the
 * rule core, the same check a rule file on disk gets, and the document describes
 * a rule with that very schema (src/api/openapi-schemas.ts), so the API, its
 * document and the files can never disagree about a valid rule.
 */

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
