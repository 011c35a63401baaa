import type { PreviewBudget } from '../core/preview/run-preview';
import { parsePreviewTime, PREVIEW_TIME_FORMS } from '../core/preview/preview-time';
import { RuleInvalidException } from './api-errors';
import { PREVIEW_LIMITS } from './dto/rule-preview-request.dto';
import type { RulePreviewRequestDto } from './dto/rule-preview-request.dto';
import type { RuleProblemDto } from './dto/rule.dto';

/** A valid preview request: the rule named, the range resolved to instants, the budget. */
export interface RulePreviewRequest {
  rule?: { [field: string]: unknown };
  ruleId?: string;
  from: Date;
  to: Date;
  budget: PreviewBudget;
}

/**
 * The preview request with its range resolved to instants (`now` is `nowMs`) and its
 * budget filled in; a 400 when a time is in none of the forms or `from` is not before `to`.
 * The body's shape was checked by its schema (RULE_PREVIEW_REQUEST) at the controller.
 */
export function resolvePreviewRequest(
  request: RulePreviewRequestDto,
  nowMs: number,
): RulePreviewRequest {
  const problems: RuleProblemDto[] = [];
  const time = (name: 'from' | 'to', text: string): Date => {
    const parsed = parsePreviewTime(text, nowMs);
    if (parsed === undefined)
      problems.push({ pointer: `/${name}`, message: `must be ${PREVIEW_TIME_FORMS}` });
    return parsed ?? new Date(nowMs);
  };
  const from = time('from', request.from);
  const to = time('to', request.to ?? 'now');
  if (problems.length === 0 && from.getTime() >= to.getTime()) {
    problems.push({
      pointer: '/to',
      message: `must be after from (${from.toISOString()}); it is ${to.toISOString()}`,
    });
  }
  if (problems.length > 0) {
    throw new RuleInvalidException(
      `invalid preview range: ${problems.map((p) => `${p.pointer} ${p.message}`).join('; ')}`,
      problems,
    );
  }
  return {
    ...(request.rule === undefined ? {} : { rule: request.rule }),
    ...(request.ruleId === undefined ? {} : { ruleId: request.ruleId }),
    from,
    to,
    budget: {
      maxDocuments: request.maxDocuments ?? PREVIEW_LIMITS.maxDocuments.default,
      maxMs: (request.maxSeconds ?? PREVIEW_LIMITS.maxSeconds.default) * 1000,
      maxMatches: request.maxMatches ?? PREVIEW_LIMITS.maxMatches.default,
      maxHosts: PREVIEW_LIMITS.maxHosts,
    },
  };
}
