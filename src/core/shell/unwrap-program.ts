import { ownEntry } from '../own-entry';
import { skipOptions } from './skip-options';
import type { OptionSpec } from './skip-options';
import { launchedCommands } from './command-launchers';
import { multiplexerCommands } from './terminal-multiplexers';
/**
 * Finds the program a simple command really runs, looking through wrappers that run
 * another command (`sudo -u x env A=1 nohup /bin/rm ...` runs `rm`), and the command
 * strings a shell will parse again (`bash -c '...'`, `su -c`, `eval`, `find -exec`).
 * Option tables list the options that take a value, so the value is not mistaken for
 * the wrapped program; unknown options are assumed to take none.
 */

/** The result of unwrapping one simple command's words. */
export interface UnwrappedCommand {
  program: string;
  args: string[];
  argv: string[];
  wrappers: string[];
  elevated: boolean;
  runAs?: string;
  assignments: string[];
  /** Command strings a shell will parse and run (`bash -c`, `su -c`, `eval`, `env -S`). */
  scripts: string[];
  /** Argument vectors run by the program itself (`find -exec rm {} ;`). */
  execs: string[][];
}

const WRAPPERS: Readonly<Record<string, OptionSpec>> = {
  sudo: {
    short: 'ugCDprtUTRh',
    long: [
      'user',
      'group',
      'close-from',
      'chdir',
      'prompt',
      'role',
      'type',
      'other-user',
      'command-timeout',
      'chroot',
      'host',
    ],
  },
  doas: { short: 'uC', long: [] },
  // systemd's sudo replacement (systemd 256): runs the command as root by default.
  run0: {
    short: 'ugD',
    long: ['user', 'group', 'nice', 'chdir', 'setenv', 'unit', 'property', 'description', 'slice'],
  },
  env: { short: 'uCSP', long: ['unset', 'chdir', 'split-string'] },
  nohup: { short: '', long: [] },
  timeout: { short: 'sk', long: ['signal', 'kill-after'], positionals: 1 },
  nice: { short: 'n', long: ['adjustment'] },
  ionice: { short: 'cnpPu', long: ['class', 'classdata'] },
  busybox: { short: '', long: [] },
  command: { short: '', long: [] },
  exec: { short: 'a', long: [] },
  xargs: {
    short: 'adEILnPs',
    long: [
      'arg-file',
      'delimiter',
      'eof',
      'replace',
      'max-lines',
      'max-args',
      'max-procs',
      'max-chars',
      'process-slot-var',
    ],
  },
  stdbuf: { short: 'ioe', long: ['input', 'output', 'error'] },
  time: { short: 'fo', long: ['format', 'output'] },
  setsid: { short: '', long: [] },
  // `builtin cmd` runs the shell builtin `cmd`; `builtin eval ...` is still eval.
  builtin: { short: '', long: [] },
};

/** Programs that are shells: `-c SCRIPT` is parsed, and stdin text they read (stdin-scripts.ts). */
export const SHELLS: ReadonlySet<string> = new Set([
  'sh',
  'bash',
  'dash',
  'zsh',
  'ksh',
  'ash',
  'mksh',
  'rbash',
  'fish',
]);
const KEYWORDS = new Set([
  '!',
  '{',
  '}',
  'if',
  'then',
  'else',
  'elif',
  'do',
  'while',
  'until',
  'fi',
  'done',
]);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/;
/** `NAME=value`; the `=` test first, since most words have none. */
function isAssignment(word: string): boolean {
  return word.includes('=') && ASSIGNMENT.test(word);
}
const MAX_UNWRAP = 16;

// One crontab time field: a star, a star with a step, `0`, `1-5`, `0,30`, `1-31/2`.
const CRON_FIELD = /^[0-9*][0-9*/,-]*$/;
const CRON_NICKNAMES = new Set([
  '@reboot',
  '@yearly',
  '@annually',
  '@monthly',
  '@weekly',
  '@daily',
  '@midnight',
  '@hourly',
]);
/** System accounts a /etc/crontab or /etc/cron.d line names before its command. */
const CRON_ACCOUNTS = new Set(['root', 'nobody', 'daemon', 'www-data', 'apache', 'nginx']);

/**
 * How many leading words of a crontab entry precede its command: the schedule (five
 * time fields or a nickname) and a system account (`* * * * * root curl ... | sh`,
 * written by a here-document into /etc/cron.d). No command starts with five time
 * fields, so a line that does is read as the entry's command; 0 for other lines.
 */
