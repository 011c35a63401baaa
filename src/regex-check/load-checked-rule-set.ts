import { availableParallelism } from 'node:os';
import { loadRuleSet, ruleSetRegexes, verdictLookup } from '../core/rules';
import type { LoadRuleSetResult, SourceFile } from '../core/rules';
import { regexKey } from '../core/rules/operators/check-regex';
import type { RegexVerdict } from '../core/rules/operators/check-regex';
import type { RegexChecker } from './regex-checker';

/**
 * Analyses at once: one per core, at most 4. The analysis runs in recheck's agent,
 * not on our thread, so the event loop stays free either way; more at once only
 * shortens a load with many new patterns.
 */
export const ANALYSIS_CONCURRENCY = Math.min(4, Math.max(1, availableParallelism()));

/**
 * Loads a rule set (see loadRuleSet) with every regex checked by `checker` first: the
 * static proof or the verdict cache answer most of them at once, recheck (off this
 * thread, in parallel) the rest. `reached` holds verdicts already reached (a request's,
 * within its budget); the other regexes are checked with no budget but recheck's
 * per-pattern limit. The service's and the CLI's one way to load rules.
 */
export async function loadCheckedRuleSet(
  checker: RegexChecker,
  files: readonly SourceFile[],
  lists: readonly SourceFile[],
  reached: ReadonlyMap<string, RegexVerdict> = new Map(),
): Promise<LoadRuleSetResult> {
  const missing = ruleSetRegexes(files, lists).filter(
    (spec) => !reached.has(regexKey(spec.source, spec.flags)),
  );
  const verdicts = await checker.verdicts(missing);
  for (const [key, verdict] of reached) verdicts.set(key, verdict);
  return loadRuleSet(files, lists, { checkRegex: verdictLookup(verdicts) });
}
