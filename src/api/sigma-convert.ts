import { convertSigmaFile } from '../core/sigma';
import { RuleInvalidException } from './api-errors';
import type { RuleConvertResponseDto } from './dto/rule-convert.dto';
import { isJsonObject } from './merge-patch';

/** Top-level properties of POST /rules/convert (anything else is refused with 400). */
export const RULE_CONVERT_REQUEST_PROPERTIES = ['sigma', 'path'] as const;

const PATH = /^[A-Za-z0-9._/-]{1,200}$/;

/**
 * POST /rules/convert: one Sigma rule (YAML text) converted to a Shellwatch rule,
 * or the reason it is skipped (200 either way: a skip is an answer, not an error).
 * A body that is not `{"sigma": string, "path"?: string}` is a 400. Nothing is saved.
 */
export function convertSigmaRequest(body: unknown): RuleConvertResponseDto {
  if (!isJsonObject(body))
    throw new RuleInvalidException('expected {"sigma": "<YAML text>"} as a JSON object', [
      { pointer: '', message: 'must be a JSON object' },
    ]);
  const { sigma, path } = body;
  if (typeof sigma !== 'string')
    throw new RuleInvalidException('"sigma" must be the rule as YAML text', [
      { pointer: '/sigma', message: 'must be a string' },
    ]);
  if (path !== undefined && (typeof path !== 'string' || !PATH.test(path)))
    throw new RuleInvalidException('"path" must be a file name', [
      { pointer: '/path', message: 'must be 1..200 characters of letters, digits, . _ / -' },
    ]);
  const result = convertSigmaFile({ path: path ?? 'rule.yml', text: sigma });
  if ('reason' in result) return { skipped: { code: result.code, reason: result.reason } };
  return {
    converted: {
      id: result.id,
      file: result.file,
      rule: JSON.parse(result.text) as Record<string, unknown>,
    },
  };
}
