import { formatRuleProblems } from '../core/rules';
import { convertSigmaFile } from '../core/sigma';
import type { RuleRegexService } from '../regex-check/rule-regex.service';
import type { RuleConvertRequestDto } from './dto/rule-convert-request.dto';
import type { RuleConvertResponseDto } from './dto/rule-convert.dto';
import { compileRuleFile } from './rule-documents';

/**
 * POST /rules/convert: one Sigma rule (YAML text) converted to a Shellwatch rule,
 * or the reason it is skipped (200 either way: a skip is an answer, not an error).
 * The body was checked by its schema (RULE_CONVERT_REQUEST). Nothing is saved.
 *
 * The draft is converted without the regex analysis (nothing is evaluated here); its
 * regexes are then checked off the main thread within a request's limits, as for
 * POST /rules/validate: a Sigma `|re` value must not be a way around issue 20's limits.
 */
export async function convertSigmaRequest(
  { sigma, path }: RuleConvertRequestDto,
  regexes: RuleRegexService,
): Promise<RuleConvertResponseDto> {
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
