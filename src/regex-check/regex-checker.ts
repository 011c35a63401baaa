import { setMaxListeners } from 'node:events';
import type { Diagnostics } from 'recheck';
import {
  diagnosticsVerdict,
  RECHECK_PARAMETERS,
  regexKey,
  knownRegexVerdict,
  regexVerdicts,
} from '../core/rules/operators/check-regex';
import { recheck } from '../core/rules/operators/recheck';
import type { RegexSpec, RegexVerdict } from '../core/rules/operators/check-regex';
import type { RegexVerdictCache } from '../core/rules/operators/regex-verdict-cache';
import { errorMessage } from '../core/errors';

/** Runs the backtracking analysis of one regex; must stop (answer `cancel`) when `signal` aborts. */
export type RegexAnalysis = (spec: RegexSpec, signal: AbortSignal) => Promise<Diagnostics>;

/**
 * recheck's own asynchronous check: the analysis runs OUTSIDE this thread, in
 * recheck's agent (its native binary, else its jar, else its worker thread), and
 * stops when the signal aborts (the agent gets a `cancel`; a worker is terminated).
 * A pending check keeps the agent referenced; an idle agent is unref'd and ends
 * with our process (it reads its requests from our pipe).
 */
export const recheckAnalysis: RegexAnalysis = (spec, signal) =>
  recheck().check(spec.source, spec.flags, { ...RECHECK_PARAMETERS, signal });

export interface RegexCheckerOptions {
  /** Analyses running at once, across all callers; the others wait their turn. */
  readonly concurrency: number;
  readonly analysis?: RegexAnalysis;
  readonly cache?: RegexVerdictCache;
  /**
   * Whether a pattern the static proof shows linear skips recheck (default true);
   * false only for the bench's recheck-only baseline.
   */
  readonly staticProof?: boolean;
}

export interface RegexCheckOptions {
  /**
   * Wall-clock budget of the whole call, waiting turns included. When it runs out the
   * analyses in flight are cancelled and every regex without a verdict gets one saying
   * so. Without it each regex has only recheck's own time limit (10 s).
   */
  readonly budgetMs?: number;
}

/**
 * Checks regexes for catastrophic backtracking without blocking the event loop
 * (issue 20: 40 patterns checked synchronously blocked it for 81 s). Cheap verdicts
 * (flags, length, syntax, the static linear-time proof: issue 25, four patterns in
 * five of the pack) come first, then the verdict cache, then the analysis with
 * at most `concurrency` at once. Definite verdicts are cached; a regex cut short by a
 * budget is not, so a retry goes further.
 */
export class RegexChecker {
  private readonly analysis: RegexAnalysis;
  private readonly cache: RegexVerdictCache;
  private readonly closing = new AbortController();
  private running = 0;
  private readonly waiting: { start: () => void; abandon: () => void }[] = [];

  constructor(private readonly options: RegexCheckerOptions) {
    this.analysis = options.analysis ?? recheckAnalysis;
    this.cache = options.cache ?? regexVerdicts;
    // Every waiting and running analysis listens: as many as a load has patterns.
    setMaxListeners(0, this.closing.signal);
  }

  /** A verdict for every regex of `specs`, keyed by {@link regexKey}: a reason to refuse it, or undefined when it is safe. */
  async verdicts(
    specs: readonly RegexSpec[],
    options: RegexCheckOptions = {},
  ): Promise<Map<string, RegexVerdict>> {
    const verdicts = new Map<string, RegexVerdict>();
    const pending: RegexSpec[] = [];
    for (const spec of specs) {
      const key = regexKey(spec.source, spec.flags);
      if (verdicts.has(key)) continue;
      const known = this.known(spec);
      if (known !== undefined) verdicts.set(key, known.verdict);
      else {
        verdicts.set(key, 'regex was not checked for catastrophic backtracking');
        pending.push(spec);
      }
    }
    if (pending.length === 0) return verdicts;
    const { budgetMs } = options;
    // The budget is a controller aborted by a timer of our own, not AbortSignal.timeout:
    // inside AbortSignal.any, Node can collect a timeout signal before it fires
    // (nodejs/node#57736), and then no budget ran out at all (a CI run answered 30
    // slow patterns after 30 s instead of 5).
    const budget = new AbortController();
    const timer = budgetMs === undefined ? undefined : setTimeout(() => budget.abort(), budgetMs);
    const signal =
      budgetMs === undefined
        ? this.closing.signal
        : AbortSignal.any([this.closing.signal, budget.signal]);
    setMaxListeners(0, signal);
    try {
      await Promise.all(
        pending.map(async (spec) => {
          verdicts.set(
            regexKey(spec.source, spec.flags),
            await this.analyse(spec, signal, budgetMs),
          );
        }),
      );
    } finally {
      clearTimeout(timer);
    }
    return verdicts;
  }

  /**
   * The verdict reached without analysis — a cheap refusal, the static proof, or the
   * cache — or undefined when only the analysis can tell. Synchronous: microseconds
   * for a pattern seen before, up to a few milliseconds for a new one.
   */
  known(spec: RegexSpec): { verdict: RegexVerdict } | undefined {
    return knownRegexVerdict(spec.source, spec.flags, this.cache, this.options.staticProof ?? true);
  }

  /** Cancels every analysis in flight or waiting (they answer "not checked"); later calls check nothing. */
  close(): void {
    this.closing.abort();
  }

  private async analyse(
    spec: RegexSpec,
    signal: AbortSignal,
    budgetMs: number | undefined,
  ): Promise<RegexVerdict> {
    if (!(await this.turn(signal))) return this.cutShort(budgetMs);
    try {
      const answer = diagnosticsVerdict(await this.analysis(spec, signal));
      if (answer.definite) this.cache.set(regexKey(spec.source, spec.flags), answer.verdict);
      else if (signal.aborted) return this.cutShort(budgetMs);
      return answer.verdict;
    } catch (error) {
      return `regex could not be checked: ${errorMessage(error)}`;
    } finally {
      this.release();
    }
  }

  private cutShort(budgetMs: number | undefined): string {
    return this.closing.signal.aborted
      ? 'regex was not checked for catastrophic backtracking: the service is stopping'
      : `regex was not checked for catastrophic backtracking: the request's analysis budget of ${budgetMs ?? 0} ms ran out (the verdicts reached are kept, so a retry goes further; or split the rule)`;
  }

  /** Waits for a free analysis slot; false when the signal aborted first (no slot taken). */
  private turn(signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    if (this.running < this.options.concurrency) {
      this.running += 1;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const waiter = {
        start: () => {
          signal.removeEventListener('abort', waiter.abandon);
          this.running += 1;
          resolve(true);
        },
        abandon: () => {
          const index = this.waiting.indexOf(waiter);
          if (index >= 0) this.waiting.splice(index, 1);
          resolve(false);
        },
      };
      this.waiting.push(waiter);
      signal.addEventListener('abort', waiter.abandon, { once: true });
    });
  }

  private release(): void {
    this.running -= 1;
    this.waiting.shift()?.start();
  }
}
