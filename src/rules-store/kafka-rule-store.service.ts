import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnModuleDestroy } from '@nestjs/common';
import { contentHash } from '../core/rules';
import type { RuleProblem, SourceFile } from '../core/rules';
import { documentText, RuleLogState } from '../core/rule-log';
import type { ApplyOutcome, LogEntry, TopicRecord } from '../core/rule-log';
import { AuditTrailService } from '../audit/audit-trail.service';
import { CONFIG } from '../config/config';
import type { Config } from '../config/config';
import { HealthState } from '../health/health-state';
import { KafkaConnection } from '../kafka/kafka-connection';
import { describeKafkaError } from '../kafka/kafka-errors';
import { RULE_TOPIC_MIN_COMPACTION_LAG_MS, RuleTopic } from '../kafka/rule-topic';
import type { RuleTopicMessage } from '../kafka/rule-topic';
import { compactionLagCommand, MIN_COMPACTION_LAG } from '../kafka/rule-topic-compaction';
import { MetricsService } from '../metrics/metrics.service';
import type { RuleFolderContents } from './rule-files';
import { RuleSetRejectedError, RuleStore } from './rule-store.service';
import { ChangeWaiters } from './change-waiters';
import { Restater } from './restater';

/** How long a replica may take to read the rule topic to its end at start before it gives up. */
export const RULE_TOPIC_STARTUP_TIMEOUT_MS = 120_000;

/** Why a change could not be made through the rule topic; nothing is known to have changed unless `maybeWritten`. */
export class RuleTopicUnavailableError extends Error {
  constructor(
    message: string,
    /** The record may be in the log (Kafka took it, or may have) and may still be applied. */
    readonly maybeWritten: boolean,
  ) {
    super(message);
  }
}

/** The rule topic's contents as the API reads them: the files, and each file's version. */
export interface RuleTopicSnapshot {
  folder: RuleFolderContents;
  versions: ReadonlyMap<string, string>;
}

const WRITING = 'writing to the rule topic';

/** `custom/ACME-1.json` → `ACME-1`. */
function fileStem(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1, -'.json'.length);
}

/**
 * RULES_STORE=kafka: the rule set is the compacted topic RULES_TOPIC. Every
 * replica reads it from its start (to the end offset it finds at start) before
 * it is ready, then follows it, folding each record into {@link RuleLogState}
 * (the same deterministic state machine on every replica) and handing the state
 * to {@link RuleStore} (the compile and swap path of the folder store).
 *
 * A rule that does not compile here (a newer operator, a list gone) is run in
 * its last good version, or not at all when this replica never had one; a
 * record it cannot read changes nothing. Both are reported in readiness
 * (`rulesStore`), `/rules/status` (`store`) and the metrics, and the replica
 * keeps following: a later record of the key clears them.
 */
