import {
  applyDecorators,
  Body,
  Controller,
  Delete,
  Get,
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
  ApiParam,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { RuleInvalidException } from './api-errors';
import type { RuleSetStatus } from '../rules-store/rule-store.service';
import { ApiKeyGuard } from './api-key.guard';
import { ErrorResponseDto } from './dto/error-response.dto';
import {
  RuleListResponseDto,
  RuleResponseDto,
  RuleSetStatusResponseDto,
  RuleValidateResponseDto,
} from './dto/rule.dto';
import { RuleTestResponseDto } from './dto/rule-test.dto';
import { RuleConvertRequestDto, RuleConvertResponseDto } from './dto/rule-convert.dto';
import { RULE_CONVERT_REQUEST_PROPERTIES } from './sigma-convert';
import { EtagInterceptor } from './etag.interceptor';
import { IfMatch } from './if-match.decorator';
import { SCHEMA, schemaRef } from './openapi-refs';
import { RULE_ID_PARAMETER_PATTERN, RULE_TEST_REQUEST_PROPERTIES } from './openapi-schemas';
import { isJsonObject } from './merge-patch';
import { requireRuleDocument } from './rule-documents';
import { RuleCheckService } from './rule-check.service';
import { RulesService } from './rules.service';

const IF_MATCH = {
  name: 'If-Match',
  required: false,
  schema: { type: 'string' },
  description:
    'ETag from GET /rules/{id}, or `*`; the change is refused with 412 if the file changed since. Without it the change is unconditional.',
};

const ID_PARAMETER = {
  name: 'id',
  description:
    'Rule id: letters, digits, ".", "_", "-", starting with a letter or digit, at most 128; SW- only as the pack\'s SW-<AREA>-NNNN. Anything else is a 400.',
  schema: { type: 'string', pattern: RULE_ID_PARAMETER_PATTERN, example: 'SW-DST-0001' },
};

/** What each error status means, for the operations that can answer it (body: ErrorResponseDto). */
const ERRORS = {
  400: 'Invalid request: a problem of the rule or the request (`problems` with JSON pointers), an invalid id, malformed JSON, a body that is not a JSON object.',
  401: 'Missing or wrong API key (`WWW-Authenticate: Bearer`).',
  403: 'API_KEY is not set: rule changes, validate and test are disabled.',
  404: 'No such rule.',
  409: "The rule exists already (POST), another file of the rules folder is broken (`problems`), the folder's write lock stayed busy or was lost, or RULES_DIR is missing; nothing was written.",
  412: 'If-Match does not match the current ETag (`etag` has the current one).',
  413: 'Request body larger than 256 KiB.',
} as const;

/** Documents error answers of an operation, each with the error body. */
function ApiErrors(...statuses: (keyof typeof ERRORS)[]): MethodDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, type: ErrorResponseDto, description: ERRORS[status] }),
    ),
  );
}

/** A JSON request body described by a component schema. */
function JsonBody(schema: string, description?: string): MethodDecorator {
  return ApiBody({ required: true, schema: schemaRef(schema), description });
}

/** Needs the API key (`Authorization: Bearer <API_KEY>`). */
function KeyRequired(): MethodDecorator {
  return applyDecorators(UseGuards(ApiKeyGuard), ApiBearerAuth(), ApiErrors(401, 403));
}

