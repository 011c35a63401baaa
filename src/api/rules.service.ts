import { Inject, Injectable, NotFoundException, ConflictException } from '@nestjs/common';
import { patchAction } from '../audit/audit-document';
import type { AuditAction } from '../audit/audit-document';
import { AuditTrailService } from '../audit/audit-trail.service';
import type { SourceFile } from '../core/rules';
import { CONFIG } from '../config/config';
import type { Config } from '../config/config';
import { RuleRegexService } from '../regex-check/rule-regex.service';
import { FolderLockError } from '../rules-store/folder-lock';
import type { FolderLease } from '../rules-store/folder-lock';
import { RuleFileWriter } from '../rules-store/rule-file-writer';
import type { RuleFolderContents } from '../rules-store/rule-files';
import {
  assertRuleId,
  CUSTOM_RULES_FOLDER,
  RULE_ID_PATTERN,
  ruleArea,
  ruleFilePath,
} from '../rules-store/rule-paths';
import { RuleSetRejectedError, RuleStore } from '../rules-store/rule-store.service';
import type { RuleSetStatus } from '../rules-store/rule-store.service';
import {
  RuleInvalidException,
  RuleSetConflictException,
  RuleVersionMismatchException,
} from './api-errors';
import type { ApiPrincipal } from './api-keyring';
import type { RuleListResponseDto, RuleResponseDto } from './dto/rule.dto';
import { validateRuleDocument } from '../core/rules/validate-schema';
import { etagOf, ifMatchSatisfied } from './etag';
import { applyMergePatch } from './merge-patch';
import type { JsonValue } from './merge-patch';
import {
  compileRuleFile,
  fileStem,
  problemsOf,
  requestRegexVerdicts,
  requireRuleDocument,
  serializeRule,
} from './rule-documents';
import type { RuleDocument } from './rule-documents';
import { pageOf, ruleMatchesQuery } from './rule-list-query';
import type { RuleListQuery } from './rule-list-query';
import { errorMessage } from '../core/errors';

/** A change to one rule file: its new text, or `null` to delete it. */
interface FileChange {
  path: string;
  text: string | null;
}

/** What the audit trail records of a change besides the file: who, what, the request's change. */
interface ChangeContext {
  actor: ApiPrincipal;
  action: AuditAction;
  ruleId: string;
  /** The file before the change; undefined for a creation. */
  before: SourceFile | undefined;
  /** The merge patch or the new document; null for a deletion. */
  change: unknown;
}

/**
 * Reads and changes rules for the REST API. Reads answer from the active rule
 * set. Every change is checked first against the whole folder as it would be
 * after the change (schema, compile, duplicate ids, the other files), then
 * written atomically, then the folder is reloaded so the answer shows the rule
 * as it now runs. Each change holds the folder's write lock from its read to its
 * reload, shared by every replica on the folder, so If-Match is a compare-and-set:
 * the version compared is the file's, read under the lock (an editor or `git pull`
 * does not take the lock; it can still slip in between).
 */