@Injectable()
export class KafkaRuleStore implements OnModuleDestroy {
  private readonly logger = new Logger('RuleTopic');
  private readonly topic: RuleTopic;
  private readonly state = new RuleLogState();
  private readonly waiters = new ChangeWaiters();
  /** End offset found at start: ready once every record before it is applied. */
  private startEnd = 0n;
  private caughtUp = false;
  private started: { resolve: () => void; reject: (error: Error) => void } | undefined;
  private uncompiled: RuleProblem[] = [];
  /** Why the rule topic is not being followed right now (a crashed consumer); undefined while it is. */
  private followTrouble: string | undefined;
  /** Callers of {@link sync} waiting for the state to reach an offset. */
  private readonly positionWaiters: { end: bigint; resolve: () => void }[] = [];
  private readonly restater: Restater;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    connection: KafkaConnection,
    private readonly rules: RuleStore,
    private readonly health: HealthState,
    private readonly metrics: MetricsService,
    private readonly audit: AuditTrailService,
  ) {
    this.topic = new RuleTopic(connection.kafka, config.rules.topic);
    this.restater = new Restater(this.state, {
      // The writer restates within its own wait for the record; give it that long.
      graceMs: config.rules.topicTimeoutMs,
      produce: (record) => this.topic.produce([record]),
      report: ({ rejected, error }) => {
        const what = `restating ${rejected.key} after the rejected record at offset ${rejected.offset}`;
        if (error === undefined)
          this.logger.warn(
            `${what}, which its writer did not restate (it stopped or crashed in between)`,
          );
        else this.logger.warn(`${what} failed: ${describeKafkaError(error)}; retrying`);
      },
    });
  }

  /** Creates the topic if missing, reads it to its end and loads the rule set. */
  async start(): Promise<void> {
    this.health.rulesStoreStateChanged(false, `reading the rule topic ${this.topic.topic}`);
    await this.topic.ensureTopic();
    await this.checkCompactionLag();
    this.startEnd = await this.topic.endOffset();
    const done = new Promise<void>((resolve, reject) => {
      this.started = { resolve, reject };
    });
    const timer = setTimeout(
      () =>
        this.started?.reject(
          new Error(
            `the rule topic ${this.topic.topic} was not read to offset ${this.startEnd} within ${RULE_TOPIC_STARTUP_TIMEOUT_MS} ms (applied up to ${this.state.position})`,
          ),
        ),
      RULE_TOPIC_STARTUP_TIMEOUT_MS,
    );
    try {
      await this.topic.follow(
        (records) => this.folded(records),
        (trouble) => {
          this.followTrouble = trouble;
          if (this.caughtUp) this.report();
        },
      );
      if (this.startEnd === 0n) await this.catchUp();
      await done;
    } finally {
      clearTimeout(timer);
    }
    this.logger.log(
      `read the rule topic ${this.topic.topic} to offset ${this.startEnd}: ${this.state.all().length} rules and lists`,
    );
  }

  /**
   * A topic created before the service set min.compaction.lag.ms (or by hand without
   * it) leaves a rejected record's restatement window open to compaction: set it, or
   * say, once per start, how an operator sets it.
   */
  private async checkCompactionLag(): Promise<void> {
    const name = this.topic.topic;
    const outcome = await this.topic.ensureCompactionLag();
    if (outcome.result === 'ok') return;
    if (outcome.result === 'set') {
      this.logger.warn(
        `the rule topic ${name} had ${MIN_COMPACTION_LAG}=${outcome.was}; set it to ${RULE_TOPIC_MIN_COMPACTION_LAG_MS} (one day) so that compaction keeps a rejected record until a replica restates it`,
      );
      return;
    }
    this.logger.warn(
      `the rule topic ${name} has ${MIN_COMPACTION_LAG}=${outcome.was}, below one day, so compaction may keep a rejected record as its key's last word; could not set it (${outcome.reason}). Run: ${compactionLagCommand(this.config.kafka.brokers, name, RULE_TOPIC_MIN_COMPACTION_LAG_MS)}`,
    );
  }

  async onModuleDestroy(): Promise<void> {
    this.waiters.cancelAll('the service is stopping');
    this.restater.stop();
    await this.topic.close();
  }

  /** The topic's rules and lists as this replica has applied them, as files. */
  snapshot(): RuleTopicSnapshot {
    const entries = this.state.all();
    const toFile = (entry: LogEntry): SourceFile => ({
      path: entry.path,
      text: documentText(entry.document),
    });
    return {
      folder: {
        rules: entries.filter((e) => e.kind === 'rule').map(toFile),
        lists: entries.filter((e) => e.kind === 'list').map(toFile),
        refused: [],
      },
      versions: new Map(entries.map((entry) => [entry.path, entry.version])),
    };
  }

  /** Why this replica could not read the last record of `key`, or undefined when it could. */
  unreadable(key: string): string | undefined {
    return this.state.problems().find((problem) => problem.key === key)?.reason;
  }

  /**
   * Waits until this replica has applied every record the topic holds now, so that
   * a change is checked against the latest versions (what another replica changed
   * a moment ago included). Throws {@link RuleTopicUnavailableError}.
   */
  async sync(): Promise<void> {
    this.refuseWhileNotFollowing();
    const end = await this.bounded(this.topic.endOffset(), 'reading the end of the rule topic');
    await this.bounded(this.reached(end), `applying the rule topic up to offset ${end}`);
  }

  /**
   * Produces one change and resolves with what the state machine made of it on this
   * replica (applied or rejected), once the rule set built from it is active. A
   * rejected record is followed by a restatement of its key (see RuleLogState).
   */
  async submit(message: RuleTopicMessage, changeId: string): Promise<ApplyOutcome> {
    this.refuseWhileNotFollowing();
    const outcome = this.waiters.wait(changeId, this.config.rules.topicTimeoutMs);
    try {
      await this.bounded(this.topic.produce([message]), WRITING);
    } catch (error) {
      this.waiters.cancel(changeId, error as Error);
      void outcome.catch(() => undefined);
      throw error;
    }
    let result: ApplyOutcome;
    try {
      result = await outcome;
    } catch {
      throw new RuleTopicUnavailableError(
        `the change was written to the rule topic ${this.topic.topic} but this replica did not apply it within ${this.config.rules.topicTimeoutMs} ms; it may still be applied: read the rule again before retrying`,
        true,
      );
    }
    if (result.result === 'rejected') this.restater.restateOwn(result);
    return result;
  }

  /**
   * While this replica's consumer is known not to follow the topic (it crashed and has
   * not joined its group again, e.g. right after Kafka came back), a change it wrote
   * could not be read back in time: the client would get a 504 and a change that may
   * or may not happen. Refuse it before writing anything (a 503) instead.
   */
  private refuseWhileNotFollowing(): void {
    if (this.followTrouble === undefined) return;
    throw new RuleTopicUnavailableError(
      `this replica does not follow the rule topic ${this.topic.topic} right now (${this.followTrouble}); nothing was changed: retry in a few seconds`,
      false,
    );
  }

  /** Records the replica has read: folds them, rebuilds the rule set, answers the waiting changes. */
  private async folded(records: TopicRecord[]): Promise<void> {
    const outcomes = records.map((record) => this.state.apply(record));
    for (const kind of ['applied', 'rejected', 'unreadable'] as const) {
      this.metrics.ruleTopicRecords(kind, outcomes.filter((o) => o.result === kind).length);
    }
    for (const outcome of outcomes) {
      if (outcome.result === 'applied') this.auditPushed(outcome);
      if (outcome.result === 'unreadable') {
        this.logger.error(
          `rule topic ${this.topic.topic} offset ${outcome.offset} (key ${String(outcome.key)}) not applied: ${outcome.reason}; the key keeps its last good state`,
        );
      }
    }
    if (!this.caughtUp && this.state.position < this.startEnd - 1n) return;
    await this.catchUp();
    this.restater.noticed();
    for (const outcome of outcomes) {
      if (outcome.result === 'applied' || outcome.result === 'rejected') {
        const changeId = outcome.meta?.changeId;
        if (changeId) this.waiters.settle(changeId, outcome);
      }
    }
  }

  /**
   * `shellwatch rules push` writes to the topic, past every replica's API: every replica
   * records its rule changes in the audit trail, under the record's change id, so one
   * document stays however many replicas apply it (and whenever they do: a replica
   * reading the topic from its start records them again, finding them there). A deletion
   * through the API is recorded here too (its record holds all the trail needs); other
   * API changes are recorded by the replica that took them, with the request's patch.
   * Lists are not rules: their pushes are not in the trail.
   */
  private auditPushed(outcome: Extract<ApplyOutcome, { result: 'applied' }>): void {
    const meta = outcome.meta;
    if (meta === null) return;
    const entry = outcome.after ?? outcome.before;
    if (entry?.kind !== 'rule') return;
    const pushed = meta.kind === 'rule-pushed';
    if (!pushed && meta.kind !== 'rule-deleted') return;
    this.audit.record(
      {
        action: pushed ? 'rule-pushed' : 'rule-deleted',
        ruleId: outcome.key,
        user: meta.user,
        versionBefore: outcome.before?.version ?? null,
        versionAfter: outcome.after?.version ?? null,
        change: pushed ? (outcome.after?.document ?? null) : null,
        file: entry.path,
        at: new Date(meta.at),
      },
      meta.changeId,
    );
  }

  /** Builds the rule set from the state and reports where this replica stands. */
  private async catchUp(): Promise<void> {
    const first = !this.caughtUp;
    this.caughtUp = true;
    await this.rebuild();
    this.report();
    this.positionReached();
    if (first) this.started?.resolve();
  }

  private async rebuild(): Promise<void> {
    const { folder, versions } = this.snapshot();
    const source = { rules: folder.rules, lists: folder.lists, versions };
    try {
      await this.rules.install(source);
      this.uncompiled = [];
      return;
    } catch (error) {
      if (!(error instanceof RuleSetRejectedError)) throw error;
      this.uncompiled = error.problems;
    }
    // Run every other rule as the topic says; the failing ones in their last good version, if any.
    const failing = new Set(this.uncompiled.map((problem) => problem.file));
    const fallback: SourceFile[] = [];
    const fallbackVersions = new Map(versions);
    for (const file of folder.rules) {
      if (!failing.has(file.path)) {
        fallback.push(file);
        continue;
      }
      const lastGood = this.rules.activeRule(fileStem(file.path));
      if (lastGood === undefined) continue;
      fallback.push(lastGood.source);
      if (lastGood.version !== undefined)
        fallbackVersions.set(lastGood.source.path, lastGood.version);
    }
    await this.rules
      .install({ rules: fallback, lists: folder.lists, versions: fallbackVersions })
      .catch((error: unknown) => {
        if (!(error instanceof RuleSetRejectedError)) throw error;
        // Even without them the set does not load (a list gone?): the whole last good set stays.
      });
  }

  private report(): void {
    const { folder } = this.snapshot();
    const unreadable = this.state.problems();
    const position = this.state.position;
    this.rules.topicObserved(contentHash(folder.rules, folder.lists), {
      kind: 'kafka',
      topic: this.topic.topic,
      appliedOffset: position < 0n ? null : position.toString(),
      unreadable,
    });
    this.metrics.ruleTopicObserved(position, unreadable.length + this.uncompiled.length);
    const reasons = [
      ...(this.followTrouble === undefined ? [] : [this.followTrouble]),
      ...unreadable.map(
        (p) => `offset ${p.offset} (key ${String(p.key)}) not applied: ${p.reason}`,
      ),
      ...this.uncompiled.map(
        (p) => `${p.file}${p.pointer ? `#${p.pointer}` : ''} does not compile here: ${p.message}`,
      ),
    ];
    if (reasons.length === 0) this.health.rulesStoreStateChanged(true);
    else
      this.health.rulesStoreStateChanged(
        false,
        `rule topic ${this.topic.topic}: ${reasons.join('; ')}; the last good versions keep running`.slice(
          0,
          2000,
        ),
      );
  }

  /** Resolves once every record before `end` is applied and the rule set rebuilt. */
  private reached(end: bigint): Promise<void> {
    if (this.caughtUp && this.state.position >= end - 1n) return Promise.resolve();
    return new Promise((resolve) => this.positionWaiters.push({ end, resolve }));
  }

  private positionReached(): void {
    for (let i = this.positionWaiters.length - 1; i >= 0; i--) {
      const waiter = this.positionWaiters[i];
      if (waiter !== undefined && this.state.position >= waiter.end - 1n) {
        this.positionWaiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }

  /** `work` within RULES_TOPIC_TIMEOUT_MS, or a {@link RuleTopicUnavailableError} naming what did not finish. */
  private bounded<T>(work: Promise<T>, what: string): Promise<T> {
    const timeoutMs = this.config.rules.topicTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new RuleTopicUnavailableError(
              `${what}: no answer from Kafka within ${timeoutMs} ms${
                what === WRITING
                  ? '; the change may still be applied: read the rule before retrying'
                  : '; nothing was changed'
              }`,
              what === WRITING,
            ),
          ),
        timeoutMs,
      );
    });
    return Promise.race([
      // A failed request (refused, unreachable) most likely wrote nothing: only a timeout leaves it open.
      work.catch((error: unknown) => {
        if (error instanceof RuleTopicUnavailableError) throw error;
        throw new RuleTopicUnavailableError(`${what} failed: ${describeKafkaError(error)}`, false);
      }),
      timeout,
    ]).finally(() => clearTimeout(timer));
  }
}
