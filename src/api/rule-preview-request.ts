import Ajv from 'ajv';
import type { ErrorObject } from 'ajv';
import type { PreviewBudget } from '../core/preview/run-preview';
import {
  parsePreviewTime,
  PREVIEW_TIME_FORMS,
  PREVIEW_TIME_PATTERN,
} from '../core/preview/preview-time';
import { RULE_ID_PATTERN } from '../rules-store/rule-paths';
import { RuleInvalidException } from './api-errors';
import type { RuleProblemDto } from './dto/rule.dto';
import type { JsonValue } from './merge-patch';
import { requireRuleDocument } from './rule-documents';

/** Limits and defaults of a preview request (docs/api.md). */
export const PREVIEW_LIMITS = {
  maxDocuments: { default: 1_000_000, max: 10_000_000 },
  maxSeconds: { default: 30, max: 300 },
  maxMatches: { default: 100, max: 1_000 },
  /** Hosts listed in `perHost`; the others are summed. */
  maxHosts: 100,
} as const;

/**
 * The body of POST /rules/preview as JSON Schema: what the server validates a request
 * with (below) and, with `rule` pointing at the Rule component, what the OpenAPI
 * document publishes (openapi-schemas.ts). The rule itself is checked by the rule
 * loader, with pointers under `/rule`.
 */
export function rulePreviewRequestSchema(rule: Record<string, unknown>): Record<string, unknown> {
  return {
    type: 'object',
    description:
      'A rule (`rule`, not saved, or `ruleId` of the active set) and the time range of the commands index to run it over, with its budgets.',
    additionalProperties: false,
    required: ['from'],
    properties: {
      rule: { ...rule, description: 'A rule to preview (not saved).' },
      ruleId: {
        type: 'string',
        pattern: RULE_ID_PATTERN.source,
        description: 'Id of a rule of the active set (disabled ones too).',
        examples: ['SW-DST-0001'],
      },
      from: {
        type: 'string',
        maxLength: 64,
        pattern: PREVIEW_TIME_PATTERN,
        description: `Start of the range, inclusive: ${PREVIEW_TIME_FORMS}.`,
        examples: ['now-7d', '2026-12-01T00:00:00Z'],
      },
      to: {
        type: 'string',
        maxLength: 64,
        pattern: PREVIEW_TIME_PATTERN,
        description: `End of the range, exclusive (default now): ${PREVIEW_TIME_FORMS}.`,
        examples: ['now', '2026-12-08'],
      },
      maxDocuments: {
        type: 'integer',
        minimum: 1,
        maximum: PREVIEW_LIMITS.maxDocuments.max,
        default: PREVIEW_LIMITS.maxDocuments.default,
        description: 'Most documents scanned; the answer says when this stopped the scan.',
      },
      maxSeconds: {
        type: 'number',
        exclusiveMinimum: 0,
        maximum: PREVIEW_LIMITS.maxSeconds.max,
        default: PREVIEW_LIMITS.maxSeconds.default,
        description: 'Time budget of the scan; the answer says when this stopped it.',
      },
      maxMatches: {
        type: 'integer',
        minimum: 0,
        maximum: PREVIEW_LIMITS.maxMatches.max,
        default: PREVIEW_LIMITS.maxMatches.default,
        description: 'Most matches listed in `matches` (all of them are counted).',
      },
    },
    oneOf: [{ required: ['rule'] }, { required: ['ruleId'] }],
  };
}

/** A valid preview request: the rule named, the range resolved to instants, the budget. */
export interface RulePreviewRequest {
  rule?: { [key: string]: JsonValue };
  ruleId?: string;
  from: Date;
  to: Date;
  budget: PreviewBudget;
}

const validate = new Ajv({ allErrors: true, strict: true, strictRequired: false }).compile(
  rulePreviewRequestSchema({ type: 'object' }),
);

/**
 * The body as a preview request, or a 400 with every problem and its pointer: the
 * schema's, then the range's (a time in none of the forms, `from` not before `to`).
 */
export function parseRulePreviewRequest(body: unknown, nowMs: number): RulePreviewRequest {
  requireRuleDocument(body, 'a preview request');
  if (!validate(body)) {
    const problems = schemaProblems(validate.errors);
    throw new RuleInvalidException(
      `invalid preview request: ${problems.map((p) => `${p.pointer || '/'} ${p.message}`).join('; ')}`,
      problems,
    );
  }
  const request = body as {
    rule?: { [key: string]: JsonValue };
    ruleId?: string;
    from: string;
    to?: string;
    maxDocuments?: number;
    maxSeconds?: number;
    maxMatches?: number;
  };
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

function schemaProblems(errors: readonly ErrorObject[] | null | undefined): RuleProblemDto[] {
  const problems: RuleProblemDto[] = [];
  for (const error of errors ?? []) {
    const pointer = error.instancePath;
    const params = error.params as Record<string, unknown>;
    let problem: RuleProblemDto;
    if (error.keyword === 'additionalProperties') {
      problem = {
        pointer: `${pointer}/${String(params['additionalProperty'])}`,
        message: 'unknown property',
      };
    } else if (
      error.keyword === 'oneOf' ||
      (error.keyword === 'required' && pointer === '' && error.schemaPath.startsWith('#/oneOf'))
    ) {
      problem = { pointer: '', message: 'needs exactly one of "rule" and "ruleId"' };
    } else if (error.keyword === 'pattern' && (pointer === '/from' || pointer === '/to')) {
      problem = { pointer, message: `must be ${PREVIEW_TIME_FORMS}` };
    } else if (error.keyword === 'pattern' && pointer === '/ruleId') {
      problem = { pointer, message: 'must be a rule id (e.g. SW-DST-0001, ACME-0001, a UUID)' };
    } else {
      problem = { pointer, message: error.message ?? error.keyword };
    }
    if (!problems.some((p) => p.pointer === problem.pointer && p.message === problem.message)) {
      problems.push(problem);
    }
  }
  return problems;
}