@Injectable()
export class RulesService {
  private writing: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly store: RuleStore,
    private readonly files: RuleFileWriter,
    private readonly regexes: RuleRegexService,
    private readonly audit: AuditTrailService,
  ) {}

  /**
   * The rules of the active set that pass the query's filters, disabled ones
   * included, ordered by id, one page of them. `total` counts every match;
   * `nextOffset` is where the next page starts (null on the last).
   */
  list(query: RuleListQuery): RuleListResponseDto {
    const matching = this.store
      .rules()
      .filter((rule) => ruleMatchesQuery(rule, query))
      .map((rule) => rule.id);
    const page = pageOf(matching, query);
    const rules = page.items
      .map((id) => this.activeResponse(id))
      .filter((rule): rule is RuleResponseDto => rule !== undefined);
    return {
      hash: this.store.status().hash,
      count: rules.length,
      total: page.total,
      offset: query.offset,
      limit: query.limit,
      nextOffset: page.nextOffset,
      rules,
    };
  }

  /** One rule of the active set; 404 when there is none with this id. */
  get(id: string): RuleResponseDto {
    assertRuleId(id);
    const rule = this.activeResponse(id);
    if (rule === undefined) throw new NotFoundException(`rule ${id} is not in the active rule set`);
    return rule;
  }

  status(): RuleSetStatus {
    return this.store.status();
  }

  /** Adds a rule in a new file: beside the rules of the same id area, else under custom/. */
  async create(body: unknown, actor: ApiPrincipal): Promise<RuleResponseDto> {
    const document = requireRuleDocument(body);
    return this.exclusive(async (lease) => {
      const folder = await this.files.read();
      const id = await this.requireValidId(document, folder);
      const existing = findRuleFile(folder, id);
      if (existing !== undefined) {
        throw new ConflictException(
          `rule ${id} already exists (${existing.path}); change it with PUT or PATCH /rules/${id}`,
        );
      }
      const path = ruleFilePath(this.config.rulesDir, folderForArea(folder, id), id);
      await this.commit(folder, { path, text: serializeRule(document) }, lease, {
        actor,
        action: 'rule-created',
        ruleId: id,
        before: undefined,
        change: document,
      });
      return this.changedResponse(id);
    });
  }

  /** Replaces a rule's file with the body; the id in the body, if any, must be the one in the path. */
  async replace(
    id: string,
    body: unknown,
    ifMatch: string | undefined,
    actor: ApiPrincipal,
  ): Promise<RuleResponseDto> {
    assertRuleId(id);
    const document = withId(requireRuleDocument(body), id);
    // The request's own checks come before its precondition (RFC 9110, 13.2.1): an
    // invalid body is a 400 whatever If-Match says, not a 412.
    const problems = validateRuleDocument(document);
    if (problems.length > 0)
      throw new RuleInvalidException(
        `the rule is invalid: ${problems.length} problem(s)`,
        problems,
      );
    return this.exclusive(async (lease) => {
      const folder = await this.files.read();
      const current = this.requireCurrent(folder, id, ifMatch);
      await this.commit(folder, { path: current.path, text: serializeRule(document) }, lease, {
        actor,
        action: 'rule-replaced',
        ruleId: id,
        before: current,
        change: document,
      });
      return this.changedResponse(id);
    });
  }

  /** Applies a JSON Merge Patch (RFC 7396) to the rule's file, e.g. `{"enabled": false}`. */
  async patch(
    id: string,
    body: unknown,
    ifMatch: string | undefined,
    actor: ApiPrincipal,
  ): Promise<RuleResponseDto> {
    assertRuleId(id);
    const patch = requireRuleDocument(body, 'a JSON merge patch');
    return this.exclusive(async (lease) => {
      const folder = await this.files.read();
      const current = this.requireCurrent(folder, id, ifMatch);
      const base = parseFile(current);
      const document = withId(
        requireRuleDocument(applyMergePatch(base, patch), 'a patch that leaves a JSON object'),
        id,
      );
      await this.commit(folder, { path: current.path, text: serializeRule(document) }, lease, {
        actor,
        action: patchAction(patch),
        ruleId: id,
        before: current,
        change: patch,
      });
      return this.changedResponse(id);
    });
  }

  /** Deletes the rule's file. */
  async remove(id: string, ifMatch: string | undefined, actor: ApiPrincipal): Promise<void> {
    assertRuleId(id);
    await this.exclusive(async (lease) => {
      const folder = await this.files.read();
      const current = this.requireCurrent(folder, id, ifMatch);
      await this.commit(folder, { path: current.path, text: null }, lease, {
        actor,
        action: 'rule-deleted',
        ruleId: id,
        before: current,
        change: null,
      });
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

  /** The body's id when it is a valid id; otherwise a 400 with every problem of the body. */
  private async requireValidId(
    document: RuleDocument,
    folder: RuleFolderContents,
  ): Promise<string> {
    const id = document['id'];
    if (typeof id === 'string' && RULE_ID_PATTERN.test(id)) return id;
    const path = 'rule.json';
    const result = await compileRuleFile(
      { path, text: serializeRule(document) },
      folder.lists,
      this.regexes,
    );
    const problems = result.ok ? [] : problemsOf(result.errors, path);
    throw new RuleInvalidException(
      'the rule is invalid',
      problems.length > 0
        ? problems
        : [{ pointer: '/id', message: 'must be a rule id (e.g. ACME-0001, a UUID)' }],
    );
  }

  private requireCurrent(
    folder: RuleFolderContents,
    id: string,
    ifMatch: string | undefined,
  ): SourceFile {
    const current = findRuleFile(folder, id);
    if (current === undefined) {
      throw new NotFoundException(`rule ${id} does not exist; create it with POST /rules`);
    }
    const etag = etagOf(current.text);
    if (!ifMatchSatisfied(ifMatch, etag)) throw new RuleVersionMismatchException(id, etag);
    return current;
  }

  /**
   * Validates the folder as it would be after `change`, and only if all of it is
   * valid writes the change (atomically) and reloads. A problem in the changed
   * file is the client's (400); a problem elsewhere blocks the change (409). The
   * changed file's regexes are checked within a request's limits; the others are
   * the folder's own, checked (and cached) when it loaded. Once the file is
   * written the change is recorded in the audit trail, whatever the reload says.
   */
  private async commit(
    folder: RuleFolderContents,
    change: FileChange,
    lease: FolderLease,
    context: ChangeContext,
  ): Promise<void> {
    if (folder.refused.length > 0) {
      throw new RuleSetConflictException(
        'the rules folder holds links that lead outside it; nothing was written (remove them first, see problems)',
        folder.refused,
      );
    }
    const others = folder.rules.filter((file) => file.path !== change.path);
    const changed = change.text === null ? [] : [{ path: change.path, text: change.text }];
    const prospective =
      changed.length === 0
        ? others
        : [...others, ...changed].sort((a, b) => a.path.localeCompare(b.path));
    const reached = await requestRegexVerdicts(this.regexes, changed, folder.lists);
    const result = await this.regexes.load(prospective, folder.lists, reached);
    if (!result.ok) {
      const own = problemsOf(result.errors, change.path);
      if (own.length > 0) {
        throw new RuleInvalidException(`the rule is invalid: ${own.length} problem(s)`, own);
      }
      throw new RuleSetConflictException(
        'the rules folder holds problems in other files; nothing was written (fix them first, see problems)',
        result.errors,
      );
    }
    // The last moment to find that a stall cost this change its lock, before anything is written.
    await lease.assertHeld();
    if (change.text === null) await this.files.remove(change.path);
    else await this.files.write(change.path, change.text);
    this.audit.record({
      action: context.action,
      ruleId: context.ruleId,
      user: context.actor.name,
      versionBefore: context.before === undefined ? null : etagOf(context.before.text),
      versionAfter: change.text === null ? null : etagOf(change.text),
      change: context.change,
      file: change.path,
      at: new Date(),
    });
    try {
      await this.store.reload();
    } catch (error) {
      if (error instanceof RuleSetRejectedError) {
        throw new RuleSetConflictException(
          `${change.path} was written, but the rules folder changed meanwhile and was rejected; the last good rule set stays active`,
          error.problems,
        );
      }
      throw error;
    }
  }

  private activeResponse(id: string): RuleResponseDto | undefined {
    const active = this.store.activeRule(id);
    if (active === undefined) return undefined;
    return {
      id,
      file: active.source.path,
      etag: etagOf(active.source.text),
      rule: active.definition,
    };
  }

  private changedResponse(id: string): RuleResponseDto {
    const rule = this.activeResponse(id);
    // The reload succeeded, so the rule is active unless the folder changed in between.
    if (rule === undefined)
      throw new ConflictException(`rule ${id} is not active after the change`);
    return rule;
  }
}

function findRuleFile(folder: RuleFolderContents, id: string): SourceFile | undefined {
  return folder.rules.find((file) => fileStem(file.path) === id);
}

/** The folder of an existing rule of the same area (`SW-DST-…` → `destruction/`), else custom/ (every id outside the pack's form). */
function folderForArea(folder: RuleFolderContents, id: string): string {
  const area = ruleArea(id);
  if (area === '') return CUSTOM_RULES_FOLDER;
  const sibling = folder.rules.find((file) => {
    const stem = fileStem(file.path);
    return RULE_ID_PATTERN.test(stem) && ruleArea(stem) === area;
  });
  if (sibling === undefined) return CUSTOM_RULES_FOLDER;
  const slash = sibling.path.lastIndexOf('/');
  return slash < 0 ? '' : sibling.path.slice(0, slash);
}

/** The document with `id` set to the path's id; 400 when the body names another. */
function withId(document: RuleDocument, id: string): RuleDocument {
  const bodyId = document['id'];
  if (bodyId === undefined) return { id, ...document };
  if (bodyId !== id) {
    throw new RuleInvalidException(
      `the id in the body (${JSON.stringify(bodyId)}) differs from the id in the path (${id}); a rule's id cannot change`,
      [{ pointer: '/id', message: `must be ${id}, the id in the path` }],
    );
  }
  return document;
}

function parseFile(file: SourceFile): JsonValue {
  try {
    return JSON.parse(file.text) as JsonValue;
  } catch (error) {
    throw new RuleSetConflictException(
      `${file.path} is not valid JSON and cannot be patched; replace the rule with PUT`,
      [
        {
          file: file.path,
          pointer: '',
          message: errorMessage(error),
        },
      ],
    );
  }
}
