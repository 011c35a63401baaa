import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** Largest number of inputs one `POST /rules/test` evaluates. */
export const RULE_TEST_MAX_INPUTS = 1000;

export class MatchedConditionDto {
  @ApiProperty({ example: 'commands' })
  fact!: string;

  @ApiPropertyOptional()
  path?: string;

  @ApiProperty({ example: 'anyCommand' })
  operator!: string;

  @ApiProperty({ description: 'The value of the condition.' })
  value!: unknown;

  @ApiProperty({ description: 'What the fact held that satisfied it.' })
  factValue!: unknown;
}

export class RuleTestResultDto {
  @ApiProperty({ description: 'Position of the input in commands or events.' })
  index!: number;

  @ApiProperty()
  commandLine!: string;

  @ApiProperty()
  matched!: boolean;

  @ApiProperty({
    type: [MatchedConditionDto],
    description: 'Why it matched: the conditions that held.',
  })
  conditions!: MatchedConditionDto[];

  @ApiPropertyOptional({
    description:
      'Single-event rules: the id of the alert the service would write for this input (`input:0:<index>:<rule id>`); absent when the rule did not match or its suppression held the alert back.',
  })
  alertId?: string;
}

export class RuleTestDeadLetterDto {
  @ApiProperty({ description: 'Position of the record in records.' })
  index!: number;

  @ApiProperty({
    description: 'The reason the service would dead-letter it with.',
    example: 'UNKNOWN_FORMAT',
  })
  reason!: string;

  @ApiProperty()
  message!: string;
}

export class CorrelationTestAlertDto {
  @ApiProperty({ description: 'The deterministic alert id.' })
  id!: string;

  @ApiProperty({ enum: ['threshold', 'sequence'] })
  type!: string;

  @ApiProperty({
    description: 'Group-by field → value.',
    example: { 'session.id': 'example-session' },
  })
  group!: Record<string, string>;

  @ApiProperty({ description: '@timestamp of the last contributing event.' })
  timestamp!: string;

  @ApiProperty({ type: [Number], description: 'Positions of the contributing inputs.' })
  inputs!: number[];
}

export class RuleTestResponseDto {
  @ApiProperty()
  ruleId!: string;

  @ApiProperty()
  enabled!: boolean;

  @ApiProperty({ type: [RuleTestResultDto] })
  results!: RuleTestResultDto[];

  @ApiPropertyOptional({
    type: [CorrelationTestAlertDto],
    description:
      "Threshold and sequence rules only: the alerts raised over the inputs in their order (commands one second apart, in one session), with the service's correlation settings.",
  })
  alerts?: CorrelationTestAlertDto[];

  @ApiPropertyOptional({
    type: [RuleTestDeadLetterDto],
    description: 'records only: the records the service could not decode, with the reason.',
  })
  deadLetters?: RuleTestDeadLetterDto[];
}
