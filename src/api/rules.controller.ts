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
  Query,
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
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import type { RuleSetStatus } from '../rules-store/rule-store.service';
import { ApiKeyGuard, Principal, RequireAccess } from './api-key.guard';
import type { AccessRequirement } from './api-key.guard';
import type { ApiPrincipal } from './api-keyring';
import { ErrorResponseDto } from './dto/error-response.dto';
import {
  RuleListResponseDto,
  RuleResponseDto,
  RuleSetStatusResponseDto,
  RuleValidateResponseDto,
} from './dto/rule.dto';
import { RuleTestResponseDto } from './dto/rule-test.dto';
import { RulePreviewResponseDto } from './dto/rule-preview.dto';
import { RuleConvertResponseDto } from './dto/rule-convert.dto';
import { RULE_CONVERT_REQUEST } from './dto/rule-convert-request.dto';
import type { RuleConvertRequestDto } from './dto/rule-convert-request.dto';
import { RULE_PREVIEW_REQUEST } from './dto/rule-preview-request.dto';
import type { RulePreviewRequestDto } from './dto/rule-preview-request.dto';
import { RULE_TEST_REQUEST } from './dto/rule-test-request.dto';
import type { RuleTestRequestDto } from './dto/rule-test-request.dto';
import { RequestBodyPipe } from './request-body';
import { EtagInterceptor } from './etag.interceptor';
import { IfMatch } from './if-match.decorator';
import { SCHEMA, schemaRef } from './openapi-refs';
import { RULE_ID_PARAMETER_PATTERN } from './openapi-schemas';
import { RuleDocumentPipe } from './rule-documents';
import type { RuleDocument } from './rule-documents';
import { RuleCheckService } from './rule-check.service';
import { RULE_LIST_QUERY, RuleListQueryPipe } from './rule-list-query';
import type { RuleListParameter, RuleListQuery } from './rule-list-query';
import { MAX_CONCURRENT_PREVIEWS, RulePreviewService } from './rule-preview.service';
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
  401: 'Missing or unknown API key (`WWW-Authenticate: Bearer`).',
  403: 'The key lacks the role (`write` for changes, `read` for the rest), or no key is configured (API_KEY, API_KEYS_FILE).',
  404: 'No such rule.',
  409: "The rule exists already (POST), another file of the rules folder is broken (`problems`), the folder's write lock stayed busy or was lost, or RULES_DIR is missing; nothing was written.",
  412: 'If-Match does not match the current ETag (`etag` has the current one); with RULES_STORE=kafka also when another change to the rule was applied first.',
  413: 'Request body larger than 256 KiB.',
  503: 'Elasticsearch did not answer (preview); with RULES_STORE=kafka, Kafka did not take the change within RULES_TOPIC_TIMEOUT_MS and nothing was changed.',
  504: 'RULES_STORE=kafka: the change was written to the rule topic but not applied by this replica within RULES_TOPIC_TIMEOUT_MS; it may still apply (read the rule before retrying).',
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

/** Needs a key (`Authorization: Bearer <key>`) that meets `requirement`. */
function KeyRequired(requirement: AccessRequirement): MethodDecorator {
  return applyDecorators(
    RequireAccess(requirement),
    UseGuards(ApiKeyGuard),
    ApiBearerAuth(),
    ApiErrors(401, 403),
  );
}

/** Reads the rules (the detection logic): a read key, or nothing with API_READS_OPEN=true. */
function RuleRead(): MethodDecorator {
  return KeyRequired({ role: 'read', readsOpen: true });
}

/** A rule change: needs a write key, and documents the errors every change can meet. */
function RuleChange(): MethodDecorator {
  return applyDecorators(
    KeyRequired({ role: 'write', readsOpen: false }),
    ApiErrors(400, 409, 413, 503, 504),
  );
}

/** The regex analysis of validate, test and convert costs CPU: any key, never open. */
function RuleDryRun(): MethodDecorator {
  return KeyRequired({ role: 'read', readsOpen: false });
}

