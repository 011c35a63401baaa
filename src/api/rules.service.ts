import { Inject, Injectable, NotFoundException, ConflictException } from '@nestjs/common';
import { patchAction } from '../audit/audit-document';
import type { SourceFile } from '../core/rules';
import { CONFIG } from '../config/config';
import type { Config } from '../config/config';
import { RuleRegexService } from '../regex-check/rule-regex.service';
import type { RuleFolderContents } from '../rules-store/rule-files';
import {
  assertRuleId,
  CUSTOM_RULES_FOLDER,
  RULE_ID_PATTERN,
  ruleArea,
  ruleFilePath,
} from '../rules-store/rule-paths';
import { RuleStore } from '../rules-store/rule-store.service';
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
  requireRuleDocument,
  serializeRule,
} from './rule-documents';
import type { RuleDocument } from './rule-documents';
import { pageOf, ruleMatchesQuery } from './rule-list-query';
import type { RuleChangeStore, RuleSnapshot } from './check-rule-change';
import { FileRuleChanges } from './file-rule-changes';
import { KafkaRuleChanges } from './kafka-rule-changes';
import type { RuleListQuery } from './rule-list-query';
import { errorMessage } from '../core/errors';

/**
 * Reads and changes rules for the REST API. Reads answer from the active rule
 * set. A change is planned here (404, 409, 412, the file's place) against the
 * rules as the store holds them, and made by the store (RULES_STORE): the folder
 * ({@link FileRuleChanges}) or the rule topic ({@link KafkaRuleChanges}), which
 * check it against the whole rule set first and answer once it runs.
 */
@Injectable()
export class RulesService {
  private readonly changes: RuleChangeStore;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly store: RuleStore,
    private readonly regexes: RuleRegexService,
    files: FileRuleChanges,
    topic: KafkaRuleChanges,
  ) {
    this.changes = config.rules.store === 'kafka' ? topic : files;
  }

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
  async create(document: RuleDocument, actor: ApiPrincipal): Promise<RuleResponseDto> {
    const bodyId = document['id'];
    // The id decides the record's key in the rule topic; an invalid one is reported with the body's other problems.
    const ruleId = typeof bodyId === 'string' && RULE_ID_PATTERN.test(bodyId) ? bodyId : '';
    let id = ruleId;
    await this.changes.change(
      { actor, ruleId, basis: 'create', ifMatch: undefined },
      async ({ folder }) => {
        id = await this.requireValidId(document, folder);
        const existing = findRuleFile(folder, id);
        if (existing !== undefined) {
          throw new ConflictException(
            `rule ${id} already exists (${existing.path}); change it with PUT or PATCH /rules/${id}`,
          );
        }
        const path = ruleFilePath(this.config.rules.dir, folderForArea(folder, id), id);
        return {
          path,
          text: serializeRule(document),
          before: undefined,
          change: document,
          action: 'rule-created',
        };
      },
    );
    return this.changedResponse(id);
  }

  /** Replaces a rule's file with the body; the id in the body, if any, must be the one in the path. */
  async replace(
    id: string,
    body: RuleDocument,
    ifMatch: string | undefined,
    actor: ApiPrincipal,
  ): Promise<RuleResponseDto> {
    assertRuleId(id);
    const document = withId(body, id);
    // The request's own checks come before its precondition (RFC 9110, 13.2.1): an
    // invalid body is a 400 whatever If-Match says, not a 412.
    const problems = validateRuleDocument(document);
    if (problems.length > 0)
      throw new RuleInvalidException(
        `the rule is invalid: ${problems.length} problem(s)`,
        problems,
      );
    await this.changes.change({ actor, ruleId: id, basis: 'replace', ifMatch }, (snapshot) => {
      const current = this.requireCurrent(snapshot, id, ifMatch);
      return Promise.resolve({
        path: current.path,
        text: serializeRule(document),
        before: current,
        change: document,
        action: 'rule-replaced' as const,
      });
    });
    return this.changedResponse(id);
  }

  /** Applies a JSON Merge Patch (RFC 7396) to the rule's file, e.g. `{"enabled": false}`. */
  async patch(
    id: string,
    patch: RuleDocument,
    ifMatch: string | undefined,
    actor: ApiPrincipal,
  ): Promise<RuleResponseDto> {
    assertRuleId(id);
    await this.changes.change({ actor, ruleId: id, basis: 'patch', ifMatch }, (snapshot) => {
      const current = this.requireCurrent(snapshot, id, ifMatch);
      const base = parseFile(current);
      const document = withId(
        requireRuleDocument(applyMergePatch(base, patch), 'a patch that leaves a JSON object'),
        id,
      );
      return Promise.resolve({
        path: current.path,
        text: serializeRule(document),
        before: current,
        change: patch,
        action: patchAction(patch),
      });
    });
    return this.changedResponse(id);
  }

  /** Deletes the rule's file. */
  async remove(id: string, ifMatch: string | undefined, actor: ApiPrincipal): Promise<void> {
    assertRuleId(id);
    await this.changes.change({ actor, ruleId: id, basis: 'delete', ifMatch }, (snapshot) => {
      const current = this.requireCurrent(snapshot, id, ifMatch);
      return Promise.resolve({
        path: current.path,
        text: null,
        before: current,
        change: null,
        action: 'rule-deleted' as const,
      });
    });
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
    snapshot: RuleSnapshot,
    id: string,
    ifMatch: string | undefined,
  ): SourceFile {
    const current = findRuleFile(snapshot.folder, id);
    if (current === undefined) {
      throw new NotFoundException(`rule ${id} does not exist; create it with POST /rules`);
    }
    const etag = snapshot.versionOf(current);
    if (!ifMatchSatisfied(ifMatch, etag)) throw new RuleVersionMismatchException(id, etag);
    return current;
  }

  private activeResponse(id: string): RuleResponseDto | undefined {
    const active = this.store.activeRule(id);
    if (active === undefined) return undefined;
    return {
      id,
      file: active.source.path,
      etag: active.version ?? etagOf(active.source.text),
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
