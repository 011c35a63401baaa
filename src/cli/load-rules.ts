import { loadRuleSet, formatRuleProblems } from '../core/rules';
import type { LoadRuleSetResult } from '../core/rules';
import { readRuleFolder } from '../rules-store/rule-files';

/** Loaded rules, or every problem already printed as `file#pointer: message` lines. */
export type CliRuleSet = Extract<LoadRuleSetResult, { ok: true }>;

export class CliUsageError extends Error {}

export async function loadRulesOrExplain(dir: string): Promise<CliRuleSet | { problems: string }> {
  let folder;
  try {
    folder = await readRuleFolder(dir);
  } catch (error) {
    throw new CliUsageError(
      `cannot read rules folder ${dir}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const result = loadRuleSet(folder.rules, folder.lists);
  const problems = [...folder.refused, ...(result.ok ? [] : result.errors)];
  if (!result.ok || problems.length > 0) return { problems: formatRuleProblems(problems) };
  return result;
}
