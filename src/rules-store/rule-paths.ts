import { isAbsolute, relative, resolve, sep } from 'node:path';
import { isPackRuleId, RULE_ID_PATTERN, ruleIdProblem } from '../core/rules/rule-id';

/** Rule ids as the schema, the loader and the API accept them; checked before any path is built from one. */
export { RULE_ID_PATTERN };

/** Folder (relative to RULES_DIR) for a new rule whose id area has no folder yet. */
export const CUSTOM_RULES_FOLDER = 'custom';

/** A path built from outside input would leave the rules folder, or an id is not an id. */
export class RulePathError extends Error {
  readonly code = 'RULE_PATH_INVALID';
}

/** Throws {@link RulePathError} unless `id` is a valid rule id (docs/rules.md, "Rule ids"). */
export function assertRuleId(id: string): void {
  const problem = ruleIdProblem(id);
  if (problem !== undefined) {
    throw new RulePathError(`invalid rule id ${JSON.stringify(id.slice(0, 80))}: ${problem}`);
  }
}

/** `SW-DST-0001` → `DST`; `''` for an id outside the shipped pack's form (those go to custom/). */
export function ruleArea(id: string): string {
  return isPackRuleId(id) ? (id.split('-')[1] ?? '') : '';
}

/**
 * Resolves `relativePath` against `root` and returns the absolute path, or throws
 * {@link RulePathError} when the result is not strictly inside `root` (`..`
 * segments, absolute paths, the root itself). Lexical only: symbolic links inside
 * the rules folder are the operator's choice and are followed.
 */
export function resolveInside(root: string, relativePath: string): string {
  const base = resolve(root);
  const target = resolve(base, relativePath);
  const rel = relative(base, target);
  if (
    relativePath.includes('\0') ||
    rel === '' ||
    isAbsolute(rel) ||
    rel === '..' ||
    rel.startsWith(`..${sep}`)
  ) {
    throw new RulePathError(`path ${JSON.stringify(relativePath)} is outside the rules folder`);
  }
  return target;
}

/**
 * The file of a rule, relative to RULES_DIR with `/` separators:
 * `<folder>/<id>.json`. Validates the id and the folder before joining them.
 */
export function ruleFilePath(root: string, folder: string, id: string): string {
  assertRuleId(id);
  const path = folder === '' ? `${id}.json` : `${folder}/${id}.json`;
  resolveInside(root, path);
  return path;
}
