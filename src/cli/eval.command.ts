import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { textRecord } from '../core/decode';
import type { FormatName } from '../core/decode';
import { EventRun } from '../core/event-run';
import type { EventRunOutput } from '../core/event-run';
import type { BatchRecord } from '../core/process-batch';
import { LazyIndexEvaluator } from './lazy-index-evaluator';
import { CliUsageError, loadRulesOrExplain } from './load-rules';
import { errorMessage } from '../core/errors';

export interface EvalOptions {
  rules: string;
  input: string;
  format: FormatName;
  /** Grace period (ms) for out-of-order events of correlation rules; default the service's. */
  graceMs?: number;
}

/** The id prefix of an input line's documents: `-:0:<line>`, as the service's `<topic>:<partition>:<offset>`. */
export const EVAL_SOURCE = { topic: '-', partition: 0 } as const;

/**
 * Lines fed to the event run at once: the pipeline's chunk size, so correlation
 * state is pruned as often as the service prunes it (once per batch).
 */
const EVAL_CHUNK_LINES = 1000;

/**
 * `shellwatch eval`: the service's event run (src/core/event-run) over a file or
 * standard input, one alert JSON per line on stdout. Each alert carries
 * `event.original`, `shellwatch.alert_id` (the id the service would give it, with
 * `-:0:<line>` in place of topic, partition and offset) and `shellwatch.input.line`
 * (1-based) so a match can be traced to its input. Undecodable lines are reported on
 * stderr, not fatal.
 *
 * Threshold and sequence rules run on the input in its order, as the service runs
 * them on one partition (event time, grace period, suppression); their alerts carry
 * the input line of the event that completed them and follow the single-event alerts
 * of its chunk of lines, and at the end of the input pending absences are decided.
 * Events later than the grace period are counted on stderr.
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
  let run: EventRun;
  try {
    run = new EventRun({
      source: EVAL_SOURCE,
      rules: { evaluator: new LazyIndexEvaluator(loaded.evaluator), rules: loaded.rules },
      input: { format: options.format },
      ...(options.graceMs === undefined ? {} : { correlation: { graceMs: options.graceMs } }),
      // No commands index behind a file: only alerts are written.
      writeCommands: false,
    });
  } catch (error) {
    throw new CliUsageError(errorMessage(error));
  }
  const input = options.input === '-' ? process.stdin : createReadStream(options.input);
  input.on('error', (error: Error) =>
    err.write(`cannot read ${options.input}: ${error.message}\n`),
  );
  const lines = createInterface({ input, crlfDelay: Infinity });
  const totals = { alerts: 0, errors: 0, ignored: 0 };
  const report = (output: EventRunOutput): void => {
    totals.alerts += writeAlerts(output, out);
    for (const letter of output.deadLetters) {
      err.write(`line ${letter.offset}: ${letter.reason}: ${letter.message}\n`);
    }
    totals.errors += output.deadLetters.length;
    for (const count of Object.values(output.ignored)) totals.ignored += count;
  };
  let lineNumber = 0;
  let chunk: BatchRecord[] = [];
  for await (const line of lines) {
    lineNumber += 1;
    if (line.trim() === '') continue;
    // The line number as the record's offset: ids and held auditd parts name it.
    chunk.push({ ...textRecord(line), offset: String(lineNumber) });
    if (chunk.length >= EVAL_CHUNK_LINES) {
      report(run.feed(chunk));
      chunk = [];
    }
  }
  if (chunk.length > 0) report(run.feed(chunk));
  report(run.finish());
  const stats = run.correlationStats();
  const extra =
    stats === undefined
      ? ''
      : `, ${stats.suppressed} suppressed, ${stats.late} later than the grace period`;
  // Lines understood that hold no command (a login record, an open() event) are counted, not hidden.
  const skipped = totals.ignored > 0 ? `, ${totals.ignored} without a command` : '';
  err.write(
    `${lineNumber} lines, ${totals.alerts} alerts, ${totals.errors} undecodable${skipped}${extra}\n`,
  );
  return 0;
}

/**
 * Writes the run's alert documents (not the suppression counts, which update an
 * alert already written) as JSON lines; returns how many.
 */
function writeAlerts(output: EventRunOutput, out: NodeJS.WritableStream): number {
  let written = 0;
  for (const document of output.documents) {
    if (document.target !== 'alerts' || document.op !== undefined) continue;
    const { shellwatch, ...alert } = document.body;
    // No Kafka record behind a line of a file: the input line takes the place of shellwatch.kafka.
    const { kafka: _kafka, ...vendor } = shellwatch as Record<string, unknown>;
    const input = { line: Number(document.offset) };
    out.write(
      `${JSON.stringify({ ...alert, shellwatch: { ...vendor, alert_id: document.id, input } })}\n`,
    );
    written += 1;
  }
  return written;
}
