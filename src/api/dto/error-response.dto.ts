import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { RuleProblemDto } from './rule.dto';

/** Every error answer has this shape. */
export class ErrorResponseDto {
  @ApiProperty({ example: 400 })
  statusCode!: number;

  @ApiProperty({ example: 'Bad Request' })
  error!: string;

  @ApiProperty({ example: 'the rule is invalid' })
  message!: string;

  @ApiPropertyOptional({
    type: [RuleProblemDto],
    description: 'Problems with file and JSON pointer.',
  })
  problems?: RuleProblemDto[];

  @ApiPropertyOptional({ description: 'The current entity tag (412 answers).' })
  etag?: string;
}