function cronPrefixLength(words: readonly string[]): number {
  let n = 0;
  if (CRON_NICKNAMES.has(words[0] ?? '')) n = 1;
  else if (words.length > 5 && words.slice(0, 5).every((w) => CRON_FIELD.test(w))) n = 5;
  else return 0;
  if (words.length > n + 1 && CRON_ACCOUNTS.has(words[n] ?? '')) n += 1;
  return words.length > n ? n : 0;
}

/** `/usr/bin/rm` → `rm`, `./rm` → `rm`; a trailing slash yields `''`. */
export function basename(word: string): string {
  const slash = word.lastIndexOf('/');
  return slash === -1 ? word : word.slice(slash + 1);
}

function splitWords(text: string): string[] {
  return text.split(/[ \t\n]+/).filter((w) => w !== '');
}

/** Finds `-c SCRIPT` in a shell's arguments, including clustered flags (`-lc`, `-ic`). */
function shellScript(args: readonly string[]): string | undefined {
  let wantScript = false;
  for (const arg of args) {
    if (arg === '--') continue;
    if (!wantScript && arg.length > 1 && arg[0] === '-' && arg[1] !== '-') {
      if (arg.includes('c')) wantScript = true;
      continue;
    }
    if (!wantScript && arg.startsWith('--')) continue;
    if (wantScript) return arg;
    return undefined;
  }
  return undefined;
}

function suScript(args: readonly string[]): { script?: string; user?: string } {
  const opts = skipOptions(args, 0, {
    short: 'csgGw',
    long: ['command', 'shell', 'group', 'supp-group', 'whitelist-environment'],
  });
  const script = opts.values.get('c') ?? opts.values.get('command');
  const user = args[opts.next];
  return { script, user: user !== undefined && !user.startsWith('-') ? user : undefined };
}

function findExecs(args: readonly string[]): string[][] {
  const execs: string[][] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '-exec' || arg === '-execdir' || arg === '-ok' || arg === '-okdir') {
      const argv: string[] = [];
      let j = i + 1;
      while (j < args.length && args[j] !== ';' && args[j] !== '+') {
        argv.push(args[j] ?? '');
        j += 1;
      }
      if (argv.length > 0) execs.push(argv);
      i = j;
    }
  }
  return execs;
}

/** Container and cluster clients whose `run`/`exec` starts a command inside a container. */
const CONTAINER_CLIENTS = new Set([
  'docker',
  'podman',
  'nerdctl',
  'crictl',
  'kubectl',
  'oc',
  'lxc',
]);
// Not `debug`: `kubectl debug node/x -- chroot /host` is the documented way to inspect a node.
const CONTAINER_RUN_VERBS = new Set(['run', 'exec']);

/**
 * The command a container client runs in the container: the words after `--`
 * (`kubectl run x --image=a -- sh -c '...'`), or, without `--`, from a shell given
 * `-c` on (`docker run --rm alpine sh -c '...'`): the image and the client's own
 * options come before it, and their values are not known without an option table.
 */
function containerExecs(args: readonly string[]): string[][] {
  const verb = args.findIndex((arg) => CONTAINER_RUN_VERBS.has(arg));
  if (verb === -1) return [];
  const dashes = args.indexOf('--', verb + 1);
  if (dashes !== -1) return dashes + 1 < args.length ? [args.slice(dashes + 1)] : [];
  for (let j = verb + 1; j + 1 < args.length; j++) {
    const next = args[j + 1] ?? '';
    if (SHELLS.has(basename(args[j] ?? '')) && /^-[a-z]*c$/.test(next)) return [args.slice(j)];
  }
  return [];
}

/** procps `watch` options that take a value (`-n 1`, `--interval=1`, `-q 3`). */
const WATCH_OPTIONS: OptionSpec = { short: 'nq', long: ['interval', 'equexit', 'shotsfile'] };

/**
 * The command `watch` reruns: its words joined by spaces and given to `sh -c`
 * (`watch -n 1 'id; cat /etc/shadow'`), or with `-x`/`--exec` run as given.
 */
function watchCommand(args: readonly string[]): { script?: string; exec?: string[] } {
  const opts = skipOptions(args, 0, WATCH_OPTIONS);
  const words = args.slice(opts.next);
  if (words.length === 0) return {};
  if (opts.flags.has('x') || opts.flags.has('exec')) return { exec: words };
  return { script: words.join(' ') };
}

/**
 * What {@link parseCommandLine} needs from unwrapping. Unlike {@link UnwrappedCommand},
 * `runAs` is always present (possibly undefined), so building it needs no spread, and
 * `scripts`/`execs` are a shared empty array in the common case of none.
 */
