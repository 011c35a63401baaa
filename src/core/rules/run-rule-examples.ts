import type { CommandEvent } from '../event';
import type { CompiledRuleEvaluator } from './compile-rule-set';
import type { LoadedRule } from './load-rule-set';

/** One embedded example that did not behave as the rule says it should. */
export interface ExampleFailure {
  ruleId: string;
  file: string;
  /** JSON pointer of the example in the rule file, e.g. `/examples/noMatch/2`. */
  pointer: string;
  kind: 'match' | 'noMatch';
  line: string;
  message: string;
}

/**
 * The event an example line becomes: a neutral, non-root user on a neutral host, at a
 * fixed time (Thursday 2026-01-15 12:00 UTC), so examples do not depend on who runs
 * the tests or when. Rules that need root or a time window say so in their conditions,
 * and their examples must include the word that makes them root (e.g. `sudo`).
 */
export function exampleEvent(line: string): CommandEvent {
  return {
    '@timestamp': '2026-01-15T12:00:00.000Z',
    user: { name: 'alice', id: '1000' },
    host: { name: 'example-host' },
    process: { command_line: line },
    event: { original: line, module: 'lines' },
    log: { source: 'lines' },
  };
}

/**
 * Runs a rule's embedded examples: each `match` line must match and each `noMatch`
 * line must not (exceptions included). Disabled rules are tested too. Returns the
 * failures; an empty array means the rule behaves as documented.
 */
export function runRuleExamples(
  rule: LoadedRule,
  evaluator: CompiledRuleEvaluator,
): ExampleFailure[] {
  const failures: ExampleFailure[] = [];
  const { id, examples } = rule.definition;
  const check = (kind: 'match' | 'noMatch', lines: readonly string[] | undefined): void => {
    for (const [index, line] of (lines ?? []).entries()) {
      const matched = evaluator.evaluateRule(id, exampleEvent(line)) !== undefined;
      if (matched !== (kind === 'match')) {
        failures.push({
          ruleId: id,
          file: rule.file,
          pointer: `/examples/${kind}/${index}`,
          kind,
          line,
          message:
            kind === 'match'
              ? 'expected a match, got none'
              : 'expected no match, but the rule matched',
        });
      }
    }
  };
  check('match', examples?.match);
  check('noMatch', examples?.noMatch);
  return failures;
}
