import {
  applyDecorators,
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiHeader,
  ApiOperation,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { RuleSetStatus } from '../rules-store/rule-store.service';
import { ApiKeyGuard } from './api-key.guard';
import { ErrorResponseDto } from './dto/error-response.dto';
import {
  RuleCreateDto,
  RuleListResponseDto,
  RulePatchDto,
  RuleReplaceDto,
  RuleResponseDto,
  RuleSetStatusResponseDto,
  RuleValidateResponseDto,
} from './dto/rule.dto';
import { RuleTestRequestDto, RuleTestResponseDto } from './dto/rule-test.dto';
import { EtagInterceptor } from './etag.interceptor';
import { RuleCheckService } from './rule-check.service';
import { RulesService } from './rules.service';

const IF_MATCH = {
  name: 'If-Match',
  required: false,
  description:
    'ETag from GET /rules/{id}; the change is refused with 412 if the file changed since.',
};

/** A rule change: needs the API key, and documents the errors every change can meet. */
function RuleChange(): MethodDecorator {
  return applyDecorators(
    UseGuards(ApiKeyGuard),
    ApiBearerAuth(),
    ApiResponse({
      status: 400,
      type: ErrorResponseDto,
      description: 'Invalid rule (problems with JSON pointers), invalid id, malformed JSON.',
    }),
    ApiResponse({ status: 401, type: ErrorResponseDto, description: 'Missing or wrong API key.' }),
    ApiResponse({
      status: 403,
      type: ErrorResponseDto,
      description: 'API_KEY is not set: rule changes are disabled.',
    }),
    ApiResponse({
      status: 409,
      type: ErrorResponseDto,
      description: 'The rule exists already (POST), or another file of the rules folder is broken.',
    }),
    ApiResponse({
      status: 413,
      type: ErrorResponseDto,
      description: 'Request body larger than 256 KiB.',
    }),
  );
}

/** The rules REST API: one line per method, the work is in RulesService and RuleCheckService. */
@ApiTags('rules')
@Controller('rules')
@UseInterceptors(EtagInterceptor)
export class RulesController {
  constructor(
    private readonly rules: RulesService,
    private readonly checks: RuleCheckService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Every rule of the active set, disabled ones included' })
  @ApiResponse({ status: 200, type: RuleListResponseDto })
  list(): RuleListResponseDto {
    return this.rules.list();
  }

  @Get('status')
  @ApiOperation({
    summary: 'The active set (count, hash, loadedAt) and the errors of the last rejected reload',
  })
  @ApiResponse({ status: 200, type: RuleSetStatusResponseDto })
  status(): RuleSetStatus {
    return this.rules.status();
  }

  @Post('validate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Check a rule body without saving it: every problem with its pointer' })
  @ApiBody({ type: RuleCreateDto })
  @ApiResponse({ status: 200, type: RuleValidateResponseDto })
  validate(@Body() body: unknown): Promise<RuleValidateResponseDto> {
    return this.checks.validate(body);
  }

  @Post('test')
  @HttpCode(200)
  @ApiOperation({ summary: 'Run a rule (a body or an active rule) on command lines or events' })
  @ApiBody({ type: RuleTestRequestDto })
  @ApiResponse({ status: 200, type: RuleTestResponseDto })
  test(@Body() body: unknown): Promise<RuleTestResponseDto> {
    return this.checks.test(body);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One rule of the active set, with its ETag' })
  @ApiResponse({ status: 200, type: RuleResponseDto })
  @ApiResponse({ status: 404, description: 'No such rule in the active set.' })
  get(@Param('id') id: string): RuleResponseDto {
    return this.rules.get(id);
  }

  @Post()
  @RuleChange()
  @ApiOperation({ summary: 'Add a rule (a new file beside its id area, or under custom/)' })
  @ApiBody({ type: RuleCreateDto })
  @ApiResponse({ status: 201, type: RuleResponseDto })
  create(@Body() body: unknown): Promise<RuleResponseDto> {
    return this.rules.create(body);
  }

  @Put(':id')
  @RuleChange()
  @ApiHeader(IF_MATCH)
  @ApiOperation({ summary: 'Replace a rule (its file keeps its place)' })
  @ApiBody({ type: RuleReplaceDto })
  @ApiResponse({ status: 200, type: RuleResponseDto })
  @ApiResponse({ status: 404, description: 'No such rule file.' })
  @ApiResponse({ status: 412, description: 'If-Match does not match the current ETag.' })
  replace(
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch?: string,
  ): Promise<RuleResponseDto> {
    return this.rules.replace(id, body, ifMatch);
  }

  @Patch(':id')
  @RuleChange()
  @ApiHeader(IF_MATCH)
  @ApiConsumes('application/merge-patch+json', 'application/json')
  @ApiOperation({ summary: 'Change some fields (JSON Merge Patch), e.g. {"enabled": false}' })
  @ApiBody({ type: RulePatchDto })
  @ApiResponse({ status: 200, type: RuleResponseDto })
  @ApiResponse({ status: 404, description: 'No such rule file.' })
  @ApiResponse({ status: 412, description: 'If-Match does not match the current ETag.' })
  patch(
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch?: string,
  ): Promise<RuleResponseDto> {
    return this.rules.patch(id, body, ifMatch);
  }

  @Delete(':id')
  @HttpCode(204)
  @RuleChange()
  @ApiHeader(IF_MATCH)
  @ApiOperation({ summary: "Delete a rule's file" })
  @ApiResponse({ status: 204, description: 'Deleted; the rule no longer runs.' })
  @ApiResponse({ status: 404, description: 'No such rule file.' })
  @ApiResponse({ status: 412, description: 'If-Match does not match the current ETag.' })
  remove(@Param('id') id: string, @Headers('if-match') ifMatch?: string): Promise<void> {
    return this.rules.remove(id, ifMatch);
  }
}
