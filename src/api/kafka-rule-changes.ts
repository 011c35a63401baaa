import { randomUUID } from 'node:crypto';
import {
  ConflictException,
  GatewayTimeoutException,
  Injectable,
  NotFoundException,
  ServiceUnavailableException,
} from '@nestjs/common';
import { AuditTrailService } from '../audit/audit-trail.service';
import { encodeChangeHeader, encodeRuleRecord, RULE_RECORD_SCHEMA_VERSION } from '../core/rule-log';
import type { ApplyOutcome, ChangeMeta, Expectation, JsonObject } from '../core/rule-log';
import { RuleRegexService } from '../regex-check/rule-regex.service';
import { KafkaRuleStore, RuleTopicUnavailableError } from '../rules-store/kafka-rule-store.service';
import type { RuleTopicMessage } from '../kafka/rule-topic';
import { RuleVersionMismatchException } from './api-errors';
import { checkRuleChange } from './check-rule-change';
import type {
  ChangeRequest,
  ChangeResult,
  PlannedChange,
  RuleChangeStore,
  RuleSnapshot,
} from './check-rule-change';

/** A patch made without If-Match is re-made on the newer version this many times when another change won the race. */
const PATCH_ATTEMPTS = 3;

/**
 * RULES_STORE=kafka: a change is checked against the rules as this replica holds
 * them once it has read the topic to its current end, produced as one record that
 * carries the version it was made on, and answered once this replica has applied
 * that record: the log decides, the same on every replica, which of two racing
 * changes wins (the other is a 412, or re-made for a patch without If-Match).
 */
@Injectable()
export class KafkaRuleChanges implements RuleChangeStore {
  constructor(
    private readonly topic: KafkaRuleStore,
    private readonly regexes: RuleRegexService,
    private readonly audit: AuditTrailService,
  ) {}

  async change(
    request: ChangeRequest,
    plan: (snapshot: RuleSnapshot) => Promise<PlannedChange>,
  ): Promise<ChangeResult> {
    for (let attempt = 1; ; attempt++) {
      await unavailableAsHttp(this.topic.sync());
      const { folder, versions } = this.topic.snapshot();
      const snapshot: RuleSnapshot = { folder, versionOf: (file) => versions.get(file.path) ?? '' };
      const planned = await plan(snapshot);
      await checkRuleChange(this.regexes, folder, planned, false);
      const versionBefore =
        planned.before === undefined ? null : snapshot.versionOf(planned.before);
      const expect = expectation(request, versionBefore);
      this.refuseUnknownVersion(request.ruleId, expect);
      const changeId = randomUUID();
      const meta: ChangeMeta = {
        schemaVersion: RULE_RECORD_SCHEMA_VERSION,
        kind: planned.action,
        expect,
        changeId,
        user: request.actor.name,
        at: new Date().toISOString(),
      };
      const outcome = await unavailableAsHttp(
        this.topic.submit(recordOf(request.ruleId, planned, meta), changeId),
      );
      if (outcome.result === 'applied') {
        const versionAfter = outcome.after?.version ?? null;
        // A deletion's record holds all its trail needs: every replica records it
        // (KafkaRuleStore.auditPushed). The others carry the request's patch, known here.
        if (planned.action !== 'rule-deleted') {
          this.audit.record(
            {
              action: planned.action,
              ruleId: request.ruleId,
              user: request.actor.name,
              versionBefore,
              versionAfter,
              change: planned.change,
              file: planned.path,
              at: new Date(meta.at),
            },
            changeId,
          );
        }
        return { versionAfter };
      }
      const retry =
        outcome.result === 'rejected' &&
        outcome.reason === 'version' &&
        request.basis === 'patch' &&
        request.ifMatch === undefined &&
        attempt < PATCH_ATTEMPTS;
      if (!retry) throw rejectionAsHttp(request.ruleId, outcome);
    }
  }

  /**
   * A change that depends on the rule's version (If-Match, a patch, a creation) is
   * refused while this replica cannot read the rule's last record (e.g. a newer
   * schema): its version here is not the one upgraded replicas hold, and the log
   * would decide differently on them. An unconditional PUT or DELETE decides the
   * same everywhere, so it goes through (and clears the problem).
   */
  private refuseUnknownVersion(id: string, expect: Expectation): void {
    if (expect.state === 'present') return;
    const reason = this.topic.unreadable(id);
    if (reason === undefined) return;
    throw new ConflictException(
      `this replica cannot read the last record of rule ${id} in the rule topic (${reason}), so its version here is unknown; change it without If-Match (PUT, DELETE), or through an upgraded replica`,
    );
  }
}

/**
 * What the record expects of the rule: a creation that it is absent; a change made
 * on a version (If-Match given, or a patch, which is computed from it) that version;
 * an unconditional replacement or delete that the rule exists.
 */
function expectation(request: ChangeRequest, versionBefore: string | null): Expectation {
  if (request.basis === 'create' || versionBefore === null) return { state: 'absent' };
  if (request.ifMatch !== undefined || request.basis === 'patch')
    return { state: 'version', versions: [versionBefore] };
  return { state: 'present' };
}

function recordOf(key: string, planned: PlannedChange, meta: ChangeMeta): RuleTopicMessage {
  if (planned.text === null) return { key, value: null, header: encodeChangeHeader(meta) };
  return {
    key,
    value: encodeRuleRecord({
      ...meta,
      path: planned.path,
      rule: JSON.parse(planned.text) as JsonObject,
    }),
  };
}

function rejectionAsHttp(id: string, outcome: ApplyOutcome): Error {
  if (outcome.result !== 'rejected') {
    return new ConflictException(`the change to rule ${id} was not applied (${outcome.result})`);
  }
  switch (outcome.reason) {
    case 'version':
      return new RuleVersionMismatchException(id, outcome.current?.version ?? '');
    case 'absent':
      return new NotFoundException(`rule ${id} was deleted meanwhile; nothing was changed`);
    case 'exists':
      return new ConflictException(
        `rule ${id} was created meanwhile by another change; change it with PUT or PATCH /rules/${id}`,
      );
  }
}

/** Kafka unreachable: 503 when nothing was written, 504 when the record may be in the log. */
async function unavailableAsHttp<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (!(error instanceof RuleTopicUnavailableError)) throw error;
    if (error.maybeWritten) throw new GatewayTimeoutException(error.message);
    throw new ServiceUnavailableException(error.message);
  }
}
