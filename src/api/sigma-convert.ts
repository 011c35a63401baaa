import { formatRuleProblems } from '../core/rules';
import { convertSigmaFile } from '../core/sigma';
import type { RuleRegexService } from '../regex-check/rule-regex.service';
import { RuleInvalidException } from './api-errors';
import type { RuleConvertResponseDto } from './dto/rule-convert.dto';
import { isJsonObject } from './merge-patch';
import { compileRuleFile } from './rule-documents';

/** Top-level properties of POST /rules/convert (anything else is refused with 400). */
export const RULE_CONVERT_REQUEST_PROPERTIES = ['sigma', 'path'] as const;

/** What `path` may be: a file name, never anything else (also in the OpenAPI document). */
export const SIGMA_PATH_PATTERN = /^[A-Za-z0-9._/-]{1,200}$/;

/**
 * POST /rules/convert: one Sigma rule (YAML text) converted to a Shellwatch rule,
 * or the reason it is skipped (200 either way: a skip is an answer, not an error).
 * A body that is not `{"sigma": string, "path"?: string}` is a 400. Nothing is saved.
 *
 * The draft is converted without the regex analysis (nothing is evaluated here); its
 * regexes are then checked off the main thread within a request's limits, as for
 * POST /rules/validate: a Sigma `|re` value must not be a way around issue 20's limits.
 */
export async function convertSigmaRequest(
  body: unknown,
  regexes: RuleRegexService,
): Promise<RuleConvertResponseDto> {
  if (!isJsonObject(body))
    throw new RuleInvalidException('expected {"sigma": "<YAML text>"} as a JSON object', [
      { pointer: '', message: 'must be a JSON object' },
    ]);
  const { sigma, path } = body;
  if (typeof sigma !== 'string')
    throw new RuleInvalidException('"sigma" must be the rule as YAML text', [
      { pointer: '/sigma', message: 'must be a string' },
    ]);
  if (path !== undefined && (typeof path !== 'string' || !SIGMA_PATH_PATTERN.test(path)))
    throw new RuleInvalidException('"path" must be a file name', [
      { pointer: '/path', message: 'must be 1..200 characters of letters, digits, . _ / -' },
    ]);
  const result = convertSigmaFile(
    { path: path ?? 'rule.yml', text: sigma },
    { checkRegex: () => undefined },
  );
  if ('reason' in result) return { skipped: { code: result.code, reason: result.reason } };
  const loaded = await compileRuleFile({ path: result.file, text: result.text }, [], regexes);
  if (!loaded.ok)
    return {
      skipped: {
        code: 'does-not-load',
        reason: `the converted rule does not load: ${formatRuleProblems(loaded.errors)}`,
      },
    };
  return {
    converted: {
      id: result.id,
      file: result.file,
      rule: JSON.parse(result.text) as Record<string, unknown>,
    },
  };
}
