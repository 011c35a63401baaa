import { loadRuleSet } from '../core/rules';
import type { LoadRuleSetResult, RuleProblem, SourceFile } from '../core/rules';
import { RuleInvalidException } from './api-errors';
import type { RuleProblemDto } from './dto/rule.dto';
import { isJsonObject } from './merge-patch';
import type { JsonValue } from './merge-patch';

/** A rule document from a request body: a JSON object, not yet validated. */
export type RuleDocument = { [key: string]: JsonValue };

/** The request body as a rule document, or a 400 saying what was expected. */
export function requireRuleDocument(body: unknown, what = 'a rule'): RuleDocument {
  if (!isJsonObject(body)) {
    throw new RuleInvalidException(
      `expected ${what} as a JSON object (Content-Type: application/json)`,
      [{ pointer: '', message: 'must be a JSON object' }],
    );
  }
  return body;
}

/** How the API writes a rule file: two-space JSON and a final newline, like the files in rules/. */
export function serializeRule(document: RuleDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** `destruction/SW-DST-0001.json` → `SW-DST-0001`. */
export function fileStem(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return name.endsWith('.json') ? name.slice(0, -'.json'.length) : name;
}

/** Problems of one file as the client sees them: pointers into its body, no file name. */
export function problemsOf(problems: readonly RuleProblem[], file: string): RuleProblemDto[] {
  return problems
    .filter((problem) => problem.file === file)
    .map(({ pointer, message }) => ({ pointer, message }));
}

/**
 * Validates and compiles one rule file on its own, with the folder's named lists:
 * the same checks a rule file on disk gets.
 */
export function compileRuleFile(file: SourceFile, lists: readonly SourceFile[]): LoadRuleSetResult {
  return loadRuleSet([file], lists);
}
