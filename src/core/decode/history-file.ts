import { noEvents, one, type DecodeContext } from './context';
import type { DecodeOutcome } from './types';
import { toIso } from './timestamp';

/**
 * One line of a shell history file shipped by filebeat (`~/.bash_history`,
 * `~/.zsh_history`): the line is the command. Bash's `#1732550000` timestamp
 * lines (HISTTIMEFORMAT set) carry no command and yield no event; zsh's
 * extended history `: 1732550000:0;ls -la` gives the time too. The user is taken
 * from the file's home directory (`/home/alice/…` → `alice`, `/root/…` → `root`).
 */
export function decodeHistoryFileLine(
  line: string,
  path: string,
  ctx: DecodeContext,
): DecodeOutcome {
  if (/^#\d{9,11}$/.test(line)) return noEvents();
  const owner =
    /^\/home\/([^/]+)\//.exec(path)?.[1] ?? (path.startsWith('/root/') ? 'root' : undefined);
  const zsh = /^: (\d{9,11}):\d+;(.*)$/s.exec(line);
  if (zsh) {
    const at = toIso(Number(zsh[1]) * 1000);
    const fields = { 'process.command_line': zsh[2] ?? '', '@timestamp': at, 'user.name': owner };
    return one(fields, 'history-file', ctx);
  }
  return one({ 'process.command_line': line, 'user.name': owner }, 'history-file', ctx);
}

/** True for a path that names a shell history file. */
export function isHistoryFile(path: string): boolean {
  return /(^|\/)\.(bash|zsh|sh|ksh)_history$|(^|\/)\.histfile$/.test(path);
}
