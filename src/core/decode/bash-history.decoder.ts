import { fail, one, type FormatDecoder } from './context';
import type { EventFields } from './event-fields';

/**
 * `bash-history`: commands that bash sends to syslog, in two families.
 *
 * 1. Bash's built-in syslog history (compiled with SYSLOG_HISTORY, as several
 *    distributions ship it): `HISTORY: PID=1234 UID=0 ls -la`, and
 *    `HISTORY (TRUNCATED): PID=… UID=… …` when bash cut the line
 *    (`labels.truncated="true"`).
 * 2. The PROMPT_COMMAND + logger recipe,
 *    `logger "$(whoami) [$$]: $(history 1 | sed …) [$?]"`, giving
 *    `alice [4321]: sudo ls [0]`. Accepted variants: without the trailing
 *    `[exit code]`; with the working directory first,
 *    `alice [4321]: /srv/app: sudo ls [0]` (an absolute or `~` path followed by
 *    `: `); and with `history`'s line number left in (`  42  sudo ls`).
 *
 * Bash does not stamp these lines; the time comes from the syslog header.
 */
export const decodeBashHistory: FormatDecoder = (text, ctx) => {
  const fields = parseBashHistory(text);
  if (fields === undefined) {
    return fail(
      'INVALID_FIELD',
      'bash-history: expected "HISTORY: PID=… UID=… command" or "user [pid]: command [rc]"',
      {
        format: 'bash-history',
      },
    );
  }
  return one(fields, 'bash-history', ctx);
};

const BUILTIN_RE = /^HISTORY( \(TRUNCATED\))?: PID=(\d+) UID=(\d+) (.*)$/s;
const LOGGER_RE = /^([A-Za-z0-9._@-]+) \[(\d+)\]: (.*)$/s;
const EXIT_RE = / \[(-?\d{1,3})\]$/;
const CWD_RE = /^((?:\/|~)[^\s:]*): (.*)$/s;
const HISTORY_NUMBER_RE = /^\s*\d+\*?\s{2}/;

/** True when the text has one of the bash-history shapes (cheap enough for detection). */
export function looksLikeBashHistory(text: string): boolean {
  return text.startsWith('HISTORY') ? BUILTIN_RE.test(text) : LOGGER_RE.test(text);
}

/** Parses one bash-history message into event fields, or undefined when it has neither shape. */
export function parseBashHistory(text: string): EventFields | undefined {
  const builtin = BUILTIN_RE.exec(text);
  if (builtin) {
    const [, truncated, pid, uid, command = ''] = builtin;
    return {
      'process.command_line': command,
      'process.parent.pid': Number(pid),
      'user.id': uid,
      labels: truncated ? { truncated: 'true' } : undefined,
    };
  }
  const logger = LOGGER_RE.exec(text);
  if (!logger) return undefined;
  const [, user, pid] = logger;
  let rest = logger[3] ?? '';
  let exitCode: number | undefined;
  const exit = EXIT_RE.exec(rest);
  if (exit) {
    exitCode = Number(exit[1]);
    rest = rest.slice(0, exit.index);
  }
  let cwd: string | undefined;
  const withCwd = CWD_RE.exec(rest);
  if (withCwd) {
    cwd = withCwd[1];
    rest = withCwd[2] ?? '';
  }
  rest = rest.replace(HISTORY_NUMBER_RE, '');
  return {
    'process.command_line': rest,
    'user.name': user,
    // $$ is the interactive shell, the parent of the command it runs.
    'process.parent.pid': Number(pid),
    'process.working_directory': cwd,
    'process.exit_code': exitCode,
  };
}
