import { join } from 'node:path';
import { readRuleFolder } from '../../src/rules-store/rule-files';
import type { RuleFolderContents } from '../../src/rules-store/rule-files';

export const REPO_RULES_DIR = join(__dirname, '../../rules');

/** The repository's own rules/ folder, as the service reads it (for specs beside the pure core). */
export function repoRules(): Promise<RuleFolderContents> {
  return readRuleFolder(REPO_RULES_DIR);
}
