import type { CommandEvent } from '../event';
import type { LoadedRule } from '../rules/load-rule-set';
import { exampleEvent } from '../rules/run-rule-examples';
import type { CorrelationExampleEvent } from './definition';
import { CorrelationEngine } from './engine';

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

/**
 * Runs a correlation rule's `examples.sequences`: each ordered input through a fresh
 * engine holding only this rule (grace 0, end of input flushes pending absences), and
 * compares the number of alerts with `alerts`.
 */
export function runCorrelationExamples(rule: LoadedRule): CorrelationExampleFailure[] {
  const failures: CorrelationExampleFailure[] = [];
  for (const [index, example] of (rule.definition.examples?.sequences ?? []).entries()) {
    const engine = new CorrelationEngine(
      [{ ...rule, definition: { ...rule.definition, enabled: true } }],
      {
        graceMs: 0,
        maxKeys: 10_000,
      },
    );
    let alerts = 0;
    let at = 0;
    example.events.forEach((entry, i) => {
      at = entry.at === undefined ? at : entry.at * 1000;
      const step = engine.process(correlationExampleEvent(entry, at), { id: `example:${i + 1}` });
      alerts += step.alerts.length;
    });
    alerts += engine.finish().length;
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
