import { availableParallelism } from 'node:os';
import { loadRuleSet } from '../core/rules/load-rule-set';
import type { LoadRuleSetOptions, LoadRuleSetResult, SourceFile } from '../core/rules';
import { regexKey } from '../core/rules/operators/check-regex';
import type { RegexSpec, RegexVerdict } from '../core/rules/operators/check-regex';
import type { CompileContext } from '../core/rules/operators/operator';
import { RuleCompileCache } from '../core/rules/rule-compile-cache';
import type { RegexChecker } from './regex-checker';

/**
 * Analyses at once: one per core, at most 4. The analysis runs in recheck's agent,
 * not on our thread, so the event loop stays free either way; more at once only
 * shortens a load with many new patterns.
 */
export const ANALYSIS_CONCURRENCY = Math.min(4, Math.max(1, availableParallelism()));

/**
 * Loads a rule set (see loadRuleSet) with every regex checked by `checker`: the cheap
 * checks, the static proof or the verdict cache answer almost all of them during the
 * compile itself, and the set is returned at once. A regex only recheck can decide is
 * allowed provisionally in that compile and noted; recheck then analyses the noted ones
 * (off this thread, in parallel) and the set is loaded again with their verdicts —
 * reusing, through the compile cache, every rule compiled the first time — so nothing
 * is returned that was not checked. `reached` holds verdicts already reached (a
 * request's, within its budget); other regexes get no budget but recheck's per-pattern
 * limit. `cache`: the rules of the previous load of the same folder (the rule store's).
 * `options.prefilter`: false for an evaluator without its prefilter index (the CLI's).
 * The service's and the CLI's one way to load rules.
 */
export async function loadCheckedRuleSet(
  checker: RegexChecker,
  files: readonly SourceFile[],
  lists: readonly SourceFile[],
  reached: ReadonlyMap<string, RegexVerdict> = new Map(),
  cache: RuleCompileCache = new RuleCompileCache(),
  options: Pick<LoadRuleSetOptions, 'prefilter'> = {},
): Promise<LoadRuleSetResult> {
  const { prefilter } = options;
  const pending = new Map<string, RegexSpec>();
  const provisional: CompileContext['checkRegex'] = (source, flags) => {
    const key = regexKey(source, flags);
    if (reached.has(key)) return reached.get(key);
    const known = checker.known({ source, flags });
    if (known !== undefined) return known.verdict;
    pending.set(key, { source, flags });
    return undefined;
  };
  const first = loadRuleSet(files, lists, { checkRegex: provisional, cache, prefilter });
  if (pending.size === 0) return first;
  const verdicts = await checker.verdicts([...pending.values()]);
  const checked: CompileContext['checkRegex'] = (source, flags) => {
    const key = regexKey(source, flags);
    if (reached.has(key)) return reached.get(key);
    if (verdicts.has(key)) return verdicts.get(key);
    const known = checker.known({ source, flags });
    return known === undefined ? NOT_CHECKED : known.verdict;
  };
  return loadRuleSet(files, lists, { checkRegex: checked, cache, prefilter });
}

const NOT_CHECKED = 'regex was not checked for catastrophic backtracking';
