import { readFile } from 'node:fs/promises';
import { runCorrelationExamples } from '../core/correlation';
import { exampleEvent, isSingleEventRule, runRuleExamples } from '../core/rules';
import { parseFixture } from './fixture-lines';
import { CliUsageError, loadRulesOrExplain } from './load-rules';
import type { CliRuleSet } from './load-rules';
import { errorMessage } from '../core/errors';

/** `shellwatch rules validate [DIR]`: exit 0 when every file is valid, else one line per problem. */
export async function validateCommand(
  dir: string,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  const loaded = await loadRulesOrExplain(dir);
  if ('problems' in loaded) {
    err.write(`${loaded.problems}\n`);
    return 1;
  }
  out.write(`${loaded.rules.length} rules valid in ${dir} (hash ${loaded.hash.slice(0, 12)})\n`);
  return 0;
}

/**
 * `shellwatch rules test [DIR] [--fixture FILE]`: runs every rule's embedded
 * examples (for threshold and sequence rules, the ordered `examples.sequences`,
 * each through a fresh correlation engine) and, with a fixture (JSON lines `{"command": …, "expect": [ids]}`),
 * checks each command: every expected id fires; `"expect": []` means no rule fires;
 * `"exact": true` means no rule outside `expect` fires. An id that is not in the rule
 * set fails the line (a typo never passes). A malformed line fails with `file:line`
 * and the reason, and the other lines are still checked.
 */
export async function testCommand(
  dir: string,
  fixture: string | undefined,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  const loaded = await loadRulesOrExplain(dir);
  if ('problems' in loaded) {
    err.write(`${loaded.problems}\n`);
    return 1;
  }
  let passed = 0;
  let failed = 0;
  for (const rule of loaded.rules) {
    for (const f of runCorrelationExamples(rule)) {
      failed += 1;
      passed -= 1;
      err.write(`FAIL ${f.file}#${f.pointer}: ${f.message}\n`);
    }
    passed += rule.definition.examples?.sequences?.length ?? 0;
    if (!isSingleEventRule(rule)) continue;
    const failures = runRuleExamples(rule, loaded.evaluator);
    const total =
      (rule.definition.examples?.match?.length ?? 0) +
      (rule.definition.examples?.noMatch?.length ?? 0);
    passed += total - failures.length;
    failed += failures.length;
    for (const f of failures) err.write(`FAIL ${f.file}#${f.pointer}: ${f.message}: ${f.line}\n`);
  }
  if (fixture !== undefined) {
    const result = checkFixture(fixture, await readFixture(fixture), loaded);
    passed += result.passed;
    failed += result.failed;
    for (const message of result.messages) err.write(`${message}\n`);
  }
  out.write(`rules: ${passed} passed, ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
}

async function readFixture(fixture: string): Promise<string> {
  try {
    return await readFile(fixture, 'utf8');
  } catch (error) {
    throw new CliUsageError(`cannot read fixture ${fixture}: ${errorMessage(error)}`);
  }
}

/** Checks every case of a fixture file against the enabled single-event rules. */
export function checkFixture(
  fixture: string,
  text: string,
  loaded: CliRuleSet,
): { passed: number; failed: number; messages: string[] } {
  const { cases, problems } = parseFixture(text);
  const messages = problems.map((p) => `FAIL ${fixture}:${p.line}: ${p.message}`);
  const known = new Set(loaded.rules.map((rule) => rule.definition.id));
  let passed = 0;
  for (const { line, command, expect, exact } of cases) {
    const fired = loaded.evaluator.evaluate(exampleEvent(command)).map((m) => m.rule.id);
    const unknown = expect.filter((id) => !known.has(id));
    const missing = expect.filter((id) => known.has(id) && !fired.includes(id));
    const unexpected = exact ? fired.filter((id) => !expect.includes(id)) : [];
    if (unknown.length + missing.length + unexpected.length === 0) {
      passed += 1;
      continue;
    }
    const parts = [
      unknown.length > 0 ? `no such rule ${unknown.join(', ')}` : '',
      missing.length > 0 ? `expected ${missing.join(', ')}` : '',
      unexpected.length > 0 ? `unexpected ${unexpected.join(', ')}` : '',
    ].filter((part) => part !== '');
    messages.push(
      `FAIL ${fixture}:${line}: ${parts.join('; ')}; fired [${fired.join(', ')}]: ${command}`,
    );
  }
  return { passed, failed: messages.length, messages };
}
