import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { buildAlert } from '../core/alerts/build-alert';
import { buildCorrelationAlert, CorrelationEngine } from '../core/correlation';
import type { CorrelationAlert } from '../core/correlation';
import { createRecordDecoder, textRecord } from '../core/decode';
import type { FormatName } from '../core/decode';
import type { CommandEvent } from '../core/event';
import type { RuleMatch } from '../core/rules';
import { CliUsageError, loadRulesOrExplain } from './load-rules';

export interface EvalOptions {
  rules: string;
  input: string;
  format: FormatName;
  /** Grace period (ms) for out-of-order events of correlation rules; default 60 s. */
  graceMs?: number;
}

/**
 * `shellwatch eval`: the service's decode → evaluate → alert path over a file
 * or standard input, one alert JSON per line on stdout. Each alert carries
 * `event.original` and `shellwatch.input.line` (1-based) so a match can be
 * traced to its input. Undecodable lines are reported on stderr, not fatal.
 *
 * Threshold and sequence rules run on the input in its order, as the service runs
 * them on one partition (event time, grace period, suppression); their alerts carry
 * the input line of the event that completed them, and at the end of the input
 * pending absences are decided. Events later than the grace period are counted on
 * stderr.
 */
export async function evalCommand(
  options: EvalOptions,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  const loaded = await loadRulesOrExplain(options.rules);
  if ('problems' in loaded) {
    err.write(`${loaded.problems}\n`);
    return 1;
  }
  let decoder;
  try {
    decoder = createRecordDecoder({ format: options.format });
  } catch (error) {
    throw new CliUsageError(error instanceof Error ? error.message : String(error));
  }
  const input = options.input === '-' ? process.stdin : createReadStream(options.input);
  input.on('error', (error: Error) =>
    err.write(`cannot read ${options.input}: ${error.message}\n`),
  );
  const lines = createInterface({ input, crlfDelay: Infinity });
  const createdAt = new Date().toISOString();
  const correlation = new CorrelationEngine(loaded.rules, {
    graceMs: options.graceMs ?? 60_000,
    maxKeys: 100_000,
  });
  const definitions = new Map(loaded.rules.map((r) => [r.definition.id, r.definition]));
  const writeCorrelated = (found: CorrelationAlert[], line: number): void => {
    for (const alert of found) {
      const definition = definitions.get(alert.ruleId);
      if (definition === undefined) continue;
      const body = buildCorrelationAlert(alert, definition, createdAt);
      const shellwatch = body['shellwatch'] as object;
      out.write(
        `${JSON.stringify({ ...body, shellwatch: { ...shellwatch, alert_id: alert.id, input: { line } } })}\n`,
      );
      alerts += 1;
    }
  };
  let lineNumber = 0;
  let alerts = 0;
  let errors = 0;
  let ignored = 0;
  let eventIndex = 0;
  const emit = (events: CommandEvent[], line: number): void => {
    for (const event of events) {
      eventIndex += 1;
      const step = correlation.process(
        event,
        { id: `-:0:${line}:${eventIndex}` },
        loaded.evaluator.evaluate(event),
      );
      alerts += writeAlerts(step.matches, event, line, createdAt, out);
      writeCorrelated(step.alerts, line);
      if (eventIndex % 1000 === 0) correlation.expire();
    }
  };
  for await (const line of lines) {
    lineNumber += 1;
    if (line.trim() === '') continue;
    // The line number as the record's offset: held auditd parts are reported by it.
    const outcome = decoder.decode(textRecord(line, { offset: String(lineNumber) }));
    if (outcome.kind === 'events') emit(outcome.events, lineNumber);
    else if (outcome.kind === 'ignored') ignored += 1;
    else if (outcome.kind === 'error') {
      errors += 1;
      err.write(`line ${lineNumber}: ${outcome.error.code}: ${outcome.error.message}\n`);
    }
  }
  const closed = decoder.flush(Date.now(), true);
  for (const { event, record } of closed.events) emit([event], Number(record.offset));
  ignored += closed.ignored.length;
  for (const { record, error } of closed.deadLetters) {
    errors += 1;
    err.write(`line ${record.offset ?? '?'}: ${error.code}: ${error.message}\n`);
  }
  writeCorrelated(correlation.finish(), lineNumber);
  const { late, suppressed } = correlation.counters;
  const extra = correlation.active
    ? `, ${suppressed} suppressed, ${late} later than the grace period`
    : '';
  // Lines understood that hold no command (a login record, an open() event) are counted, not hidden.
  const skipped = ignored > 0 ? `, ${ignored} without a command` : '';
  err.write(`${lineNumber} lines, ${alerts} alerts, ${errors} undecodable${skipped}${extra}\n`);
  return 0;
}

function writeAlerts(
  matches: readonly RuleMatch[],
  event: CommandEvent,
  line: number,
  createdAt: string,
  out: NodeJS.WritableStream,
): number {
  for (const match of matches) {
    const { shellwatch, ...alert } = buildAlert(
      event,
      match,
      { topic: '-', partition: 0, offset: String(line) },
      createdAt,
    );
    // No Kafka record behind a line of a file: the input line takes the place of shellwatch.kafka.
    const { kafka: _kafka, ...vendor } = shellwatch as Record<string, unknown>;
    out.write(`${JSON.stringify({ ...alert, shellwatch: { ...vendor, input: { line } } })}\n`);
  }
  return matches.length;
}
