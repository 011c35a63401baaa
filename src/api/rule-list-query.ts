import { BadRequestException, Injectable } from '@nestjs/common';
import type { PipeTransform } from '@nestjs/common';
import { SEVERITIES } from '../core/event';
import type { Severity } from '../core/event';

/** Rules in one page of GET /rules when `limit` is not given. */
export const RULE_LIST_DEFAULT_LIMIT = 100;
/** Most rules in one page: a rule is a few KiB, a page stays well under a megabyte. */
export const RULE_LIST_MAX_LIMIT = 500;
/** Longest `q`: a search word, not a document. */
export const RULE_LIST_MAX_TEXT = 200;

/** The filters and page of GET /rules, parsed from its query string. */
export interface RuleListQuery {
  /** Any of these severities (empty: all). */
  severities: Severity[];
  /** Rules carrying any of these tags (empty: all). */
  tags: string[];
  enabled: boolean | undefined;
  /** Case-insensitive text searched in id, name and description. */
  text: string | undefined;
  limit: number;
  offset: number;
}

/** The fields of a rule the filters look at. */
export interface FilterableRule {
  id: string;
  name?: unknown;
  description?: unknown;
  severity?: unknown;
  tags?: unknown;
  enabled?: unknown;
}

/** One query parameter of GET /rules: how OpenAPI documents it and what the parser accepts. */
export interface RuleListParameter {
  description: string;
  /** Repeatable (`style: form, explode: true`): an array of `schema` in OpenAPI, comma-separated too. */
  repeated: boolean;
  schema: {
    type: 'string' | 'integer';
    enum?: readonly string[];
    maxLength?: number;
    minimum?: number;
    maximum?: number;
  };
}

/**
 * The query parameters of GET /rules, in the order OpenAPI lists them: the one
 * definition the controller documents (ApiQuery) and parseRuleListQuery enforces
 * (names, enums, lengths, bounds).
 */
export const RULE_LIST_QUERY = {
  severity: {
    description: 'Only rules of these severities (repeat it, or separate by commas).',
    repeated: true,
    schema: { type: 'string', enum: SEVERITIES },
  },
  tag: {
    description: 'Only rules carrying any of these tags (repeat it, or separate by commas).',
    repeated: true,
    schema: { type: 'string' },
  },
  enabled: {
    description: 'Only enabled (true) or only disabled (false) rules.',
    repeated: false,
    schema: { type: 'string', enum: ['true', 'false'] },
  },
  q: {
    description: 'Case-insensitive text searched in id, name and description.',
    repeated: false,
    schema: { type: 'string', maxLength: RULE_LIST_MAX_TEXT },
  },
  limit: {
    description: `Most rules in the page (default ${RULE_LIST_DEFAULT_LIMIT}).`,
    repeated: false,
    schema: { type: 'integer', minimum: 1, maximum: RULE_LIST_MAX_LIMIT },
  },
  offset: {
    description: 'How many matching rules to skip: the `nextOffset` of the previous page.',
    repeated: false,
    schema: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
  },
} as const satisfies Record<string, RuleListParameter>;

export const RULE_LIST_PARAMETERS = Object.keys(
  RULE_LIST_QUERY,
) as (keyof typeof RULE_LIST_QUERY)[];

/**
 * Parses the query string of GET /rules (as Express hands it over: a string, or
 * an array when a parameter is repeated). `severity` and `tag` take several
 * values, repeated or comma-separated; anything unknown or malformed is a 400
 * that says which parameter and what it expects.
 */
