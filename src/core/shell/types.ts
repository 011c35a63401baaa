/** A redirection seen on a simple command, e.g. `>& /dev/tcp/10.0.0.1/4444` is `{ op: '>&', target: '/dev/tcp/10.0.0.1/4444' }`. */
export interface Redirect {
  /** The operator without its file descriptor number: `>`, `>>`, `<`, `<<`, `<<<`, `>&`, `&>`, `<>`... */
  op: string;
  /** The target word, decoded like any argument. */
  target: string;
}

/**
 * Where a sub-command was found; lets a rule tell a typed command from one hidden in a
 * string. `stdin`: text a shell reads on its standard input, from a here-string or
 * piped from `echo`/`printf` or a decoder (`echo 'id' | bash`, `bash <<< 'id'`).
 */
export type CommandOrigin = 'line' | 'substitution' | 'script' | 'exec' | 'stdin';

/**
 * Where a command's standard input comes from, when the line says: the previous command
 * of its pipeline, a here-string `<<<`, a heredoc `<<`, or a file `<`.
 */
export type StdinSource = 'pipe' | 'here-string' | 'heredoc' | 'file';

/**
 * One simple command of a command line, after shell decoding and wrapper unwrapping.
 * This is the shape rules see in the `commands` fact, so its field names are a contract
 * (docs/rules.md, "Facts").
 */
export interface ShellCommand {
  /** Basename of the executed program after unwrapping `sudo`, `env`, `nohup`, ... (`/bin/rm` → `rm`); `''` when there is none. */
  program: string;
  /** The program's arguments (everything after the program word). */
  args: string[];
  /** All words as the shell would pass them, wrappers included, assignments excluded. */
  argv: string[];
  /** The source text of this sub-command, trimmed, as it appeared. */
  raw: string;
  /** Distinct flag names in `args`: short flags one letter each (`-rf` → `r`, `f`), long flags without dashes or value. */
  flags: string[];
  /** Wrapper programs that were unwrapped, outermost first (`sudo env nohup rm` → `['sudo','env','nohup']`). */
  wrappers: string[];
  /** True when run through sudo/doas/su, directly or inside a script an elevated shell runs. */
  elevated: boolean;
  /** The target account of sudo -u / doas -u / su USER, when given. */
  runAs?: string;
  /** `NAME=value` words before the program (also those after `env`/`sudo`). */
  assignments: string[];
  redirects: Redirect[];
  /** Commands joined by `|` share a pipeline number; every other separator starts a new one. */
  pipeline: number;
  /** Index of this command inside its pipeline (0 = the first, whose output feeds the next). */
  position: number;
  /** 0 for the typed line, +1 for each level of `$(...)`, backticks, `bash -c`, `find -exec`. */
  depth: number;
  origin: CommandOrigin;
  /** Set when the command's standard input is not the terminal's (`cat x | bash` → `pipe`). */
  stdin?: StdinSource;
}
