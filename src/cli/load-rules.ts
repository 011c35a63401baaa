import { formatRuleProblems } from '../core/rules/load-rule-set';
import type { LoadRuleSetResult } from '../core/rules';
import { ANALYSIS_CONCURRENCY, loadCheckedRuleSet } from '../regex-check/load-checked-rule-set';
import { RegexChecker } from '../regex-check/regex-checker';
import { readRuleFolder } from '../rules-store/rule-files';
import { errorMessage } from '../core/errors';
import { CliUsageError } from './cli-usage-error';

/**
 * Loaded rules, or every problem already printed as `file#pointer: message` lines. The
 * evaluator has no prefilter index (a quarter of a pack load, issue 25): `validate`,
 * `push` and `preview` evaluate nothing with it and `rules test`'s examples run one rule
 * at a time; a command that runs the set over many events wraps it in a
 * LazyIndexEvaluator, which builds the index once the input is long enough.
 */
export type CliRuleSet = Extract<LoadRuleSetResult, { ok: true }>;

export { CliUsageError };

export async function loadRulesOrExplain(dir: string): Promise<CliRuleSet | { problems: string }> {
  let folder;
  try {
    folder = await readRuleFolder(dir);
  } catch (error) {
    throw new CliUsageError(`cannot read rules folder ${dir}: ${errorMessage(error)}`);
  }
  // The service's path: the static proof answers most regexes at once and recheck
  // checks the rest in parallel in its agent (before issue 25 the CLI ran recheck
  // synchronously, one pattern after the other: 6–8 s for the pack).
  const checker = new RegexChecker({ concurrency: ANALYSIS_CONCURRENCY });
  let result: LoadRuleSetResult;
  try {
    result = await loadCheckedRuleSet(checker, folder.rules, folder.lists, undefined, undefined, {
      prefilter: false,
    });
  } finally {
    checker.close();
  }
  const problems = [...folder.refused, ...(result.ok ? [] : result.errors)];
  if (!result.ok || problems.length > 0) return { problems: formatRuleProblems(problems) };
  return result;
}
