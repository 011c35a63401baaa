/**
 * The command a namespace, sandbox, scheduling or privilege launcher runs for its
 * caller, so that the parser sees it as it sees `bash -c` bodies: `unshare -m sh -c
 * '...'`, `nsenter -t 1 -m -u -i -n sh`, `chroot /mnt sh -c '...'`, `setarch x86_64 -R
 * /bin/sh`, `ip netns exec blue /bin/sh`, `capsh -- -c '...'` (capsh runs bash with the
 * words after `--`), `flock -c '...'` and `script -c '...'` (a string for a shell).
 *
 * These launchers stay the command's program (rules about "a launcher runs a bare
 * shell" still read them); the command they start is added as a sub-command of origin
 * `exec` (or `script`). Each table entry names the options that take a value, so a
 * value is never mistaken for the command; unknown options are assumed to take none.
 * Wrappers that only change how a command runs (sudo, env, nice, timeout, ...) are
 * unwrapped instead, in unwrap-program.ts.
 */

import { ownEntry } from '../own-entry';
import { skipOptions } from './skip-options';
import type { OptionSpec } from './skip-options';

/** What a launcher runs: command strings for a shell, or argument vectors run as given. */
export interface LaunchedCommands {
  scripts: string[];
  execs: string[][];
}

/** Launchers whose words after the options (and `positionals` operands) are a command. */
const LAUNCHERS: Readonly<Record<string, OptionSpec>> = {
  unshare: {
    short: 'SGRw',
    long: [
      'setuid',
      'setgid',
      'root',
      'wd',
      'propagation',
      'setgroups',
      'map-user',
      'map-group',
      'map-users',
      'map-groups',
      'monotonic',
      'boottime',
    ],
  },
  nsenter: { short: 'tSG', long: ['target', 'setuid', 'setgid'] },
  chroot: { short: '', long: ['userspec', 'groups'], positionals: 1 },
  taskset: { short: '', long: [], positionals: 1 },
  chrt: { short: 'T', long: ['sched-runtime', 'sched-deadline', 'sched-period'], positionals: 1 },
  prlimit: { short: 'p', long: ['pid', 'output'] },
  numactl: {
    short: 'NmCpPi',
    long: ['cpunodebind', 'membind', 'physcpubind', 'preferred', 'interleave'],
  },
  cgexec: { short: 'g', long: [] },
  'aa-exec': { short: 'pn', long: ['profile', 'namespace'] },
  pkexec: { short: '', long: ['user'] },
  setpriv: { short: '', long: [] },
  firejail: { short: '', long: [] },
  'systemd-run': {
    short: 'upMHE',
    long: [
      'unit',
      'property',
      'machine',
      'host',
      'setenv',
      'description',
      'slice',
      'uid',
      'gid',
      'nice',
      'working-directory',
      'service-type',
      'on-active',
      'on-boot',
      'on-calendar',
      'timer-property',
    ],
  },
  sshpass: { short: 'pfdP', long: [] },
  torsocks: { short: 'upaP', long: ['user', 'pass', 'address', 'port'] },
  torify: { short: '', long: [] },
  proxychains: { short: 'f', long: [] },
  proxychains4: { short: 'f', long: [] },
  faketime: { short: '', long: [], positionals: 1 },
  gosu: { short: '', long: [], positionals: 1 },
  'su-exec': { short: '', long: [], positionals: 1 },
  setuidgid: { short: '', long: [], positionals: 1 },
  // `ssh-agent bash` is how many users start a session; the command is parsed so that
  // what it runs is seen, and the list of launchers rules read leaves ssh-agent out.
  'ssh-agent': { short: 'aEOPt', long: [] },
  unbuffer: { short: '', long: [] },
  eatmydata: { short: '', long: [] },
  chronic: { short: '', long: [] },
  rlwrap: { short: 'acfFhHlpPsSz', long: [] },
};

/** Launchers run with a `linux32`-style personality name first (`setarch x86_64 -R sh`). */
const ARCH_FIRST = new Set(['setarch']);

/** The words from `start` on that a launcher runs, or none when they are only options. */
function commandFrom(args: readonly string[], start: number, spec: OptionSpec): string[][] {
  const opts = skipOptions(args, start, spec);
  const words = args.slice(opts.next);
  return words.length > 0 ? [words] : [];
}

/** `ip [opts] netns exec NAME CMD...` and `ip vrf exec NAME CMD...`. */
function ipExecs(args: readonly string[]): string[][] {
  const opts = skipOptions(args, 0, { short: 'fnbr', long: ['family', 'netns', 'batch'] });
  const object = args[opts.next];
  if ((object === 'netns' || object === 'vrf') && args[opts.next + 1] === 'exec') {
    const words = args.slice(opts.next + 3);
    return words.length > 0 ? [words] : [];
  }
  return [];
}

/** `capsh ... -- ARGS` runs `bash ARGS` (`capsh --` alone is a bare bash). */
function capshExecs(args: readonly string[]): string[][] {
  const dashes = args.indexOf('--');
  return dashes === -1 ? [] : [['bash', ...args.slice(dashes + 1)]];
}

/** `flock [opts] FILE -c 'cmd'` (the option before or after the lock file) or `flock FILE CMD...`. */
function flockCommands(args: readonly string[]): LaunchedCommands {
  const spec: OptionSpec = {
    short: 'wEc',
    long: ['timeout', 'wait', 'conflict-exit-code', 'command'],
  };
  const before = skipOptions(args, 0, spec);
  const after = skipOptions(args, before.next + 1, spec);
  const script =
    before.values.get('c') ??
    before.values.get('command') ??
    after.values.get('c') ??
    after.values.get('command');
  if (script !== undefined) return { scripts: [script], execs: [] };
  const words = args.slice(before.next + 1);
  return { scripts: [], execs: words.length > 0 ? [words] : [] };
}

/** `script [opts] -c 'cmd' [file]`: the command string goes to a shell. */
function scriptCommands(args: readonly string[]): LaunchedCommands {
  const opts = skipOptions(args, 0, {
    short: 'cEIOBTm',
    long: ['command', 'echo', 'log-in', 'log-out', 'log-io', 'log-timing', 'logging-format'],
  });
  const script = opts.values.get('c') ?? opts.values.get('command');
  return { scripts: script !== undefined ? [script] : [], execs: [] };
}

/** The commands a launcher starts; undefined for any other program. */
export function launchedCommands(
  program: string,
  args: readonly string[],
): LaunchedCommands | undefined {
  if (program === 'ip') return { scripts: [], execs: ipExecs(args) };
  if (program === 'capsh') return { scripts: [], execs: capshExecs(args) };
  if (program === 'flock') return flockCommands(args);
  if (program === 'script') return scriptCommands(args);
  if (ARCH_FIRST.has(program)) {
    if (args.length === 0 || (args[0] ?? '').startsWith('-')) return undefined;
    return { scripts: [], execs: commandFrom(args, 1, { short: '', long: [] }) };
  }
  const spec = ownEntry(LAUNCHERS, program);
  if (spec === undefined) return undefined;
  return { scripts: [], execs: commandFrom(args, 0, spec) };
}
