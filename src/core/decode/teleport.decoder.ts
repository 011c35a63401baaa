import { sourceAddress } from './address';
import { noEvents, one, type FormatDecoder } from './context';
import { mergeFields, type EventFields } from './event-fields';
import { JsonFields, parseJsonObject, type JsonObject } from './json';
import { quoteArgs } from './quote-args';

/**
 * `teleport`: Teleport audit events. Two carry commands:
 * - `session.command` (enhanced session recording, one per execve):
 *   `program`, `path`, `argv` (without argv[0]), `return_code`, `pid`, `ppid`;
 * - `exec` (a non-interactive `tsh ssh host cmd`): `command`, `exitCode`.
 * Both: `user` (Teleport user → `user.name`), `login` (host account →
 * `user.effective.name`), `server_hostname` (else `server_id` → `host.name`),
 * `addr.remote` → `source.ip`, `sid` → `session.id`, `time` → `@timestamp`.
 * Any other event type (session.start, user.login, …) is understood and yields
 * no command event.
 */
export const decodeTeleport: FormatDecoder = (text, ctx, json) => {
  const obj = json ?? parseJsonObject(text, 'teleport');
  const r = new JsonFields(obj, 'teleport');
  const type = r.required(['event']);
  if (type !== 'session.command' && type !== 'exec') return noEvents();
  const common: EventFields = {
    '@timestamp': r.timestamp(['time'], ctx.referenceMs),
    'user.name': r.string(['user']),
    'user.effective.name': r.string(['login']),
    'host.name': r.string(['server_hostname', 'server_id']),
    'session.id': r.string(['sid']),
    labels: { teleport_event: type, ...optional('teleport_code', r.string(['code'])) },
  };
  const address = sourceAddress(r.string(['addr.remote']));
  if (type === 'exec') {
    const fields: EventFields = {
      'process.command_line': r.required(['command']),
      'process.exit_code': r.integer(['exitCode', 'exit_code']),
    };
    return one(mergeFields(common, address, fields), 'teleport', ctx);
  }
  const path = r.string(['path']);
  const program = r.string(['program']);
  const argv = stringList(obj.argv);
  const head = program ?? path ?? r.required(['program', 'path']);
  const args = argv.length > 0 && (argv[0] === head || argv[0] === path) ? argv : [head, ...argv];
  const fields: EventFields = {
    'process.command_line': quoteArgs(args),
    'process.args': args,
    'process.executable': path,
    'process.exit_code': r.integer(['return_code']),
    'process.pid': r.integer(['pid']),
    'process.parent.pid': r.integer(['ppid']),
  };
  return one(mergeFields(common, address, fields), 'teleport', ctx);
};

/** True for a Teleport audit event (checked after the JSON is parsed). */
export function isTeleportEvent(obj: JsonObject): boolean {
  return (
    typeof obj.event === 'string' &&
    ('ei' in obj || 'sid' in obj || 'server_id' in obj) &&
    'uid' in obj
  );
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function optional(key: string, value: string | undefined): Record<string, string> {
  return value === undefined ? {} : { [key]: value };
}
