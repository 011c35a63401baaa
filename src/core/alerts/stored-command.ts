import type { CommandEvent } from '../event';
import { commandArgs } from './ecs';

/**
 * The way back from a command document (buildCommandDocument) to the CommandEvent it
 * was built from, so that a rule evaluated over the commands index sees the facts the
 * pipeline saw when the record streamed past (rule preview, issue 22).
 *
 * ecsCommandFields moves `session`, `tty` and `log` under `shellwatch.*` and adds what
 * ECS wants (`ecs`, `related`, `process.name`, `process.args_count`, `event.kind`,
 * `event.category`, ...): those are moved back and dropped here. Everything else a rule
 * can read is stored as it was, with one exception: `process.args`, which the document
 * fills in from the command line when the input had none. Documents say so in
 * `shellwatch.args_from_command_line`; for older documents without it the format
 * decides: the formats whose decoders never read arguments always had them filled in,
 * auditd and teleport always bring their own, and for the rest (ecs and
 * operator-defined formats) arguments equal to the split of the command line are taken
 * as filled in (see STORED_ARGS_NOTE).
 */

/** Built-in formats whose decoders never set `process.args` (src/core/decode). */
const FORMATS_WITHOUT_ARGS: ReadonlySet<string> = new Set([
  'lines',
  'vssh',
  'filebeat',
  'syslog',
  'snoopy',
  'bash-history',
  'bastion',
  'osquery',
]);

/** Built-in formats whose events always carry their own `process.args` (argv). */
const FORMATS_WITH_ARGS: ReadonlySet<string> = new Set(['auditd', 'teleport']);

/** What a preview says when a rule reads `process.args` (the one field not stored exactly). */
export const STORED_ARGS_NOTE =
  'the rule reads process.args: documents written before shellwatch.args_from_command_line existed do not say whether their arguments came with the input; for ecs and operator-defined formats, arguments equal to the split of the command line are then read as absent';

/** A stored document turned back into its event, or why it cannot be. */
export type StoredCommand = { ok: true; event: CommandEvent } | { ok: false; problem: string };

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The CommandEvent a command document's `_source` was built from. Needs
 * `process.command_line` and `@timestamp` (strings); anything else is optional, as in
 * the event. Documents written before the ECS 8.17 layout (`session`, `tty`, `log` at
 * the top level) are read too.
 */
export function commandEventFromDocument(source: unknown): StoredCommand {
  if (!isObject(source)) return { ok: false, problem: 'the document is not an object' };
  const storedProcess = source['process'];
  const line = isObject(storedProcess) ? storedProcess['command_line'] : undefined;
  if (!isObject(storedProcess) || typeof line !== 'string') {
    return { ok: false, problem: 'no process.command_line' };
  }
  const timestamp = source['@timestamp'];
  if (typeof timestamp !== 'string') return { ok: false, problem: 'no @timestamp' };
  const vendor = isObject(source['shellwatch']) ? source['shellwatch'] : {};
  const log = objectAt(vendor, source, 'log');
  const format = typeof log?.['source'] === 'string' ? log['source'] : '';
  const storedEvent = isObject(source['event']) ? source['event'] : {};
  const original = storedEvent['original'];
  const module = storedEvent['module'];

  const event: CommandEvent = {
    '@timestamp': timestamp,
    process: processOf(storedProcess, line, format, vendor['args_from_command_line']),
    event: {
      original: typeof original === 'string' ? original : '',
      ...(typeof module === 'string' ? { module } : {}),
    },
    log: { ...(log ?? {}), source: format },
  };
  for (const key of ['user', 'host', 'source', 'labels'] as const) {
    const value = source[key];
    if (isObject(value)) (event as unknown as JsonObject)[key] = value;
  }
  const session = objectAt(vendor, source, 'session');
  if (session !== undefined) event.session = session;
  const tty = vendor['tty'] ?? source['tty'];
  if (typeof tty === 'string') event.tty = tty;
  return { ok: true, event };
}

function objectAt(vendor: JsonObject, source: JsonObject, key: string): JsonObject | undefined {
  const value = vendor[key] ?? source[key];
  return isObject(value) ? value : undefined;
}

function processOf(
  stored: JsonObject,
  line: string,
  format: string,
  argsFromLine: unknown,
): CommandEvent['process'] {
  const { name: _name, args_count: _count, args, ...rest } = stored;
  const process = { ...rest, command_line: line } as CommandEvent['process'];
  if (Array.isArray(args) && args.every((arg): arg is string => typeof arg === 'string')) {
    const own =
      typeof argsFromLine === 'boolean'
        ? !argsFromLine
        : ownArgsOfOlderDocument(args, line, format);
    if (own) process.args = args;
  }
  return process;
}

/** Whether the arguments of a document without `args_from_command_line` came with the input. */
function ownArgsOfOlderDocument(args: readonly string[], line: string, format: string): boolean {
  if (FORMATS_WITHOUT_ARGS.has(format)) return false;
  if (FORMATS_WITH_ARGS.has(format)) return true;
  const split = commandArgs(line);
  return split.length !== args.length || split.some((word, i) => word !== args[i]);
}