export function parseRuleListQuery(query: Record<string, unknown>): RuleListQuery {
  const unknown = Object.keys(query).filter(
    (name) => !(RULE_LIST_PARAMETERS as readonly string[]).includes(name),
  );
  if (unknown.length > 0) {
    throw bad(
      `unknown query parameter ${unknown.map((name) => JSON.stringify(name)).join(', ')}; GET /rules takes ${RULE_LIST_PARAMETERS.join(', ')}`,
    );
  }
  // Strict: an empty severity is not one of the enum (the OpenAPI document says so).
  const severities = values(query, 'severity').flatMap((value) => value.split(','));
  const severityNames: readonly string[] = RULE_LIST_QUERY.severity.schema.enum;
  for (const severity of severities) {
    if (!severityNames.includes(severity)) {
      throw bad(
        `severity=${JSON.stringify(severity)}: expected one of ${severityNames.join(', ')}`,
      );
    }
  }
  const enabled = single(query, 'enabled');
  if (
    enabled !== undefined &&
    !(RULE_LIST_QUERY.enabled.schema.enum as readonly string[]).includes(enabled)
  ) {
    throw bad(`enabled=${JSON.stringify(enabled)}: expected true or false`);
  }
  const text = single(query, 'q');
  // Characters as JSON Schema's maxLength counts them: code points, not UTF-16 units.
  const textLength = text === undefined ? 0 : [...text].length;
  const maxText = RULE_LIST_QUERY.q.schema.maxLength;
  if (textLength > maxText) {
    throw bad(`q: expected at most ${maxText} characters (got ${textLength})`);
  }
  return {
    severities: severities as Severity[],
    tags: listOf(query, 'tag'),
    enabled: enabled === undefined ? undefined : enabled === 'true',
    text: text === undefined || text.trim() === '' ? undefined : text.trim().toLowerCase(),
    limit: bounded(query, 'limit') ?? RULE_LIST_DEFAULT_LIMIT,
    offset: bounded(query, 'offset') ?? 0,
  };
}

/** Whether a rule passes every filter of the query (paging aside). */
export function ruleMatchesQuery(rule: FilterableRule, query: RuleListQuery): boolean {
  if (query.severities.length > 0 && !query.severities.includes(rule.severity as Severity)) {
    return false;
  }
  if (query.tags.length > 0) {
    const tags = Array.isArray(rule.tags) ? (rule.tags as unknown[]) : [];
    if (!query.tags.some((tag) => tags.includes(tag))) return false;
  }
  if (query.enabled !== undefined && (rule.enabled !== false) !== query.enabled) return false;
  if (query.text !== undefined) {
    const haystack = [rule.id, rule.name, rule.description]
      .filter((field): field is string => typeof field === 'string')
      .join('\n')
      .toLowerCase();
    if (!haystack.includes(query.text)) return false;
  }
  return true;
}

/** The page of `items` the query asks for, the total, and where the next page starts (null: none). */
export function pageOf<T>(
  items: readonly T[],
  query: Pick<RuleListQuery, 'limit' | 'offset'>,
): { items: T[]; total: number; nextOffset: number | null } {
  const page = items.slice(query.offset, query.offset + query.limit);
  const end = query.offset + page.length;
  return { items: page, total: items.length, nextOffset: end < items.length ? end : null };
}

/** `@Query(RuleListQueryPipe)`: GET /rules's query string as a {@link RuleListQuery} (400 otherwise). */
@Injectable()
export class RuleListQueryPipe implements PipeTransform<Record<string, unknown>, RuleListQuery> {
  transform(query: Record<string, unknown>): RuleListQuery {
    return parseRuleListQuery(query);
  }
}

/** An integer parameter within the bounds its schema in RULE_LIST_QUERY gives. */
function bounded(query: Record<string, unknown>, name: 'limit' | 'offset'): number | undefined {
  const { minimum, maximum } = RULE_LIST_QUERY[name].schema;
  return wholeNumber(query, name, minimum, maximum);
}

function values(query: Record<string, unknown>, name: string): string[] {
  const value = query[name];
  if (value === undefined) return [];
  const list = Array.isArray(value) ? (value as unknown[]) : [value];
  if (!list.every((item): item is string => typeof item === 'string')) {
    throw bad(`${name}: expected a plain value (${name}=…), not a structure`);
  }
  return list;
}

function listOf(query: Record<string, unknown>, name: string): string[] {
  return values(query, name)
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter((value) => value !== '');
}

function single(query: Record<string, unknown>, name: string): string | undefined {
  const list = values(query, name);
  if (list.length > 1) throw bad(`${name}: expected once, got ${list.length} values`);
  return list[0];
}

function wholeNumber(
  query: Record<string, unknown>,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const raw = single(query, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d{1,16}$/.test(raw) || n < min || n > max) {
    throw bad(`${name}=${JSON.stringify(raw)}: expected a whole number from ${min} to ${max}`);
  }
  return n;
}

function bad(message: string): BadRequestException {
  return new BadRequestException(message);
}
