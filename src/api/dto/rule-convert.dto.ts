import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** A converted rule: its id, the file name it would have, and the rule document. */
export class RuleConvertedDto {
  @ApiProperty({ example: '0f4c6c2e-1b7d-4c55-9a0a-7d3f1e2b9c11' })
  id!: string;

  @ApiProperty({ example: '0f4c6c2e-1b7d-4c55-9a0a-7d3f1e2b9c11.json' })
  file!: string;

  @ApiProperty({ description: 'The Shellwatch rule; POST it to /rules to add it' })
  rule!: Record<string, unknown>;
}

/** Why the rule was not converted (reason codes: docs/rules.md, "The conversion report"). */
export class RuleConvertSkipDto {
  @ApiProperty({ example: 'unknown-field' })
  code!: string;

  @ApiProperty({
    example: 'field ParentImage: command events carry no parent process (only process.parent.pid)',
  })
  reason!: string;
}

/** Exactly one of `converted` and `skipped`. Nothing is saved. */
export class RuleConvertResponseDto {
  @ApiPropertyOptional({ type: RuleConvertedDto })
  converted?: RuleConvertedDto;

  @ApiPropertyOptional({ type: RuleConvertSkipDto })
  skipped?: RuleConvertSkipDto;
}
