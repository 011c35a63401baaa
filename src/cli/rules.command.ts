import { readFile } from 'node:fs/promises';
import { runCorrelationExamples } from '../core/correlation';
import { textRecord } from '../core/decode';
import { EventRun } from '../core/event-run';
import { isSingleEventRule } from '../core/rules/load-rule-set';
import { exampleEvent, runRuleExamples } from '../core/rules/run-rule-examples';
import type { RuleEvaluator } from '../core/rules/types';
import { parseFixture } from './fixture-lines';
import type { FixtureCase } from './fixture-lines';
import { LazyIndexEvaluator } from './lazy-index-evaluator';
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
 * each through a fresh event run) and, with a fixture (JSON lines `{"command": …, "expect": [ids]}`
 * or `{"records": [raw records], "expect": [ids]}`, see checkFixture),
 * checks each case: every expected id fires; `"expect": []` means no rule fires;
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
    for (const f of runCorrelationExamples(rule, loaded.evaluator)) {
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

/** Checks every case of a fixture file against the enabled rules. */
export function checkFixture(
  fixture: string,
  text: string,
  loaded: CliRuleSet,
): { passed: number; failed: number; messages: string[] } {
  const { cases, problems } = parseFixture(text);
  const messages = problems.map((p) => `FAIL ${fixture}:${p.line}: ${p.message}`);
  const known = new Set(loaded.rules.map((rule) => rule.definition.id));
  // One evaluator for every case: a long fixture gets the prefilter index, a short one does not pay for it.
  const evaluator = new LazyIndexEvaluator(loaded.evaluator);
  let passed = 0;
  for (const fixtureCase of cases) {
    const { line, expect, exact } = fixtureCase;
    const { fired, undecodable, subject } = firedBy(fixtureCase, loaded.rules, evaluator);
    const unknown = expect.filter((id) => !known.has(id));
    const missing = expect.filter((id) => known.has(id) && !fired.includes(id));
    const unexpected = exact ? fired.filter((id) => !expect.includes(id)) : [];
    if (unknown.length + missing.length + unexpected.length + undecodable.length === 0) {
      passed += 1;
      continue;
    }
    const parts = [
      unknown.length > 0 ? `no such rule ${unknown.join(', ')}` : '',
      missing.length > 0 ? `expected ${missing.join(', ')}` : '',
      unexpected.length > 0 ? `unexpected ${unexpected.join(', ')}` : '',
      ...undecodable,
    ].filter((part) => part !== '');
    messages.push(
      `FAIL ${fixture}:${line}: ${parts.join('; ')}; fired [${fired.join(', ')}]: ${subject}`,
    );
  }
  return { passed, failed: messages.length, messages };
}

/**
 * The rule ids a case fires. A command: the enabled single-event rules that match it
 * (the case checks conditions, one command alone). Records: every alert the service
 * would write for them, in order on one partition (decoding, suppression, thresholds
 * and sequences, pending absences decided at the end); a record the service would
 * dead-letter fails the case with its reason.
 */
function firedBy(
  fixtureCase: FixtureCase,
  rules: CliRuleSet['rules'],
  evaluator: RuleEvaluator,
): { fired: string[]; undecodable: string[]; subject: string } {
  if (fixtureCase.records === undefined) {
    const command = fixtureCase.command ?? '';
    const fired = evaluator.evaluate(exampleEvent(command)).map((m) => m.rule.id);
    return { fired, undecodable: [], subject: command };
  }
  const run = new EventRun({
    source: FIXTURE_SOURCE,
    rules: { evaluator, rules },
    writeCommands: false,
  });
  const records = fixtureCase.records.map((record, i) => ({
    ...textRecord(record),
    offset: String(i + 1),
  }));
  const outputs = [run.feed(records), run.finish()];
  const fired: string[] = [];
  const undecodable: string[] = [];
  for (const output of outputs) {
    for (const document of output.documents) {
      if (document.target !== 'alerts' || document.op !== undefined) continue;
      fired.push((document.body['rule'] as { id: string }).id);
    }
    for (const letter of output.deadLetters)
      undecodable.push(`record ${letter.offset} undecodable (${letter.reason}: ${letter.message})`);
  }
  return { fired, undecodable, subject: `${records.length} records` };
}

/** Ids of a fixture's records: `fixture:0:<n>` for its n-th record (1-based). */
const FIXTURE_SOURCE = { topic: 'fixture', partition: 0 } as const;
