/**
 * The commands a terminal multiplexer starts for its caller, so that the parser sees
 * them as it sees `bash -c` bodies: `screen -dmS x bash -c '...'` runs its remaining
 * words as a program, `screen -S x -X stuff 'cmd\n'` types `cmd` into a session,
 * `tmux new-session -d 'cmd'` (and new-window, split-window, run-shell, `tmux -c`)
 * gives its command string to a shell, and `tmux send-keys -t x 'cmd' Enter` types it.
 * Detached sessions are a common way to keep a payload running after logout.
 */

import { skipOptions } from './skip-options';
import type { Options } from './skip-options';

/** What a multiplexer runs: command strings for a shell, or argument vectors run as given. */
export interface MultiplexedCommands {
  scripts: string[];
  execs: string[][];
}

/** Short options of screen that take a value (`-S name`, `-c file`, `-X cmd`, ...). */
const SCREEN_VALUE_OPTIONS = 'SceEhpstTX';
/** screen flags that attach to, list or wipe sessions rather than start a command. */
const SCREEN_NO_COMMAND_FLAGS = ['r', 'R', 'x', 'l', 'w', 'Q', 'v'];

/** tmux commands whose trailing words are a shell command, with their value options. */
const TMUX_SHELL_COMMANDS: Readonly<Record<string, string>> = {
  'new-session': 'cefFnstxy',
  new: 'cefFnstxy',
  'new-window': 'ceFnt',
  neww: 'ceFnt',
  'split-window': 'ceFlpt',
  splitw: 'ceFlpt',
  'respawn-pane': 'cet',
  respawnp: 'cet',
  'respawn-window': 'cet',
  respawnw: 'cet',
  'run-shell': 'cdt',
  run: 'cdt',
};
/** tmux global options that take a value (before the command). */
const TMUX_GLOBAL_VALUE_OPTIONS = 'cfLST';
/** Key names `send-keys` presses after the typed text. */
const TYPED_ENTER = /^(Enter|C-m|C-M|KPEnter|\^M)$/;
/** The newline a `stuff` string ends with, as written for screen. */
const STUFFED_NEWLINE = /(\\n|\\r|\^M|\\015|\\012)+$/;

function noCommands(): MultiplexedCommands {
  return { scripts: [], execs: [] };
}

/** Short options only: screen and tmux have no long ones. */
function skipShortOptions(args: readonly string[], start: number, valued: string): Options {
  return skipOptions(args, start, { short: valued, long: [] });
}

function screenCommands(args: readonly string[]): MultiplexedCommands {
  const opts = skipShortOptions(args, 0, SCREEN_VALUE_OPTIONS);
  const remote = opts.values.get('X');
  if (remote !== undefined) {
    // `-X stuff TEXT` types TEXT into the session; other -X commands are screen's own.
    const text = remote === 'stuff' ? args[opts.next] : undefined;
    const typed = text?.replace(STUFFED_NEWLINE, '');
    return { scripts: typed ? [typed] : [], execs: [] };
  }
  if (SCREEN_NO_COMMAND_FLAGS.some((flag) => opts.flags.has(flag))) return noCommands();
  // `screen -d NAME` detaches a session; `-d -m CMD` starts CMD detached.
  if ((opts.flags.has('d') || opts.flags.has('D')) && !opts.flags.has('m')) return noCommands();
  const words = args.slice(opts.next);
  return words.length > 0 ? { scripts: [], execs: [words] } : noCommands();
}

function tmuxCommands(args: readonly string[]): MultiplexedCommands {
  const global = skipShortOptions(args, 0, TMUX_GLOBAL_VALUE_OPTIONS);
  const scripts: string[] = [];
  const globalScript = global.values.get('c');
  if (globalScript) scripts.push(globalScript);
  const command = args[global.next] ?? '';
  const valued = Object.prototype.hasOwnProperty.call(TMUX_SHELL_COMMANDS, command)
    ? TMUX_SHELL_COMMANDS[command]
    : undefined;
  if (valued !== undefined) {
    const opts = skipShortOptions(args, global.next + 1, valued);
    const words = args.slice(opts.next);
    if (words.length > 0) scripts.push(words.join(' '));
  } else if (command === 'send-keys' || command === 'send') {
    const opts = skipShortOptions(args, global.next + 1, 'Nt');
    if (!opts.flags.has('X')) {
      const words = args.slice(opts.next).filter((w) => !TYPED_ENTER.test(w));
      if (words.length > 0) scripts.push(words.join(' '));
    }
  }
  return { scripts, execs: [] };
}

/** The commands `screen` or `tmux` starts; undefined for any other program. */
export function multiplexerCommands(
  program: string,
  args: readonly string[],
): MultiplexedCommands | undefined {
  if (program === 'screen') return screenCommands(args);
  if (program === 'tmux') return tmuxCommands(args);
  return undefined;
}
