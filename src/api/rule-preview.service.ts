import {
  ConflictException,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  Logger,
  ServiceUnavailableException,
} from '@nestjs/common';
import { CONFIG } from '../config/config';
import type { Config } from '../config/config';
import { isSingleEventRule } from '../core/rules';
import type { LoadedRule, RuleSet } from '../core/rules';
import { previewEvaluator, ruleNotes } from '../core/preview/preview-rule';
import { PREVIEW_PAGE_SIZE, previewAnswer } from '../core/preview/preview-answer';
import { runPreview } from '../core/preview/run-preview';
import { CommandsIndexMissingError, CommandsScan } from '../elasticsearch/commands-scan';
import {
  ElasticsearchSink,
  ElasticsearchUnavailableError,
} from '../elasticsearch/elasticsearch.sink';
import { RuleInvalidException } from './api-errors';
import { ConcurrencyLimit } from './concurrency-limit';
import type { ApiPrincipal } from './api-keyring';
import type { RulePreviewResponseDto } from './dto/rule-preview.dto';
import type { RulePreviewRequestDto } from './dto/rule-preview-request.dto';
import { resolvePreviewRequest } from './rule-preview-request';
import type { RulePreviewRequest } from './rule-preview-request';
import { RuleCheckService } from './rule-check.service';

/**
 * Previews one replica runs at once. Each reads the commands index page by page for up
 * to its time budget (minutes), so a few at once are enough to load a cluster that is
 * also taking the pipeline's writes; more are answered 429.
 */
export const MAX_CONCURRENT_PREVIEWS = 2;

/**
 * POST /rules/preview: one rule (a body, or one of the active set) over a time range of
 * the commands index, with the pipeline's compiled evaluator, within a document and a
 * time budget. The rule is checked as POST /rules/test checks it; the documents are
 * read through a point in time (CommandsScan) and turned back into the events the
 * pipeline evaluated (stored-command.ts).
 */
@Injectable()
export class RulePreviewService {
  private readonly logger = new Logger('RulePreview');
  private readonly running = new ConcurrencyLimit(MAX_CONCURRENT_PREVIEWS);

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly checks: RuleCheckService,
    private readonly sink: ElasticsearchSink,
  ) {}

  /** Runs the preview `body` asks for; `actor` (the key's name) is logged, as stored commands are read. */
  async preview(body: RulePreviewRequestDto, actor: ApiPrincipal): Promise<RulePreviewResponseDto> {
    const request = resolvePreviewRequest(body, Date.now());
    const index = this.config.elasticsearch.commandsIndex;
    if (index === null) {
      throw new ConflictException(
        'the commands index is off (ES_COMMANDS_INDEX is empty): no commands are stored to preview a rule on',
      );
    }
    const { rule, ruleSet } = await this.checks.compileRequestRule({
      ...(request.rule === undefined ? {} : { rule: request.rule }),
      ...(request.ruleId === undefined ? {} : { ruleId: request.ruleId }),
    });
    if (!isSingleEventRule(rule)) {
      throw new RuleInvalidException(
        `rule ${rule.definition.id} is a ${rule.definition.type ?? 'single'} rule: preview runs single-event rules; try threshold and sequence rules with POST /rules/test or shellwatch eval`,
        [
          {
            pointer: request.rule === undefined ? '' : '/rule/type',
            message: 'must be a single-event rule',
          },
        ],
      );
    }
    const release = this.running.tryEnter();
    if (release === undefined) {
      throw new HttpException(
        `${MAX_CONCURRENT_PREVIEWS} previews are already running on this replica (at most ${MAX_CONCURRENT_PREVIEWS} at once): retry when one has ended`,
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    try {
      return await this.scanWithRule(request, index, rule, ruleSet, actor);
    } finally {
      release();
    }
  }

  private async scanWithRule(
    request: RulePreviewRequest,
    index: string,
    rule: LoadedRule,
    ruleSet: RuleSet,
    actor: ApiPrincipal,
  ): Promise<RulePreviewResponseDto> {
    const started = Date.now();
    let scan: CommandsScan;
    try {
      scan = await CommandsScan.open(this.sink.client, {
        index,
        from: request.from,
        to: request.to,
        pageSize: PREVIEW_PAGE_SIZE,
        limit: request.budget.maxDocuments,
        deadline: started + request.budget.maxMs,
      });
    } catch (error) {
      throw httpError(error);
    }
    try {
      const outcome = await runPreview(scan, previewEvaluator(ruleSet, rule), {
        budget: request.budget,
        now: () => performance.now(),
      });
      // One line per preview, at info: reading stored commands is an operator's act worth a trace.
      this.logger.log({
        msg: 'rule preview',
        key: actor.name,
        ruleId: rule.definition.id,
        from: request.from.toISOString(),
        to: request.to.toISOString(),
        paging: scan.mode,
        scanned: outcome.scanned,
        matched: outcome.matched,
        stoppedBy: outcome.stoppedBy,
        tookMs: Math.round(outcome.tookMs),
      });
      return previewAnswer({
        rule,
        index,
        range: request,
        budget: request.budget,
        paging: scan.mode,
        outcome,
        notes: ruleNotes(rule),
      });
    } catch (error) {
      throw httpError(error);
    } finally {
      await scan.close();
    }
  }
}

/** Failures of the commands index as answers: missing is a 409, unreachable a 503. */
function httpError(error: unknown): unknown {
  if (error instanceof CommandsIndexMissingError) return new ConflictException(error.message);
  if (error instanceof ElasticsearchUnavailableError) {
    return new ServiceUnavailableException(error.message);
  }
  return error;
}
