import { ConflictException, Injectable } from '@nestjs/common';
import { AuditTrailService } from '../audit/audit-trail.service';
import { RuleRegexService } from '../regex-check/rule-regex.service';
import { FolderLockError } from '../rules-store/folder-lock';
import type { FolderLease } from '../rules-store/folder-lock';
import { RuleFileWriter } from '../rules-store/rule-file-writer';
import { RuleSetRejectedError, RuleStore } from '../rules-store/rule-store.service';
import { RuleSetConflictException } from './api-errors';
import { checkRuleChange } from './check-rule-change';
import type {
  ChangeRequest,
  ChangeResult,
  PlannedChange,
  RuleChangeStore,
  RuleSnapshot,
} from './check-rule-change';
import { etagOf } from './etag';

/**
 * RULES_STORE=files: a change is checked against the whole folder as it would be
 * after it, written atomically, then the folder is reloaded so the answer shows
 * the rule as it now runs. Each change holds the folder's write lock from its read
 * to its reload, shared by every replica on the folder, so If-Match is a
 * compare-and-set: the version compared is the file's, read under the lock (an
 * editor or `git pull` does not take the lock; it can still slip in between).
 */
@Injectable()
export class FileRuleChanges implements RuleChangeStore {
  private writing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: RuleStore,
    private readonly files: RuleFileWriter,
    private readonly regexes: RuleRegexService,
    private readonly audit: AuditTrailService,
  ) {}

  change(
    request: ChangeRequest,
    plan: (snapshot: RuleSnapshot) => Promise<PlannedChange>,
  ): Promise<ChangeResult> {
    return this.exclusive(async (lease) => {
      const folder = await this.files.read();
      const planned = await plan({ folder, versionOf: (file) => etagOf(file.text) });
      await checkRuleChange(this.regexes, folder, planned);
      // The last moment to find that a stall cost this change its lock, before anything is written.
      await lease.assertHeld();
      if (planned.text === null) await this.files.remove(planned.path);
      else await this.files.write(planned.path, planned.text);
      const versionAfter = planned.text === null ? null : etagOf(planned.text);
      // Once the file is written the change is recorded, whatever the reload says.
      this.audit.record({
        action: planned.action,
        ruleId: request.ruleId,
        user: request.actor.name,
        versionBefore: planned.before === undefined ? null : etagOf(planned.before.text),
        versionAfter,
        change: planned.change,
        file: planned.path,
        at: new Date(),
      });
      try {
        await this.store.reload();
      } catch (error) {
        if (error instanceof RuleSetRejectedError) {
          throw new RuleSetConflictException(
            `${planned.path} was written, but the rules folder changed meanwhile and was rejected; the last good rule set stays active`,
            error.problems,
          );
        }
        throw error;
      }
      return { versionAfter };
    });
  }

  /**
   * Runs a change alone: one at a time in this process (a queue, so requests do not
   * poll the lock file against each other), and under the folder's write lock
   * against the other processes. A lock that cannot be had is a 409.
   */
  private exclusive<T>(work: (lease: FolderLease) => Promise<T>): Promise<T> {
    const run = this.writing.then(() =>
      this.files.locked(work).catch((error: unknown) => {
        if (error instanceof FolderLockError) throw new ConflictException(error.message);
        throw error;
      }),
    );
    this.writing = run.catch(() => undefined);
    return run;
  }
}
