import { Inject, Injectable, Logger } from '@nestjs/common';
import { contentHash } from '../core/rules';
import type { NormalizedRule, RuleEvaluator, RuleProblem, SourceFile } from '../core/rules';
import type { LoadedRule } from '../core/rules/load-rule-set';
import { RuleCompileCache } from '../core/rules/rule-compile-cache';
import { CONFIG } from '../config/config';
import type { Config } from '../config/config';
import { HealthState } from '../health/health-state';
import { MetricsService } from '../metrics/metrics.service';
import { RuleRegexService } from '../regex-check/rule-regex.service';
import { folderHash, readRuleFolder } from './rule-files';
import type { RuleFolderContents } from './rule-files';
import { errorMessage } from '../core/errors';

/** What `GET /rules/status` reports. */
export interface RuleSetStatus {
  ruleCount: number;
  enabledCount: number;
  hash: string | null;
  loadedAt: string | null;
  lastAttemptAt: string | null;
  lastErrors: RuleProblem[];
  /** Content hash of the rule files as last read (same algorithm as `hash`); null when the folder could not be read. */
  filesHash: string | null;
  /** When the folder was last read, by a reload or by the watcher's re-scan. */
  filesCheckedAt: string | null;
  /** True when the running set is not what the files hold (a rejected edit, a missing folder, a reload not yet done). */
  stale: boolean;
  /** Since when `stale` has been true; null when it is false. */
  staleSince: string | null;
  /** The rule topic as this replica read it (RULES_STORE=kafka only). */
  store?: RuleTopicStatus;
}

/** One rule of the active set, with the file (relative to RULES_DIR) and the text it was loaded from. */
export interface ActiveRule {
  definition: Readonly<NormalizedRule>;
  source: SourceFile;
  /** Its version in the rule topic (RULES_STORE=kafka); undefined for a file, whose ETag is its text's hash. */
  version?: string;
}

/** A rule set that does not come from the folder (the rule topic): its files and each rule file's version. */
export interface RuleSetSource {
  rules: SourceFile[];
  lists: SourceFile[];
  /** Version of each rule file, by path. */
  versions: ReadonlyMap<string, string>;
}

/** What `GET /rules/status` adds about the rule topic (RULES_STORE=kafka). */
export interface RuleTopicStatus {
  kind: 'kafka';
  topic: string;
  /** Offset of the last record applied; null before the first. */
  appliedOffset: string | null;
  /** Records of the topic this replica cannot apply, and why (each is the last word on its key). */
  unreadable: { key: string | null; offset: string; reason: string }[];
}

interface ActiveRuleSet {
  evaluator: RuleEvaluator;
  /** Every loaded rule, thresholds and sequences included (the evaluator has single-event ones only). */
  loaded: readonly LoadedRule[];
  rules: NormalizedRule[];
  byId: ReadonlyMap<string, ActiveRule>;
  hash: string;
  loadedAt: string;
}

/** Thrown by `reload` when the folder holds a bad rule set; the active set is unchanged. */
export class RuleSetRejectedError extends Error {
  constructor(readonly problems: RuleProblem[]) {
    super(
      `rule set rejected: ${problems.length} problem(s)\n${problems.map(formatProblem).join('\n')}`,
    );
  }
}

export function formatProblem(problem: RuleProblem): string {
  return `${problem.file}${problem.pointer ? `#${problem.pointer}` : ''}: ${problem.message}`;
}

/**
 * The active rule set: loaded from the rules folder, validated and compiled as
 * a whole, swapped in atomically. A bad set is rejected as a whole and the last
 * good one keeps running; the batch in flight keeps the evaluator it started with.
 */