/** The query parameters of GET /rules, documented from the table RuleListQueryPipe enforces. */
function RuleListQueryParameters(): MethodDecorator {
  return applyDecorators(
    ...Object.entries(RULE_LIST_QUERY).map(([name, parameter]: [string, RuleListParameter]) => {
      // OpenAPI's types want a mutable enum; the table's is read-only.
      const { enum: names, ...rest } = parameter.schema;
      const schema: SchemaObject = names === undefined ? rest : { ...rest, enum: [...names] };
      return parameter.repeated
        ? ApiQuery({
            name,
            required: false,
            description: parameter.description,
            style: 'form',
            explode: true,
            schema: { type: 'array', items: schema },
          })
        : ApiQuery({ name, required: false, description: parameter.description, schema });
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
    private readonly previews: RulePreviewService,
  ) {}

  @Get()
  @RuleRead()
  @ApiOperation({
    summary: 'Rules of the active set, disabled ones included: filtered, in pages, ordered by id',
  })
  @RuleListQueryParameters()
  @ApiResponse({ status: 200, type: RuleListResponseDto })
  @ApiErrors(400)
  list(@Query(RuleListQueryPipe) query: RuleListQuery): RuleListResponseDto {
    return this.rules.list(query);
  }

  @Get('status')
  @RuleRead()
  @ApiOperation({
    summary: 'The active set (count, hash, loadedAt) and the errors of the last rejected reload',
  })
  @ApiResponse({ status: 200, type: RuleSetStatusResponseDto })
  status(): RuleSetStatus {
    return this.rules.status();
  }

  // validate and test run the regex analysis, seconds of CPU per pattern: behind a
  // key since issue 20; a read key is enough (issue 22).
  @Post('validate')
  @HttpCode(200)
  @RuleDryRun()
  @ApiOperation({ summary: 'Check a rule body without saving it: every problem with its pointer' })
  @JsonBody(SCHEMA.ruleValidateRequest)
  @ApiResponse({ status: 200, type: RuleValidateResponseDto })
  @ApiErrors(400, 413)
  validate(
    @Body(new RuleDocumentPipe('a rule')) rule: RuleDocument,
  ): Promise<RuleValidateResponseDto> {
    return this.checks.validate(rule);
  }

  @Post('test')
  @HttpCode(200)
  @RuleDryRun()
  @ApiOperation({ summary: 'Run a rule (a body or an active rule) on command lines or events' })
  @JsonBody(SCHEMA.ruleTestRequest)
  @ApiResponse({ status: 200, type: RuleTestResponseDto })
  @ApiErrors(400, 404, 413)
  test(
    @Body(new RequestBodyPipe(RULE_TEST_REQUEST)) request: RuleTestRequestDto,
  ): Promise<RuleTestResponseDto> {
    return this.checks.test(request);
  }

  // Reads stored commands and scans up to millions of them: a key (read is enough), never open.
  @Post('preview')
  @HttpCode(200)
  @RuleDryRun()
  @ApiOperation({
    summary:
      'Run a rule (a body or an active rule) over a time range of the commands index: counts per day and host, the first matches',
  })
  @JsonBody(SCHEMA.rulePreviewRequest)
  @ApiResponse({ status: 200, type: RulePreviewResponseDto })
  @ApiErrors(400, 404, 413, 503)
  @ApiResponse({
    status: 409,
    type: ErrorResponseDto,
    description: 'The commands index is off (ES_COMMANDS_INDEX empty) or does not exist.',
  })
  @ApiResponse({
    status: 429,
    type: ErrorResponseDto,
    description: `${MAX_CONCURRENT_PREVIEWS} previews are already running on this replica; retry when one has ended.`,
  })
  preview(
    @Body(new RequestBodyPipe(RULE_PREVIEW_REQUEST)) request: RulePreviewRequestDto,
    @Principal() actor: ApiPrincipal,
  ): Promise<RulePreviewResponseDto> {
    return this.previews.preview(request, actor);
  }

  @Post('convert')
  @HttpCode(200)
  @RuleDryRun()
  @ApiOperation({
    summary: 'Convert one Sigma rule (YAML) to a Shellwatch rule, or say why not; nothing is saved',
  })
  @JsonBody(SCHEMA.ruleConvertRequest)
  @ApiResponse({ status: 200, type: RuleConvertResponseDto })
  @ApiErrors(400, 413)
  convert(
    @Body(new RequestBodyPipe(RULE_CONVERT_REQUEST)) request: RuleConvertRequestDto,
  ): Promise<RuleConvertResponseDto> {
    return this.checks.convert(request);
  }

  @Get(':id')
  @RuleRead()
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
  create(
    @Body(new RuleDocumentPipe('a rule')) rule: RuleDocument,
    @Principal() actor: ApiPrincipal,
  ): Promise<RuleResponseDto> {
    return this.rules.create(rule, actor);
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
    @Body(new RuleDocumentPipe('a rule')) rule: RuleDocument,
    @IfMatch() ifMatch: string | undefined,
    @Principal() actor: ApiPrincipal,
  ): Promise<RuleResponseDto> {
    return this.rules.replace(id, rule, ifMatch, actor);
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
    @Body(new RuleDocumentPipe('a JSON merge patch')) patch: RuleDocument,
    @IfMatch() ifMatch: string | undefined,
    @Principal() actor: ApiPrincipal,
  ): Promise<RuleResponseDto> {
    return this.rules.patch(id, patch, ifMatch, actor);
  }

  @Delete(':id')
  @HttpCode(204)
  @RuleChange()
  @ApiParam(ID_PARAMETER)
  @ApiHeader(IF_MATCH)
  @ApiOperation({ summary: "Delete a rule's file" })
  @ApiResponse({ status: 204, description: 'Deleted; the rule no longer runs.' })
  @ApiErrors(404, 412)
  remove(
    @Param('id') id: string,
    @IfMatch() ifMatch: string | undefined,
    @Principal() actor: ApiPrincipal,
  ): Promise<void> {
    return this.rules.remove(id, ifMatch, actor);
  }
}
