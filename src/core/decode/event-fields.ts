import type { CommandEvent } from '../event';

/**
 * A flat, dotted-name view of a command event under construction. Decoders fill
 * it in any order, outer layers (syslog header, filebeat envelope) fill gaps by a
 * plain spread, and operator-defined formats address it by the ECS paths that
 * their definitions name. `buildEvent` turns it into the nested `CommandEvent`.
 */
export interface EventFields {
  /** Already normalized RFC 3339 UTC. */
  '@timestamp'?: string;
  'user.name'?: string;
  'user.id'?: string;
  'user.effective.name'?: string;
  'user.effective.id'?: string;
  'host.name'?: string;
  'source.ip'?: string;
  'process.command_line'?: string;
  'process.executable'?: string;
  'process.args'?: string[];
  'process.working_directory'?: string;
  'process.pid'?: number;
  'process.parent.pid'?: number;
  'process.exit_code'?: number;
  'session.id'?: string;
  tty?: string;
  labels?: Record<string, string>;
}

/** Dotted ECS paths that hold a string, in the order they are documented. */
export const STRING_PATHS = [
  'user.name',
  'user.id',
  'user.effective.name',
  'user.effective.id',
  'host.name',
  'source.ip',
  'process.command_line',
  'process.executable',
  'process.working_directory',
  'session.id',
  'tty',
] as const;

/** Dotted ECS paths that hold an integer. */
export const INTEGER_PATHS = ['process.pid', 'process.parent.pid', 'process.exit_code'] as const;

/** A dotted ECS path holding a string. */
export type StringPath = (typeof STRING_PATHS)[number];
/** A dotted ECS path holding an integer. */
export type IntegerPath = (typeof INTEGER_PATHS)[number];

/**
 * Merges layers of fields, later layers winning, labels merged key by key.
 * Undefined values never overwrite: an inner decoder that lacks a field keeps
 * the envelope's value.
 */
export function mergeFields(...layers: readonly EventFields[]): EventFields {
  const out: EventFields = {};
  const record = out as Record<string, unknown>;
  let labels: Record<string, string> | undefined;
  // for…in over own plain-object keys (no entries arrays): this runs for every record.
  for (const layer of layers) {
    const fields = layer as Record<string, unknown>;
    for (const key in fields) {
      const value = fields[key];
      if (value === undefined) continue;
      if (key === 'labels') {
        labels = { ...labels, ...(value as Record<string, string>) };
      } else {
        record[key] = value;
      }
    }
  }
  if (labels !== undefined && Object.keys(labels).length > 0) out.labels = labels;
  return out;
}

/**
 * Builds the nested `CommandEvent`. `fields['@timestamp']` and the command line
 * must be present (the caller ensures both); empty objects are left out so a
 * document never carries `user: {}`.
 */
export function buildEvent(
  fields: EventFields,
  source: string,
  original: string,
  timestamp: string,
): CommandEvent {
  const f = fields;
  const event: CommandEvent = {
    '@timestamp': f['@timestamp'] ?? timestamp,
    process: { command_line: f['process.command_line'] ?? '' },
    event: { original, module: source },
    log: { source },
  };
  // event.ts: `user.effective` is only there when it differs from the login user.
  const effName = f['user.effective.name'];
  const effId = f['user.effective.id'];
  const effective = compact({
    name: effName === f['user.name'] ? undefined : effName,
    id: effId === f['user.id'] ? undefined : effId,
  });
  const user = compact({ name: f['user.name'], id: f['user.id'], effective });
  if (user) event.user = user;
  const host = compact({ name: f['host.name'] });
  if (host) event.host = host;
  const src = compact({ ip: f['source.ip'] });
  if (src) event.source = src;
  const parent = compact({ pid: f['process.parent.pid'] });
  const proc = event.process;
  if (f['process.executable'] !== undefined) proc.executable = f['process.executable'];
  if (f['process.args'] !== undefined) proc.args = f['process.args'];
  if (f['process.working_directory'] !== undefined) {
    proc.working_directory = f['process.working_directory'];
  }
  if (f['process.pid'] !== undefined) proc.pid = f['process.pid'];
  if (parent) proc.parent = parent;
  if (f['process.exit_code'] !== undefined) proc.exit_code = f['process.exit_code'];
  const session = compact({ id: f['session.id'] });
  if (session) event.session = session;
  if (f.tty !== undefined) event.tty = f.tty;
  if (f.labels !== undefined && Object.keys(f.labels).length > 0) event.labels = { ...f.labels };
  return event;
}

function compact<T extends object>(obj: T): Partial<T> | undefined {
  const out: Record<string, unknown> = {};
  const fields = obj as Record<string, unknown>;
  let found = false;
  for (const key in fields) {
    const value = fields[key];
    if (value === undefined) continue;
    out[key] = value;
    found = true;
  }
  return found ? (out as Partial<T>) : undefined;
}
