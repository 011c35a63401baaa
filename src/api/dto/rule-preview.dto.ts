import { ApiProperty } from '@nestjs/swagger';
import { MatchedConditionDto } from './rule-test.dto';

export class PreviewDayCountDto {
  @ApiProperty({ description: 'UTC day (YYYY-MM-DD).', example: '2026-12-01' })
  day!: string;

  @ApiProperty({ example: 12 })
  count!: number;
}

export class PreviewHostCountDto {
  @ApiProperty({ description: 'host.name; `(none)` for events without one.', example: 'web-1' })
  host!: string;

  @ApiProperty({ example: 7 })
  count!: number;
}

export class PreviewOtherHostsDto {
  @ApiProperty({ description: 'Hosts with matches not listed in perHost.' })
  hosts!: number;

  @ApiProperty({ description: 'Their matches.' })
  matches!: number;
}

export class PreviewMatchDto {
  @ApiProperty({
    description: 'The command document `_id` (topic:partition:offset).',
    example: 'shell.commands:0:1234',
  })
  id!: string;

  @ApiProperty({ example: '2026-12-01T08:00:00.000Z' })
  '@timestamp'!: string;

  @ApiProperty({ nullable: true, type: String })
  host!: string | null;

  @ApiProperty({ nullable: true, type: String })
  user!: string | null;

  @ApiProperty()
  commandLine!: string;

  @ApiProperty({ type: [MatchedConditionDto], description: 'Why it matched.' })
  conditions!: MatchedConditionDto[];
}

export class PreviewBudgetDto {
  @ApiProperty()
  maxDocuments!: number;

  @ApiProperty()
  maxSeconds!: number;

  @ApiProperty()
  maxMatches!: number;
}

export class RulePreviewResponseDto {
  @ApiProperty()
  ruleId!: string;

  @ApiProperty({ description: 'Whether the rule is enabled now (it is previewed as if it were).' })
  enabled!: boolean;

  @ApiProperty({ description: 'The commands index (or data stream) read: ES_COMMANDS_INDEX.' })
  index!: string;

  @ApiProperty({ description: 'Start of the range, inclusive.' })
  from!: string;

  @ApiProperty({ description: 'End of the range, exclusive.' })
  to!: string;

  @ApiProperty({
    enum: ['point-in-time', 'search-after'],
    description:
      'How the index was paged: a point in time (one consistent view), or search_after alone where the cluster opens none.',
  })
  paging!: 'point-in-time' | 'search-after';

  @ApiProperty({ description: 'Documents read.' })
  scanned!: number;

  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Documents in the range when the scan started.',
  })
  total!: number | null;

  @ApiProperty({ description: 'Documents the rule matched.' })
  matched!: number;

  @ApiProperty({
    description: 'Documents that are not command events (no command line or @timestamp), skipped.',
  })
  unreadable!: number;

  @ApiProperty({ type: [PreviewDayCountDto], description: 'Matches per UTC day, in day order.' })
  perDay!: PreviewDayCountDto[];

  @ApiProperty({
    type: [PreviewHostCountDto],
    description: 'Matches per host, most first (at most 100 hosts).',
  })
  perHost!: PreviewHostCountDto[];

  @ApiProperty({ type: PreviewOtherHostsDto })
  otherHosts!: PreviewOtherHostsDto;

  @ApiProperty({
    type: [PreviewMatchDto],
    description: 'The first maxMatches matches, oldest first.',
  })
  matches!: PreviewMatchDto[];

  @ApiProperty({
    nullable: true,
    enum: ['documents', 'time'],
    description:
      'The budget that stopped the scan before the end of the range; null when it read the whole range.',
  })
  stoppedBy!: 'documents' | 'time' | null;

  @ApiProperty({ description: 'How long the scan took, in milliseconds.' })
  tookMs!: number;

  @ApiProperty({ type: PreviewBudgetDto })
  budget!: PreviewBudgetDto;

  @ApiProperty({
    type: [String],
    description:
      'What to keep in mind reading the counts: a disabled rule, suppression, fields not stored exactly, the paging fallback.',
  })
  notes!: string[];
}
