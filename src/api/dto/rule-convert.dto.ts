import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { SIGMA_PATH_PATTERN } from '../sigma-convert';

/** POST /rules/convert: one Sigma rule as YAML text. */
export class RuleConvertRequestDto {
  @ApiProperty({
    description: 'One Sigma rule, YAML text (docs/rules.md, "Sigma")',
    example:
      "title: Netcat with -e\nid: 0f4c6c2e-1b7d-4c55-9a0a-7d3f1e2b9c11\nlogsource:\n  product: linux\n  category: process_creation\ndetection:\n  selection:\n    CommandLine|startswith: 'nc -e '\n  condition: selection\nlevel: high\n",
  })
  sigma!: string;

  @ApiPropertyOptional({
    description: 'The file name it came from (kept in source.path; names a rule without an id)',
    example: 'nc_exec.yml',
    pattern: SIGMA_PATH_PATTERN.source,
    minLength: 1,
    maxLength: 200,
  })
  path?: string;
}

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
