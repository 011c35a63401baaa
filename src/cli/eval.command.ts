import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { buildAlert } from '../core/alerts/build-alert';
import { createRecordDecoder, textRecord } from '../core/decode';
import type { FormatName } from '../core/decode';
import type { CommandEvent } from '../core/event';
import type { RuleEvaluator } from '../core/rules';
import { CliUsageError, loadRulesOrExplain } from './load-rules';

export interface EvalOptions {
  rules: string;
  input: string;
  format: FormatName;
}

/**
 * `shellwatch eval`: the service's decode → evaluate → alert path over a file
 * or standard input, one alert JSON per line on stdout. Each alert carries
 * `event.original` and `shellwatch.input.line` (1-based) so a match can be
 * traced to its input. Undecodable lines are reported on stderr, not fatal.
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
  let lineNumber = 0;
  let alerts = 0;
  let errors = 0;
  const emit = (events: CommandEvent[], line: number): void => {
    for (const event of events)
      alerts += writeAlerts(loaded.evaluator, event, line, createdAt, out);
  };
  for await (const line of lines) {
    lineNumber += 1;
    if (line.trim() === '') continue;
    const outcome = decoder.decode(textRecord(line));
    if (outcome.kind === 'events') emit(outcome.events, lineNumber);
    else if (outcome.kind === 'error') {
      errors += 1;
      err.write(`line ${lineNumber}: ${outcome.error.code}: ${outcome.error.message}\n`);
    }
  }
  emit(decoder.flush(Date.now(), true), lineNumber);
  err.write(`${lineNumber} lines, ${alerts} alerts, ${errors} undecodable\n`);
  return 0;
}

function writeAlerts(
  evaluator: RuleEvaluator,
  event: CommandEvent,
  line: number,
  createdAt: string,
  out: NodeJS.WritableStream,
): number {
  const matches = evaluator.evaluate(event);
  for (const match of matches) {
    const {
      kafka: _kafka,
      shellwatch,
      ...alert
    } = buildAlert(event, match, { topic: '-', partition: 0, offset: String(line) }, createdAt);
    out.write(
      `${JSON.stringify({ ...alert, shellwatch: { ...(shellwatch as object), input: { line } } })}\n`,
    );
  }
  return matches.length;
}