export interface Unwrapped {
  program: string;
  args: string[];
  argv: string[];
  wrappers: string[];
  elevated: boolean;
  runAs: string | undefined;
  assignments: string[];
  scripts: readonly string[];
  execs: readonly string[][];
}

const NONE: readonly never[] = Object.freeze([]);

/** Unwraps one simple command's decoded words. Never throws. */
export function unwrapProgram(input: readonly string[]): UnwrappedCommand {
  const unwrapped = unwrapWords(input);
  const { runAs } = unwrapped;
  return {
    program: unwrapped.program,
    args: unwrapped.args,
    argv: unwrapped.argv,
    wrappers: unwrapped.wrappers,
    elevated: unwrapped.elevated,
    ...(runAs !== undefined ? { runAs } : {}),
    assignments: unwrapped.assignments,
    scripts: [...unwrapped.scripts],
    execs: [...unwrapped.execs],
  };
}

/** {@link unwrapProgram} in the shape the parser uses internally. */
export function unwrapWords(input: readonly string[]): Unwrapped {
  // Copied only when `env -S` splices words in; most commands are read as given.
  let words = input;
  const assignments: string[] = [];
  const wrappers: string[] = [];
  let elevated = false;
  let runAs: string | undefined;
  let i = cronPrefixLength(words);
  let argvStart = -1;

  for (let round = 0; round < MAX_UNWRAP && i < words.length; round++) {
    for (; i < words.length; i++) {
      const word = words[i]!;
      if (isAssignment(word)) assignments.push(word);
      else if (!KEYWORDS.has(word)) break;
    }
    if (i >= words.length) break;
    if (argvStart === -1) argvStart = i;
    const name = basename(words[i] ?? '');
    const spec = ownEntry(WRAPPERS, name);
    if (spec === undefined) break;
    const opts = skipOptions(words, i + 1, spec);
    if (name === 'command' && (opts.flags.has('v') || opts.flags.has('V'))) break;
    if (name === 'busybox' && (words[opts.next] ?? '-').startsWith('-')) break;
    if (name === 'sudo' || name === 'doas' || name === 'run0') {
      elevated = true;
      runAs = opts.values.get('u') ?? opts.values.get('user');
    }
    if (name === 'env') {
      const split = opts.values.get('S') ?? opts.values.get('split-string');
      if (split !== undefined)
        words = [...words.slice(0, opts.next), ...splitWords(split), ...words.slice(opts.next)];
    }
    let next = opts.next;
    while (next < words.length && isAssignment(words[next]!)) {
      assignments.push(words[next] ?? '');
      next += 1;
    }
    if (next >= words.length) break;
    wrappers.push(name);
    i = next;
  }

  if (argvStart === -1) argvStart = Math.min(i, words.length);
  const programWord = words[i];
  const program = programWord === undefined ? '' : basename(programWord);
  const args = programWord === undefined ? [] : words.slice(i + 1);
  let scripts: readonly string[] = NONE;
  let execs: readonly string[][] = NONE;

  const multiplexed = multiplexerCommands(program, args);
  if (multiplexed !== undefined) {
    scripts = multiplexed.scripts;
    execs = multiplexed.execs;
  } else if (SHELLS.has(program)) {
    const script = shellScript(args);
    if (script !== undefined) scripts = [script];
  } else if (program === 'eval') {
    if (args.length > 0) scripts = [args.join(' ')];
  } else if (program === 'su' || program === 'runuser') {
    const su = suScript(args);
    if (su.script !== undefined) scripts = [su.script];
    elevated = elevated || program === 'su';
    runAs = su.user ?? runAs;
  } else if (program === 'find') {
    execs = findExecs(args);
  } else if (CONTAINER_CLIENTS.has(program)) {
    execs = containerExecs(args);
  } else if (program === 'watch') {
    const watched = watchCommand(args);
    if (watched.exec !== undefined) execs = [watched.exec];
    if (watched.script !== undefined) scripts = [watched.script];
  } else {
    const launched = launchedCommands(program, args);
    if (launched !== undefined) {
      if (launched.scripts.length > 0) scripts = launched.scripts;
      if (launched.execs.length > 0) execs = launched.execs;
    }
  }

  return {
    program,
    args,
    argv: argvOf(words, argvStart, i),
    wrappers,
    elevated,
    runAs,
    assignments,
    scripts,
    execs,
  };
}

/** The words from the first non-assignment on, minus assignments that sat between wrappers. */
function argvOf(words: readonly string[], argvStart: number, programAt: number): string[] {
  if (programAt === argvStart) return words.slice(argvStart);
  return words
    .slice(argvStart)
    .filter((w, idx) => !(idx < programAt - argvStart && isAssignment(w)));
}
