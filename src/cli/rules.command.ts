import { readFile } from 'node:fs/promises';
import { runCorrelationExamples } from '../core/correlation';
import { exampleEvent, isSingleEventRule, runRuleExamples } from '../core/rules';
import { loadRulesOrExplain } from './load-rules';

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
 * checks that exactly the expected rules fire on each command.
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
    const lines = (await readFile(fixture, 'utf8')).split('\n');
    for (const [index, line] of lines.entries()) {
      if (line.trim() === '') continue;
      const { command, expect } = JSON.parse(line) as { command: string; expect: string[] };
      const fired = loaded.evaluator.evaluate(exampleEvent(command)).map((m) => m.rule.id);
      const missing = expect.filter((id) => !fired.includes(id));
      if (missing.length === 0) passed += 1;
      else {
        failed += 1;
        err.write(
          `FAIL ${fixture}:${index + 1}: expected ${missing.join(', ')}, fired [${fired.join(', ')}]: ${command}\n`,
        );
      }
    }
  }
  out.write(`rules: ${passed} passed, ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
}
