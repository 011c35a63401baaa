import { Injectable } from '@nestjs/common';
import type { PipeTransform } from '@nestjs/common';
import { ruleSetRegexes } from '../core/rules';
import type { LoadRuleSetResult, RuleProblem, SourceFile } from '../core/rules';
import type { RegexVerdict } from '../core/rules/operators/check-regex';
import type { RuleRegexService } from '../regex-check/rule-regex.service';
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

/**
 * `@Body(new RuleDocumentPipe('a rule'))`: a rule body (or a merge patch of one) as a
 * rule document; a 400 unless it is a JSON object. Its fields are checked against
 * rules/schema/rule.schema.json by the rule core, as a rule file's are (problems with
 * pointers), which is the one schema of a rule.
 */
@Injectable()
export class RuleDocumentPipe implements PipeTransform<unknown, RuleDocument> {
  constructor(private readonly what: string) {}

  transform(body: unknown): RuleDocument {
    return requireRuleDocument(body, this.what);
  }
}

/** How the API writes a rule file: two-space JSON and a final newline, like the files in rules/. */
export function serializeRule(document: Readonly<Record<string, unknown>>): string {
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
 * Most distinct regexes (`regex` values, globs, `anyCommand` matchers) the rule of one
 * request may hold: each may cost seconds of analysis. The rule pack's largest has 14.
 */
export const MAX_REGEXES_PER_REQUEST = 32;

/**
 * Wall-clock budget of one request's regex analysis; regexes left without a verdict
 * when it runs out are reported as not checked (issue 20: one request held the
 * service for 81 s).
 */
export const REQUEST_REGEX_BUDGET_MS = 5_000;

/**
 * Verdicts for the regexes of the files a request brings, reached off the main thread
 * within {@link REQUEST_REGEX_BUDGET_MS}; a 400 naming the limit when they hold more
 * than {@link MAX_REGEXES_PER_REQUEST}.
 */
export async function requestRegexVerdicts(
  regexes: RuleRegexService,
  files: readonly SourceFile[],
  lists: readonly SourceFile[],
): Promise<Map<string, RegexVerdict>> {
  const specs = ruleSetRegexes(files, lists);
  if (specs.length > MAX_REGEXES_PER_REQUEST) {
    const message = `holds ${specs.length} distinct regular expressions (regex, glob and anyCommand patterns); at most ${MAX_REGEXES_PER_REQUEST} are checked per request: split the rule`;
    throw new RuleInvalidException(`the rule ${message}`, [{ pointer: '', message }]);
  }
  return regexes.verdicts(specs, { budgetMs: REQUEST_REGEX_BUDGET_MS });
}

/**
 * Validates and compiles one rule file on its own, with the folder's named lists:
 * the same checks a rule file on disk gets, its regexes within a request's limits.
 */
export async function compileRuleFile(
  file: SourceFile,
  lists: readonly SourceFile[],
  regexes: RuleRegexService,
): Promise<LoadRuleSetResult> {
  const reached = await requestRegexVerdicts(regexes, [file], lists);
  return regexes.load([file], lists, reached);
}