/** A rule change: needs the API key, and documents the errors every change can meet. */
function RuleChange(): MethodDecorator {
  return applyDecorators(KeyRequired(), ApiErrors(400, 409, 413));
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

  // validate and test run the regex analysis, seconds of CPU per pattern: behind the
  // key since issue 20 (any valid key; a read role is enough once roles exist).
  @Post('validate')
  @HttpCode(200)
  @KeyRequired()
  @ApiOperation({ summary: 'Check a rule body without saving it: every problem with its pointer' })
  @JsonBody(SCHEMA.ruleValidateRequest)
  @ApiResponse({ status: 200, type: RuleValidateResponseDto })
  @ApiErrors(400, 413)
  validate(@Body() body: unknown): Promise<RuleValidateResponseDto> {
    return this.checks.validate(requireRuleDocument(body));
  }

  @Post('test')
  @HttpCode(200)
  @KeyRequired()
  @ApiOperation({ summary: 'Run a rule (a body or an active rule) on command lines or events' })
  @JsonBody(SCHEMA.ruleTestRequest)
  @ApiResponse({ status: 200, type: RuleTestResponseDto })
  @ApiErrors(400, 404, 413)
  test(@Body() body: unknown): Promise<RuleTestResponseDto> {
    return this.checks.test(withKnownProperties(body, RULE_TEST_REQUEST_PROPERTIES));
  }

  @Post('convert')
  @HttpCode(200)
  @KeyRequired()
  @ApiOperation({
    summary: 'Convert one Sigma rule (YAML) to a Shellwatch rule, or say why not; nothing is saved',
  })
  @ApiBody({ required: true, type: RuleConvertRequestDto })
  @ApiResponse({ status: 200, type: RuleConvertResponseDto })
  @ApiErrors(400, 413)
  convert(@Body() body: unknown): Promise<RuleConvertResponseDto> {
    return this.checks.convert(withKnownProperties(body, RULE_CONVERT_REQUEST_PROPERTIES));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One rule of the active set, with its ETag' })
  @ApiParam(ID_PARAMETER)
  @ApiResponse({ status: 200, type: RuleResponseDto })
  @ApiErrors(400, 404)
  get(@Param('id') id: string): RuleResponseDto {
    return this.rules.get(id);
  }

  @Post()
  @RuleChange()
  @ApiOperation({ summary: 'Add a rule (a new file beside its id area, or under custom/)' })
  @JsonBody(SCHEMA.rule)
  @ApiResponse({ status: 201, type: RuleResponseDto })
  create(@Body() body: unknown): Promise<RuleResponseDto> {
    return this.rules.create(body);
  }

  @Put(':id')
  @RuleChange()
  @ApiParam(ID_PARAMETER)
  @ApiHeader(IF_MATCH)
  @ApiOperation({ summary: 'Replace a rule (its file keeps its place)' })
  @JsonBody(SCHEMA.ruleReplace)
  @ApiResponse({ status: 200, type: RuleResponseDto })
  @ApiErrors(404, 412)
  replace(
    @Param('id') id: string,
    @Body() body: unknown,
    @IfMatch() ifMatch: string | undefined,
  ): Promise<RuleResponseDto> {
    return this.rules.replace(id, body, ifMatch);
  }

  @Patch(':id')
  @RuleChange()
  @ApiParam(ID_PARAMETER)
  @ApiHeader(IF_MATCH)
  @ApiConsumes('application/merge-patch+json', 'application/json')
  @ApiOperation({ summary: 'Change some fields (JSON Merge Patch), e.g. {"enabled": false}' })
  @JsonBody(SCHEMA.rulePatch)
  @ApiResponse({ status: 200, type: RuleResponseDto })
  @ApiErrors(404, 412)
  patch(
    @Param('id') id: string,
    @Body() body: unknown,
    @IfMatch() ifMatch: string | undefined,
  ): Promise<RuleResponseDto> {
    return this.rules.patch(id, body, ifMatch);
  }

  @Delete(':id')
  @HttpCode(204)
  @RuleChange()
  @ApiParam(ID_PARAMETER)
  @ApiHeader(IF_MATCH)
  @ApiOperation({ summary: "Delete a rule's file" })
  @ApiResponse({ status: 204, description: 'Deleted; the rule no longer runs.' })
  @ApiErrors(404, 412)
  remove(@Param('id') id: string, @IfMatch() ifMatch: string | undefined): Promise<void> {
    return this.rules.remove(id, ifMatch);
  }
}

/**
 * The body when it is a JSON object with no property but `known`; otherwise a
 * 400 naming each unknown one (the request schema has additionalProperties false).
 */
export function withKnownProperties(body: unknown, known: readonly string[]): unknown {
  if (!isJsonObject(body)) return body;
  const unknown = Object.keys(body).filter((key) => !known.includes(key));
  if (unknown.length === 0) return body;
  throw new RuleInvalidException(
    `unknown propert${unknown.length === 1 ? 'y' : 'ies'}: ${unknown.map((key) => JSON.stringify(key)).join(', ')}`,
    unknown.map((key) => ({
      pointer: `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`,
      message: 'unknown property',
    })),
  );
}
