import type { SourceFile } from '../core/rules';
import type { RuleRegexService } from '../regex-check/rule-regex.service';
import type { RuleFolderContents } from '../rules-store/rule-files';
import type { ApiPrincipal } from './api-keyring';
import type { AuditAction } from '../audit/audit-document';
import { RuleInvalidException, RuleSetConflictException } from './api-errors';
import { problemsOf, requestRegexVerdicts } from './rule-documents';

/** A change to one rule file: its new text, or `null` to delete it. */
export interface FileChange {
  path: string;
  text: string | null;
}

/** The rules as a change sees them: the files, and the version (ETag) of each rule file. */
export interface RuleSnapshot {
  folder: RuleFolderContents;
  versionOf(file: SourceFile): string;
}

/** A change planned against a snapshot: the file change, and the file before it (undefined for a creation). */
export interface PlannedChange extends FileChange {
  before: SourceFile | undefined;
  /** What the audit trail records as the change: the merge patch or the new document; null for a deletion. */
  change: unknown;
  action: AuditAction;
}

/** Who asks, what for: what the stores need beside the plan. */
export interface ChangeRequest {
  actor: ApiPrincipal;
  ruleId: string;
  /** How the change relates to the rule's current state. */
  basis: 'create' | 'replace' | 'patch' | 'delete';
  ifMatch: string | undefined;
}

/** What a store reports of a change it made: the rule's version after it (null: deleted). */
export interface ChangeResult {
  versionAfter: string | null;
}

/** Where the API's changes go: the rules folder, or the rule topic. */
export interface RuleChangeStore {
  /**
   * Plans the change against the current rules (`plan` throws the 404, 409 or 412
   * it finds), checks it, makes it, records it in the audit trail, and resolves
   * once the active rule set holds it.
   */
  change(
    request: ChangeRequest,
    plan: (snapshot: RuleSnapshot) => Promise<PlannedChange>,
  ): Promise<ChangeResult>;
}

/**
 * Validates the rules as they would be after `change`: schema, compile, regex
 * safety, for the changed file within a request's limits and with every other
 * file. A problem in the changed file is the client's (400). A problem elsewhere
 * blocks the change (409) when `othersMustLoad` (the folder store: the folder
 * would not load); the rule topic's replicas run such rules in their last good
 * version and report them, so there it does not block a change of another rule.
 * Nothing is written here.
 */
export async function checkRuleChange(
  regexes: RuleRegexService,
  folder: RuleFolderContents,
  change: FileChange,
  othersMustLoad = true,
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
  const reached = await requestRegexVerdicts(regexes, changed, folder.lists);
  const result = await regexes.load(prospective, folder.lists, reached);
  if (!result.ok) {
    const own = problemsOf(result.errors, change.path);
    if (own.length > 0) {
      throw new RuleInvalidException(`the rule is invalid: ${own.length} problem(s)`, own);
    }
    if (!othersMustLoad) return;
    throw new RuleSetConflictException(
      'the rule set holds problems in other files; nothing was written (fix them first, see problems)',
      result.errors,
    );
  }
}
