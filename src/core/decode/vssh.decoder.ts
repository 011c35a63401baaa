import { sourceAddress } from './address';
import { one, type FormatDecoder } from './context';
import { mergeFields } from './event-fields';
import { JsonFields, parseJsonObject } from './json';

/**
 * `vssh`: one JSON object per command from the bastion's session logger.
 *
 * Field names (first name canonical, then accepted aliases) and where they go:
 *
 * | field        | aliases                                              | event field                 |
 * | ------------ | ---------------------------------------------------- | --------------------------- |
 * | `command`    | `cmd`, `command_line`, `cmdline`, `input`            | `process.command_line` (required) |
 * | `timestamp`  | `ts`, `time`, `@timestamp`, `date`, `datetime`       | `@timestamp` (any shape `timestamp.ts` accepts) |
 * | `user`       | `username`, `user_name`, `login_user`, `operator`    | `user.name` (the person)    |
 * | `uid`        | `user_id`                                            | `user.id`                   |
 * | `account`    | `login`, `login_account`, `run_as`, `target_user`, `system_user` | `user.effective.name` (the account on the host) |
 * | `host`       | `hostname`, `server`, `target_host`, `target`        | `host.name`                 |
 * | `client_ip`  | `src_ip`, `source_ip`, `remote_addr`, `remote_ip`, `client_addr` | `source.ip` (port stripped into `labels.source_port`; not an IP → `labels.source_address`) |
 * | `session_id` | `session`, `sid`, `session_uuid`                     | `session.id`                |
 * | `tty`        | `pty`, `terminal`                                    | `tty`                       |
 * | `cwd`        | `pwd`, `dir`, `working_directory`                    | `process.working_directory` |
 * | `exit_code`  | `rc`, `return_code`, `exit_status`                   | `process.exit_code` (integer) |
 * | `pid`        |                                                      | `process.pid`               |
 * | `ppid`       |                                                      | `process.parent.pid`        |
 *
 * Any other scalar top-level field is kept in `labels` under its own name,
 * except `output`/`stdout`/`stderr` (large, and may hold secrets), which are dropped.
 */
export const decodeVssh: FormatDecoder = (text, ctx, json) => {
  const r = new JsonFields(json ?? parseJsonObject(text, 'vssh'), 'vssh');
  r.ignore(['output', 'stdout', 'stderr']);
  const fields = {
    'process.command_line': r.required(VSSH_FIELDS.command),
    '@timestamp': r.timestamp(VSSH_FIELDS.timestamp, ctx.referenceMs),
    'user.name': r.string(VSSH_FIELDS.user),
    'user.id': r.string(VSSH_FIELDS.uid),
    'user.effective.name': r.string(VSSH_FIELDS.account),
    'host.name': r.string(VSSH_FIELDS.host),
    'session.id': r.string(VSSH_FIELDS.session),
    tty: r.string(VSSH_FIELDS.tty),
    'process.working_directory': r.string(VSSH_FIELDS.cwd),
    'process.exit_code': r.integer(VSSH_FIELDS.exitCode),
    'process.pid': r.integer(VSSH_FIELDS.pid),
    'process.parent.pid': r.integer(VSSH_FIELDS.ppid),
  };
  const address = sourceAddress(r.string(VSSH_FIELDS.clientIp));
  return one(mergeFields({ labels: r.rest() }, fields, address), 'vssh', ctx);
};

/** The vssh field names and aliases, exported for auto-detection and docs. */
export const VSSH_FIELDS = {
  command: ['command', 'cmd', 'command_line', 'cmdline', 'input'],
  timestamp: ['timestamp', 'ts', 'time', '@timestamp', 'date', 'datetime'],
  user: ['user', 'username', 'user_name', 'login_user', 'operator'],
  uid: ['uid', 'user_id'],
  account: ['account', 'login', 'login_account', 'run_as', 'target_user', 'system_user'],
  host: ['host', 'hostname', 'server', 'target_host', 'target'],
  clientIp: ['client_ip', 'src_ip', 'source_ip', 'remote_addr', 'remote_ip', 'client_addr'],
  session: ['session_id', 'session', 'sid', 'session_uuid'],
  tty: ['tty', 'pty', 'terminal'],
  cwd: ['cwd', 'pwd', 'dir', 'working_directory'],
  exitCode: ['exit_code', 'rc', 'return_code', 'exit_status'],
  pid: ['pid'],
  ppid: ['ppid'],
} as const satisfies Record<string, readonly string[]>;
