import { INTEGER_PATHS, STRING_PATHS } from './event-fields';
import { ownEntry } from '../own-entry';

/** Every event path an operator format may write (besides `labels.<name>`). */
export const PATHS = new Set<string>(['@timestamp', ...STRING_PATHS, ...INTEGER_PATHS]);

/** True for a path an operator format may write. */
export function isPath(path: string): boolean {
  return PATHS.has(path) || /^labels\.[A-Za-z0-9_-]+$/.test(path);
}

/** Group names that need no `fields` entry (the usual short names). */
const SHORT_NAMES: Readonly<Record<string, string>> = {
  ts: '@timestamp',
  timestamp: '@timestamp',
  time: '@timestamp',
  user: 'user.name',
  uid: 'user.id',
  host: 'host.name',
  cmd: 'process.command_line',
  command: 'process.command_line',
  pid: 'process.pid',
  ppid: 'process.parent.pid',
  cwd: 'process.working_directory',
  exit_code: 'process.exit_code',
  rc: 'process.exit_code',
  session: 'session.id',
  tty: 'tty',
  src_ip: 'source.ip',
  client_ip: 'source.ip',
};

/** The event path a regex group writes: `fields` entry, `__` spelling, short name, else a label. */
export function groupPath(group: string, fields: Record<string, unknown>): string {
  const mapped = fields[group];
  if (typeof mapped === 'string') return mapped;
  const spelled = group.replace(/__/g, '.');
  if (PATHS.has(spelled)) return spelled;
  return ownEntry(SHORT_NAMES, group) ?? `labels.${group}`;
}
