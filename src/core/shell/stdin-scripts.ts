import { decodeAnsiC } from './decode-ansi-c';
import { decodePayloads, decodeWhole } from './decode-payloads';
import type { Redirect, ShellCommand, StdinSource } from './types';

/**
 * The text a shell reads as commands on its standard input, when the line says what
 * it is: `echo 'rm -rf /' | bash`, `printf '%s' 'id' | sh`, `bash <<< 'id'`,
 * `sh <<< "$(echo id)"`, and decoded payloads, `echo cm0g... | base64 -d | sh`,
 * `base64 -d <<< cm0g... | bash`. The parser scans each text as sub-commands of
 * origin `stdin`. Unknown input (`cat payload.txt | bash`) gives none; the shell's
 * `stdin` field still says it reads a pipe.
 *
 * Static only: the output of `echo`/`printf` with literal arguments, passed through
 * `cat`/`tee` without file operands, or decoded by `base64 -d`/`base32 -d`/`basenc -d`/
 * `xxd -r`/`openssl ... -d` (the payload decoder finds base64 and hex). Bounded by the
 * pipeline's length, MAX_PRINTF_ROUNDS and the decoder's own limits; never throws.
 */

const MAX_PRINTF_ROUNDS = 16;
/** Programs that copy their standard input to their output when given no file. */
const PASS_THROUGH = new Set(['cat', 'tee']);
/** `echo` options: `-n`, `-e`, `-E` and their clusters. */
const ECHO_OPTIONS = /^-[neE]+$/;
const PRINTF_SPEC = /%(%|[-+ #0-9.]*[a-zA-Z])/g;

/** Where the command's standard input comes from (the last stdin redirection wins over a pipe). */
export function stdinSourceOf(
  redirects: readonly Redirect[],
  position: number,
): StdinSource | undefined {
  let source: StdinSource | undefined = position > 0 ? 'pipe' : undefined;
  for (let k = 0; k < redirects.length; k++) {
    const op = redirects[k]!.op;
    if (op === '<<<') source = 'here-string';
    else if (op === '<<' || op === '<<-') source = 'heredoc';
    else if (op === '<') source = 'file';
  }
  return source;
}

/**
 * Whether a shell's arguments leave it reading commands from standard input: no
 * operand (a script file), or `-s`.
 */
export function shellReadsStdin(args: readonly string[]): boolean {
  let dashS = false;
  for (const arg of args) {
    if (arg === '-') return true;
    if (arg === '--') continue;
    if (arg.length < 2 || (arg[0] !== '-' && arg[0] !== '+')) return dashS;
    if (arg[1] !== '-' && arg.includes('s')) dashS = true;
  }
  return true;
}

/** at/batch flags that list, remove, show or read a file instead of reading stdin. */
const AT_NO_STDIN_FLAGS = new Set(['f', 'l', 'r', 'd', 'c', 'V']);
/** crontab flags that list, edit or remove instead of installing stdin. */
const CRONTAB_NO_STDIN_FLAGS = new Set(['l', 'e', 'r', 'i', 'T', 'V']);

/**
 * Whether a scheduler installs the commands it reads on standard input: `at`/`batch`
 * run them through sh later (`echo 'nc ... -e sh' | at now`), and `crontab -` (or
 * `crontab` with no file) installs crontab lines whose commands the parser reads after
 * their schedule (`echo '* * * * * curl x|sh' | crontab -`).
 */
export function schedulerReadsStdin(
  program: string,
  flags: readonly string[],
  args: readonly string[],
): boolean {
  if (program === 'at' || program === 'batch') return !flags.some((f) => AT_NO_STDIN_FLAGS.has(f));
  if (program !== 'crontab') return false;
  if (flags.some((f) => CRONTAB_NO_STDIN_FLAGS.has(f))) return false;
  // `crontab -u alice -` or `crontab -`: the operand is `-` or missing.
  const operands: string[] = [];
  for (let k = 0; k < args.length; k++) {
    const arg = args[k]!;
    if (arg === '-u') k += 1;
    else if (arg === '-' || !arg.startsWith('-')) operands.push(arg);
  }
  return operands.length === 0 || (operands.length === 1 && operands[0] === '-');
}

/**
 * The texts `shell` (already in `parsed`, its last entry) reads on its standard input
 * and that are known from the line; `[]` when unknown or when it reads none.
 */
export function stdinTexts(shell: ShellCommand, parsed: readonly ShellCommand[]): string[] {
  const hereString = lastHereString(shell);
  if (hereString !== undefined) return hereStringTexts(shell, hereString, parsed);
  if (shell.position === 0) return [];
  return outputOf(upstreamOf(shell, parsed), parsed);
}

function lastHereString(command: ShellCommand): string | undefined {
  let target: string | undefined;
  for (const redirect of command.redirects) if (redirect.op === '<<<') target = redirect.target;
  return target;
}

/** The commands before `command` in its pipeline, in order. */
function upstreamOf(command: ShellCommand, parsed: readonly ShellCommand[]): ShellCommand[] {
  const members: ShellCommand[] = [];
  for (const other of parsed) {
    if (
      other !== command &&
      other.pipeline === command.pipeline &&
      other.depth === command.depth &&
      other.position < command.position
    )
      members.push(other);
  }
  return members.sort((a, b) => a.position - b.position);
}

/**
 * A here-string's text: itself when literal (variables and static substitutions are
 * already resolved), else the output of the (last) substitution in it.
 */
function hereStringTexts(
  command: ShellCommand,
  target: string,
  parsed: readonly ShellCommand[],
): string[] {
  if (!target.includes('$(') && !target.includes('`')) return [target];
  return outputOf(substitutionPipeline(command, parsed, 'last'), parsed);
}

/**
 * What the shell runs when `command`'s program word is a substitution it could not
 * resolve to one word: `$(echo rm -rf /)`, `` `echo cm0g... | base64 -d` ``,
 * `eval $(printf ...)`. The output of the command's first substitution, when static;
 * `[]` otherwise.
 */
export function substitutedCommandTexts(
  command: ShellCommand,
  parsed: readonly ShellCommand[],
): string[] {
  const outputs = outputOf(substitutionPipeline(command, parsed, 'first'), parsed);
  if (outputs.length === 0) return outputs;
  // The command's own arguments follow the output's words (`$(echo rm -rf) /`); plain
  // ones only, so that re-parsing them cannot change what they are.
  let rest = '';
  for (const arg of command.args) {
    if (!PLAIN_WORD.test(arg)) break;
    rest += ` ${arg}`;
  }
  return rest === '' ? outputs : outputs.map((output) => output + rest);
}

const PLAIN_WORD = /^[A-Za-z0-9_./:=@%+,-]+$/;

/**
 * The first or last pipeline of the substitutions in `command`'s words: their
 * commands were parsed just before it (in `parsed`, where `command` is), one level
 * deeper, in source order.
 */
function substitutionPipeline(
  command: ShellCommand,
  parsed: readonly ShellCommand[],
  which: 'first' | 'last',
): ShellCommand[] {
  const at = parsed.lastIndexOf(command);
  let pipeline: number | undefined;
  let members: ShellCommand[] = [];
  for (let k = at - 1; k >= 0; k--) {
    const other = parsed[k]!;
    if (other.depth <= command.depth) break;
    if (other.depth !== command.depth + 1 || other.origin !== 'substitution') continue;
    if (other.pipeline !== pipeline) {
      if (which === 'last' && pipeline !== undefined) break;
      pipeline = other.pipeline;
      members = [];
    }
    members.unshift(other);
  }
  return members;
}

/** What the last command of `members` (a pipeline, in order) writes, when static. */
function outputOf(members: readonly ShellCommand[], parsed: readonly ShellCommand[]): string[] {
  const last = members[members.length - 1];
  if (last === undefined) return [];
  const literal = staticOutput(last);
  if (literal !== undefined) return [literal];
  const decoder = isDecoder(last);
  if (!decoder && !(PASS_THROUGH.has(last.program) && !hasOperand(last.args))) return [];
  const hereString = lastHereString(last);
  const input =
    hereString !== undefined
      ? hereStringTexts(last, hereString, parsed)
      : outputOf(members.slice(0, -1), parsed);
  return decoder ? input.flatMap((text) => decode(last.program, text)) : input;
}

/** What a decoder makes of `text`: the whole text decoded, else the payloads found in it. */
function decode(program: string, text: string): string[] {
  const whole = decodeWhole(text, program === 'xxd' ? 'hex' : 'base64');
  return whole !== undefined ? [whole] : decodePayloads(text);
}

function hasOperand(args: readonly string[]): boolean {
  return args.some((arg) => arg === '-' || !arg.startsWith('-'));
}

/** Decoding programs whose output may be a script (`base64 -d`, `xxd -r -p`, `openssl base64 -d`). */
function isDecoder(command: ShellCommand): boolean {
  const flags = command.flags;
  switch (command.program) {
    case 'base64':
    case 'base32':
    case 'basenc':
      return flags.includes('d') || flags.includes('D') || flags.includes('decode');
    case 'xxd':
      return flags.includes('r') || flags.includes('revert');
    case 'openssl':
      return flags.includes('d');
    default:
      return false;
  }
}

/** The text `echo` or `printf` writes with these arguments; undefined for other programs. */
function staticOutput(command: ShellCommand): string | undefined {
  if (command.program === 'echo') return echoOutput(command.args);
  if (command.program === 'printf') return printfOutput(command.args);
  return undefined;
}

function echoOutput(args: readonly string[]): string {
  let k = 0;
  let escapes = false;
  while (k < args.length && ECHO_OPTIONS.test(args[k]!)) {
    if (args[k]!.includes('e')) escapes = true;
    k += 1;
  }
  const text = args.slice(k).join(' ');
  return escapes ? decodeAnsiC(text) : text;
}

/**
 * printf's output: the format with escapes decoded and each `%…` conversion replaced by
 * the next argument (`%b` decoded too), repeated while arguments remain, as printf does.
 */
function printfOutput(args: readonly string[]): string | undefined {
  let k = 0;
  if (args[k] === '--') k += 1;
  const format = args[k];
  // `printf -v NAME` assigns instead of writing.
  if (format === undefined || format === '-v') return undefined;
  const values = args.slice(k + 1);
  const decoded = decodeAnsiC(format);
  let next = 0;
  let out = '';
  for (let round = 0; round < MAX_PRINTF_ROUNDS; round++) {
    let converted = false;
    out += decoded.replace(PRINTF_SPEC, (_whole: string, spec: string) => {
      if (spec === '%') return '%';
      converted = true;
      const value = values[next++] ?? '';
      return spec === 'b' ? decodeAnsiC(value) : value;
    });
    if (!converted || next >= values.length) break;
  }
  return out;
}
