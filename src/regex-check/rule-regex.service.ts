import { Injectable } from '@nestjs/common';
import type { OnModuleDestroy } from '@nestjs/common';
import type { LoadRuleSetResult, SourceFile } from '../core/rules';
import type { RegexSpec, RegexVerdict } from '../core/rules/operators/check-regex';
import type { RuleCompileCache } from '../core/rules/rule-compile-cache';
import { ANALYSIS_CONCURRENCY, loadCheckedRuleSet } from './load-checked-rule-set';
import { RegexChecker } from './regex-checker';
import type { RegexCheckOptions } from './regex-checker';

/**
 * The service's one way to load rules: every regex of the files is checked for
 * catastrophic backtracking OFF the main thread first (in parallel, see
 * {@link RegexChecker}), then the set is compiled with those verdicts. A regex
 * without a verdict is refused, so nothing runs unchecked.
 */
@Injectable()
export class RuleRegexService implements OnModuleDestroy {
  private readonly checker = new RegexChecker({ concurrency: ANALYSIS_CONCURRENCY });

  /** Verdicts for `specs` (see {@link RegexChecker.verdicts}). */
  verdicts(
    specs: readonly RegexSpec[],
    options: RegexCheckOptions = {},
  ): Promise<Map<string, RegexVerdict>> {
    return this.checker.verdicts(specs, options);
  }

  /**
   * Loads a rule set (see loadRuleSet). `reached` holds verdicts a request already
   * reached within its budget; the other regexes are checked here with no budget
   * but recheck's per-pattern limit, as at start. `cache`: the previous load's rules
   * of the same folder, reused where unchanged (the rule store's hot reloads).
   */
  async load(
    files: readonly SourceFile[],
    lists: readonly SourceFile[],
    reached: ReadonlyMap<string, RegexVerdict> = new Map(),
    cache?: RuleCompileCache,
  ): Promise<LoadRuleSetResult> {
    return loadCheckedRuleSet(this.checker, files, lists, reached, cache);
  }

  /**
   * On shutdown, analyses in flight are cancelled so that a request waiting for one
   * answers at once and nothing of recheck keeps the process alive (issue 20: a
   * SIGTERM took effect 84 s late while patterns were being checked).
   */
  onModuleDestroy(): void {
    this.checker.close();
  }
}
