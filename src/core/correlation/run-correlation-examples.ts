import type { CommandEvent } from '../event';
import { EventRun } from '../event-run/event-run';
import { oneRuleRules } from '../event-run/one-rule';
import type { SingleRuleEvaluator } from '../event-run/one-rule';
import type { LoadedRule } from '../rules/load-rule-set';
import { exampleEvent } from '../rules/run-rule-examples';
import type { CorrelationExampleEvent } from './definition';

const EXAMPLE_START_MS = Date.parse('2026-01-15T12:00:00.000Z');

/** One ordered example that did not raise the number of alerts it says. */
export interface CorrelationExampleFailure {
  ruleId: string;
  file: string;
  pointer: string;
  message: string;
}

/**
 * The event an ordered example's entry becomes: {@link exampleEvent} (user alice on
 * example-host) at `at` seconds after 2026-01-15T12:00:00Z, in session `s1` unless
 * it says otherwise, with its exit code when given.
 */
export function correlationExampleEvent(
  entry: CorrelationExampleEvent,
  atMs: number,
): CommandEvent {
  const base = exampleEvent(entry.command);
  return {
    ...base,
    '@timestamp': new Date(EXAMPLE_START_MS + atMs).toISOString(),
    user: { ...base.user, name: entry.user ?? 'alice' },
    host: { name: entry.host ?? 'example-host' },
    session: { id: entry.session ?? 's1' },
    process: {
      command_line: entry.command,
      ...(entry.exitCode === undefined ? {} : { exit_code: entry.exitCode }),
    },
  };
}

/** No single-event rule to evaluate: only the rule's threshold or sequence alerts count. */
const NO_SINGLE_EVENT_MATCHES: SingleRuleEvaluator = { evaluateRule: () => undefined };

/**
 * Runs a rule's `examples.sequences`: each ordered input through a fresh event run
 * holding only this rule (as enabled, with the service's correlation settings; the
 * end of the input decides pending absences), and compares the number of alerts it
 * writes with `alerts`. With `evaluator`, a suppressed single-event rule's alerts
 * count too (the first of each period, as the service writes them).
 */
export function runCorrelationExamples(
  rule: LoadedRule,
  evaluator: SingleRuleEvaluator = NO_SINGLE_EVENT_MATCHES,
): CorrelationExampleFailure[] {
  const failures: CorrelationExampleFailure[] = [];
  for (const [index, example] of (rule.definition.examples?.sequences ?? []).entries()) {
    const run = new EventRun({
      source: { topic: 'example', partition: 0 },
      rules: oneRuleRules(rule, evaluator),
      writeCommands: false,
    });
    let at = 0;
    const events = example.events.map((entry, i) => {
      at = entry.at === undefined ? at : entry.at * 1000;
      return { event: correlationExampleEvent(entry, at), offset: String(i + 1), eventIndex: 0 };
    });
    const documents = [...run.feedEvents(events).documents, ...run.finish().documents];
    const alerts = documents.filter((d) => d.target === 'alerts' && d.op === undefined).length;
    if (alerts !== example.alerts) {
      failures.push({
        ruleId: rule.definition.id,
        file: rule.file,
        pointer: `/examples/sequences/${index}`,
        message: `expected ${example.alerts} alert(s), got ${alerts}${example.description ? ` (${example.description})` : ''}`,
      });
    }
  }
  return failures;
}