@Injectable()
export class RuleStore {
  private readonly logger = new Logger('Rules');
  private active: ActiveRuleSet | undefined;
  private lastAttemptAt: string | null = null;
  private lastErrors: RuleProblem[] = [];
  /** What the folder held when last read; undefined before the first read. */
  private files: { hash: string | null; checkedAt: string } | undefined;
  private staleSince: string | null = null;
  private topicStatus: RuleTopicStatus | undefined;
  /** Reloads run one at a time, in call order: a slow older read must never replace a newer one. */
  private reloading: Promise<unknown> = Promise.resolve();
  /** The last load's compiled rules: a reload compiles only the files that changed (issue 25). */
  private readonly compiled = new RuleCompileCache();

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly health: HealthState,
    private readonly metrics: MetricsService,
    private readonly regexes: RuleRegexService,
  ) {}

  /** The evaluator of the active set. Throws before the first successful load. */
  evaluator(): RuleEvaluator {
    if (!this.active) throw new Error('no rule set loaded');
    return this.active.evaluator;
  }

  /** The evaluator and every loaded rule of the active set, taken together (one batch uses both). */
  snapshot(): { evaluator: RuleEvaluator; loaded: readonly LoadedRule[] } {
    if (!this.active) throw new Error('no rule set loaded');
    return { evaluator: this.active.evaluator, loaded: this.active.loaded };
  }

  rules(): NormalizedRule[] {
    return this.active?.rules ?? [];
  }

  /** A rule of the active set by id (disabled ones too), with its file and text. */
  activeRule(id: string): ActiveRule | undefined {
    return this.active?.byId.get(id);
  }

  status(): RuleSetStatus {
    return {
      ruleCount: this.active?.rules.length ?? 0,
      enabledCount: this.active?.rules.filter((r) => r.enabled).length ?? 0,
      hash: this.active?.hash ?? null,
      loadedAt: this.active?.loadedAt ?? null,
      lastAttemptAt: this.lastAttemptAt,
      lastErrors: this.lastErrors,
      filesHash: this.files?.hash ?? null,
      filesCheckedAt: this.files?.checkedAt ?? null,
      stale: this.staleSince !== null,
      staleSince: this.staleSince,
      ...(this.topicStatus === undefined ? {} : { store: this.topicStatus }),
    };
  }

  /** What the rule topic holds as this replica read it; `hash` is compared with the active set's like `filesObserved`'s. */
  topicObserved(hash: string, status: RuleTopicStatus): void {
    this.topicStatus = status;
    this.observed(hash, status.unreadable.length > 0);
  }

  /**
   * Validates and compiles a rule set given as files (the rule topic's), and swaps
   * it in when all of it is valid; queued with the reloads. Throws
   * {@link RuleSetRejectedError} and keeps the active set otherwise.
   */
  install(source: RuleSetSource): Promise<RuleSetStatus> {
    const run = this.reloading.then(() => this.installNow(source));
    this.reloading = run.catch(() => undefined);
    return run;
  }

  private async installNow(source: RuleSetSource): Promise<RuleSetStatus> {
    this.lastAttemptAt = new Date().toISOString();
    const active = this.active;
    if (active !== undefined && active.hash === contentHash(source.rules, source.lists)) {
      // Same content, maybe new versions (a restatement, an unchanged PUT).
      this.active = { ...active, byId: withVersions(active.byId, source.versions) };
      this.lastErrors = [];
      return this.status();
    }
    let result: Awaited<ReturnType<RuleRegexService['load']>>;
    try {
      result = await this.regexes.load(source.rules, source.lists);
    } catch (error) {
      return this.reject([
        {
          file: '(rule topic)',
          pointer: '',
          message: `cannot load the rules: ${errorMessage(error)}`,
        },
      ]);
    }
    if (!result.ok) return this.reject(result.errors);
    this.swapIn(result, source.rules, source.versions);
    return this.status();
  }

  private swapIn(
    result: Extract<Awaited<ReturnType<RuleRegexService['load']>>, { ok: true }>,
    files: readonly SourceFile[],
    versions?: ReadonlyMap<string, string>,
  ): void {
    const texts = new Map(files.map((file) => [file.path, file.text]));
    this.active = {
      evaluator: result.evaluator,
      loaded: result.rules,
      rules: result.rules.map((rule) => rule.definition),
      byId: new Map(
        result.rules.map((rule) => [
          rule.definition.id,
          {
            definition: rule.definition,
            source: { path: rule.file, text: texts.get(rule.file) ?? '' },
            ...(versions === undefined ? {} : { version: versions.get(rule.file) }),
          },
        ]),
      ),
      hash: result.hash,
      loadedAt: new Date().toISOString(),
    };
    this.lastErrors = [];
    this.health.rulesStateChanged(true);
    this.metrics.ruleReloadFinished('success', {
      enabledCount: this.active.rules.filter((r) => r.enabled).length,
      hash: result.hash,
    });
    this.logger.log(
      `rule set loaded: ${result.rules.length} rules, hash ${result.hash.slice(0, 12)}`,
    );
  }

  /**
   * Records what the folder holds now (`null`: it cannot be read), as a reload or
   * the watcher's re-scan saw it, so that the status never shows a running set as
   * current when the files say otherwise.
   */
  filesObserved(hash: string | null): void {
    this.observed(hash, false);
  }

  /** `unapplied`: the source holds something this replica could not even read (a record of the rule topic). */
  private observed(hash: string | null, unapplied: boolean): void {
    this.files = { hash, checkedAt: new Date().toISOString() };
    const stale = unapplied || (this.active !== undefined && hash !== this.active.hash);
    if (stale && this.staleSince === null) this.staleSince = this.files.checkedAt;
    if (!stale) this.staleSince = null;
    this.metrics.rulesStaleChanged(stale);
  }

  /**
   * Reads, validates and compiles the folder; swaps it in only when all of it is valid.
   * Concurrent calls (the file watcher, API writes) are queued, never interleaved.
   */
  reload(): Promise<RuleSetStatus> {
    const run = this.reloading.then(() => this.reloadNow());
    this.reloading = run.catch(() => undefined);
    return run;
  }

  private async reloadNow(): Promise<RuleSetStatus> {
    this.lastAttemptAt = new Date().toISOString();
    let problems: RuleProblem[];
    let folder: RuleFolderContents;
    try {
      folder = await readRuleFolder(this.config.rules.dir);
    } catch (error) {
      this.filesObserved(null);
      return this.reject([
        {
          file: this.config.rules.dir,
          pointer: '',
          message: isMissing(error)
            ? 'the rules folder does not exist (removed, or being replaced); the last good set, if any, keeps running and reloads resume when the folder is back'
            : `cannot read the rules folder: ${errorMessage(error)}`,
        },
      ]);
    }
    const hash = folderHash(folder);
    if (this.active?.hash === hash) return this.unchanged(this.active);
    try {
      const result = await this.regexes.load(folder.rules, folder.lists, new Map(), this.compiled);
      if (result.ok && folder.refused.length === 0) {
        this.swapIn(result, folder.rules);
        this.filesObserved(hash);
        return this.status();
      }
      problems = [...folder.refused, ...(result.ok ? [] : result.errors)];
    } catch (error) {
      problems = [
        {
          file: this.config.rules.dir,
          pointer: '',
          message: `cannot load the rules folder: ${errorMessage(error)}`,
        },
      ];
    }
    this.filesObserved(hash);
    return this.reject(problems);
  }

  /**
   * The folder holds exactly the running set (an event that changed nothing, an
   * edit reverted): nothing to compile, `loadedAt` stays, errors of a rejected
   * edit in between are cleared.
   */
  private unchanged(active: ActiveRuleSet): RuleSetStatus {
    this.lastErrors = [];
    this.filesObserved(active.hash);
    const status = this.status();
    this.metrics.ruleReloadFinished('success', {
      enabledCount: status.enabledCount,
      hash: active.hash,
    });
    return status;
  }

  private reject(problems: RuleProblem[]): never {
    this.lastErrors = problems;
    this.metrics.ruleReloadFinished('failure');
    if (!this.active) this.health.rulesStateChanged(false, 'no valid rule set loaded');
    this.logger.error(
      `rule set rejected, ${this.active ? 'the last good set keeps running' : 'no rules are active'}:\n${problems.map(formatProblem).join('\n')}`,
    );
    throw new RuleSetRejectedError(problems);
  }
}

function withVersions(
  byId: ReadonlyMap<string, ActiveRule>,
  versions: ReadonlyMap<string, string>,
): ReadonlyMap<string, ActiveRule> {
  return new Map(
    [...byId].map(([id, rule]) => [id, { ...rule, version: versions.get(rule.source.path) }]),
  );
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
