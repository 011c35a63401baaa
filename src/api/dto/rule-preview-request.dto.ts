import type { ErrorObject } from 'ajv';
import { PREVIEW_TIME_FORMS, PREVIEW_TIME_PATTERN } from '../../core/preview/preview-time';
import { RULE_ID_PATTERN } from '../../core/rules/rule-id';
import type { RequestProblem, RequestSchema, WordedProblem } from '../request-body';

/** Limits and defaults of a preview request (docs/api.md). */
export const PREVIEW_LIMITS = {
  maxDocuments: { default: 1_000_000, max: 10_000_000 },
  maxSeconds: { default: 30, max: 300 },
  maxMatches: { default: 100, max: 1_000 },
  /** Hosts listed in `perHost`; the others are summed. */
  maxHosts: 100,
} as const;

/** The body of POST /rules/preview: a rule (`rule` or `ruleId`), a time range, budgets. */
export interface RulePreviewRequestDto {
  /** A rule body, checked by the rule core (problems under `/rule`). */
  rule?: { [field: string]: unknown };
  ruleId?: string;
  from: string;
  to?: string;
  maxDocuments?: number;
  maxSeconds?: number;
  maxMatches?: number;
}

/**
 * POST /rules/preview (component RulePreviewRequest; `rule` is published as the Rule
 * component). The range's times are checked for their form here and resolved, with
 * `from` before `to`, by resolvePreviewRequest (rule-preview-request.ts).
 */
export const RULE_PREVIEW_REQUEST: RequestSchema<RulePreviewRequestDto> = {
  what: 'a preview request',
  schema: {
    type: 'object',
    description:
      'A rule (`rule`, not saved, or `ruleId` of the active set) and the time range of the commands index to run it over, with its budgets.',
    additionalProperties: false,
    required: ['from'],
    properties: {
      rule: {
        type: 'object',
        nullable: true,
        required: [],
        description: 'A rule to preview (not saved).',
      },
      ruleId: {
        type: 'string',
        nullable: true,
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
        nullable: true,
        maxLength: 64,
        pattern: PREVIEW_TIME_PATTERN,
        description: `End of the range, exclusive (default now): ${PREVIEW_TIME_FORMS}.`,
        examples: ['now', '2026-12-08'],
      },
      maxDocuments: {
        type: 'integer',
        nullable: true,
        minimum: 1,
        maximum: PREVIEW_LIMITS.maxDocuments.max,
        default: PREVIEW_LIMITS.maxDocuments.default,
        description: 'Most documents scanned; the answer says when this stopped the scan.',
      },
      maxSeconds: {
        type: 'number',
        nullable: true,
        exclusiveMinimum: 0,
        maximum: PREVIEW_LIMITS.maxSeconds.max,
        default: PREVIEW_LIMITS.maxSeconds.default,
        description: 'Time budget of the scan; the answer says when this stopped it.',
      },
      maxMatches: {
        type: 'integer',
        nullable: true,
        minimum: 0,
        maximum: PREVIEW_LIMITS.maxMatches.max,
        default: PREVIEW_LIMITS.maxMatches.default,
        description: 'Most matches listed in `matches` (all of them are counted).',
      },
    },
    oneOf: [{ required: ['rule'] }, { required: ['ruleId'] }],
  },
  word: previewRequestWording,
  message: (problems: readonly RequestProblem[]) =>
    `invalid preview request: ${problems.map((p) => `${p.pointer || '/'} ${p.message}`).join('; ')}`,
};

function previewRequestWording(error: ErrorObject): WordedProblem {
  const pointer = error.instancePath;
  if (
    error.keyword === 'oneOf' ||
    (error.keyword === 'required' && pointer === '' && error.schemaPath.startsWith('#/oneOf'))
  ) {
    return { pointer: '', message: 'needs exactly one of "rule" and "ruleId"' };
  }
  if (error.keyword === 'pattern' && (pointer === '/from' || pointer === '/to')) {
    return { pointer, message: `must be ${PREVIEW_TIME_FORMS}` };
  }
  if (error.keyword === 'pattern' && pointer === '/ruleId') {
    return { pointer, message: 'must be a rule id (e.g. SW-DST-0001, ACME-0001, a UUID)' };
  }
  return { pointer, message: error.message ?? error.keyword };
}
