import { parseFlags } from './parse-flags';
import { newScanContext, scanCommands, MAX_COMMANDS, MAX_DEPTH } from './split-commands';
import type { RawCommand, ScanContext } from './split-commands';
import type { Redirect, ShellCommand } from './types';
import { basename, SHELLS, unwrapWords } from './unwrap-program';
import { VariableScope } from './resolve-variables';
import type { Unwrapped } from './unwrap-program';
import type { GlobWord } from './split-commands';
import { matchWellKnownPaths } from './match-globs';
import {
  schedulerReadsStdin,
  shellReadsStdin,
  stdinSourceOf,
  stdinTexts,
  substitutedCommandTexts,
} from './stdin-scripts';

/** Glob words matched against the well-known paths per command line; later ones stay literal. */
export const MAX_GLOB_WORDS = 32;

/**
 * Parses a command line into its simple commands, de-obfuscated and unwrapped, in
 * source order of completion (a substitution's commands come before the command that
 * contains it). This is the single entry point rules use, through the `commands` fact.
 *
 * Never throws and is bounded (see split-commands.ts for limits): a pathological
 * line degrades to fewer commands, never to an exception on the hot path.
 */
export function parseCommandLine(line: string): ShellCommand[] {
  try {
    const ctx = newScanContext();
    scanCommands(line, ctx, 0, 'line');
    return finish(ctx);
  } catch {
    // Defensive: the scanner is written not to throw; if it ever does, keep the stream going.
    const words = line.split(/\s+/).filter((w) => w !== '');
    const raw: RawCommand = {
      words,
      redirects: [],
      raw: line.trim(),
      pipeline: 0,
      depth: 0,
      origin: 'line',
      expands: true,
    };
    return [toShellCommand(raw, raw.redirects, unwrapWords(words), 0, false)];
  }
}

function finish(ctx: ScanContext): ShellCommand[] {
  const result: ShellCommand[] = [];
  // Commands seen so far per pipeline number; pipelines are small consecutive integers.
  const positions: number[] = [];
  // Pipelines run by an elevated command's script or `-exec`; rarely any, so made on demand.
  let elevatedPipelines: Set<number> | undefined;
  const scope = new VariableScope();
  let globWords = MAX_GLOB_WORDS;
  // Scripts found while unwrapping are scanned into the same context, so this loop also
  // visits commands appended during it; the context's limits bound the total.
  for (let n = 0; n < ctx.commands.length && result.length < MAX_COMMANDS; n++) {
    const raw = ctx.commands[n];
    if (raw === undefined) break;
    const position = positions[raw.pipeline] ?? 0;
    positions[raw.pipeline] = position + 1;
    // Resolved before this command's own assignments are recorded, like its words.
    const redirects = raw.expands ? resolveRedirects(raw.redirects, scope) : raw.redirects;
    const words = raw.expands ? resolveWords(raw.words, scope) : raw.words;
    let unwrapped = unwrapWords(words);
    // Glob indices are the raw words': only while resolution kept every word.
    if (raw.globs !== undefined && globWords > 0 && words.length === raw.words.length) {
      const globs = raw.globs.length > globWords ? raw.globs.slice(0, globWords) : raw.globs;
      globWords -= globs.length;
      const expanded = withGlobMatches(words, globs, programIndex(words, unwrapped));
      if (expanded !== undefined) unwrapped = unwrapWords(expanded);
    }
    if (unwrapped.program === '') scope.assign(unwrapped.assignments);
    else if (EXPORTERS.has(unwrapped.program)) scope.assign(unwrapped.args);
    const command = toShellCommand(
      raw,
      redirects,
      unwrapped,
      position,
      elevatedPipelines?.has(raw.pipeline) ?? false,
    );
    result.push(command);
    if (raw.depth + 1 > MAX_DEPTH) continue;
    for (const script of unwrapped.scripts) {
      const first = ctx.nextPipeline;
      scanCommands(script, ctx, raw.depth + 1, 'script');
      if (command.elevated) {
        elevatedPipelines ??= new Set();
        markElevated(elevatedPipelines, first, ctx.nextPipeline);
      }
    }
    if (command.stdin !== undefined && unwrapped.scripts.length === 0) {
      if (
        (SHELLS.has(unwrapped.program) && shellReadsStdin(unwrapped.args)) ||
        schedulerReadsStdin(unwrapped.program, command.flags, unwrapped.args)
      ) {
        for (const text of stdinTexts(command, result)) {
          const first = ctx.nextPipeline;
          scanCommands(text, ctx, raw.depth + 1, 'stdin');
          if (command.elevated) {
            elevatedPipelines ??= new Set();
            markElevated(elevatedPipelines, first, ctx.nextPipeline);
          }
        }
      }
    }
    if (raw.expands && isSubstitution(programWord(unwrapped))) {
      // `$(echo rm -rf /)` runs the substitution's output as a command.
      for (const text of substitutedCommandTexts(command, result)) {
        const first = ctx.nextPipeline;
        scanCommands(text, ctx, raw.depth + 1, 'script');
        if (command.elevated) {
          elevatedPipelines ??= new Set();
          markElevated(elevatedPipelines, first, ctx.nextPipeline);
        }
      }
    }
    for (const argv of unwrapped.execs) {
      if (ctx.commands.length >= MAX_COMMANDS) break;
      const pipeline = ctx.nextPipeline++;
      if (command.elevated) (elevatedPipelines ??= new Set()).add(pipeline);
      ctx.commands.push({
        words: argv,
        redirects: [],
        raw: argv.join(' '),
        pipeline,
        depth: raw.depth + 1,
        origin: 'exec',
        expands: raw.expands,
      });
    }
  }
  return result;
}

const EXPORTERS = new Set(['export', 'declare', 'typeset', 'local', 'readonly']);

/**
 * The words with known variables, `$(which X)` and static expansions resolved; a word
 * that resolves to nothing is dropped. Returns `words` itself when
 * nothing changes (the usual case): raw commands are private to one parse, so sharing
 * their arrays with the result is safe, and it saves a copy per command.
 */
function resolveWords(words: string[], scope: VariableScope): string[] {
  let resolved: string[] | undefined;
  for (let k = 0; k < words.length; k++) {
    const word = words[k]!;
    const value = scope.resolve(word);
    if (resolved === undefined && value !== word) resolved = words.slice(0, k);
    // An expansion that leaves nothing is no word at all (`${x:+y} rm` runs `rm`).
    if (value !== '' || word === '') resolved?.push(value);
  }
  return resolved ?? words;
}

/** Redirect targets resolved like words; new objects only where a target changes. */
function resolveRedirects(redirects: Redirect[], scope: VariableScope): Redirect[] {
  let resolved: Redirect[] | undefined;
  for (let k = 0; k < redirects.length; k++) {
    const redirect = redirects[k]!;
    const target = scope.resolve(redirect.target);
    if (resolved === undefined && target !== redirect.target) resolved = redirects.slice(0, k);
    resolved?.push(target === redirect.target ? redirect : { op: redirect.op, target });
  }
  return resolved ?? redirects;
}

/** The word the program came from (its basename is `program`); `''` when there is none. */
function programWord(unwrapped: Unwrapped): string {
  const argv = unwrapped.argv;
  return argv[argv.length - unwrapped.args.length - 1] ?? '';
}

/** `$(...)` or backticks that stayed unresolved (resolve-variables.ts resolves one-word results). */
function isSubstitution(word: string): boolean {
  return (word.startsWith('$(') && !word.startsWith('$((')) || word.startsWith('`');
}

/** Where the program word is in `words`, or -1 (no program, or `env -S` spliced words in). */
function programIndex(words: readonly string[], unwrapped: Unwrapped): number {
  const at = words.length - unwrapped.args.length - 1;
  const word = words[at];
  return unwrapped.program !== '' && word !== undefined && basename(word) === unwrapped.program
    ? at
    : -1;
}

/**
 * `words` with the well-known paths each absolute glob could name (match-globs.ts):
 * after the glob itself, which stays (rules also match literal globs such as
 * `/var/log/*`), or in its place for the program word (`/???/c?t` runs `/bin/cat`, as
 * bash would expand it). Undefined when no glob names a well-known path.
 */
function withGlobMatches(
  words: readonly string[],
  globs: readonly GlobWord[],
  programAt: number,
): string[] | undefined {
  let out: string[] | undefined;
  let copied = 0;
  for (const glob of globs) {
    const matches = matchWellKnownPaths(glob.pattern);
    if (matches.length === 0 || glob.index < copied) continue;
    out ??= [];
    for (let k = copied; k < glob.index; k++) out.push(words[k]!);
    if (glob.index !== programAt) out.push(words[glob.index]!);
    for (const match of matches) out.push(match);
    copied = glob.index + 1;
  }
  if (out === undefined) return undefined;
  for (let k = copied; k < words.length; k++) out.push(words[k]!);
  return out;
}

function markElevated(set: Set<number>, from: number, to: number): void {
  for (let p = from; p < to; p++) set.add(p);
}

function toShellCommand(
  raw: RawCommand,
  redirects: Redirect[],
  unwrapped: Unwrapped,
  position: number,
  inheritedElevation: boolean,
): ShellCommand {
  const command: ShellCommand = {
    program: unwrapped.program,
    args: unwrapped.args,
    argv: unwrapped.argv,
    raw: raw.raw,
    flags: parseFlags(unwrapped.args),
    wrappers: unwrapped.wrappers,
    elevated: unwrapped.elevated || inheritedElevation,
    assignments: unwrapped.assignments,
    redirects,
    pipeline: raw.pipeline,
    position,
    depth: raw.depth,
    origin: raw.origin,
  };
  // Set only when known: `runAs` stays absent, not undefined (and no spread of a
  // temporary object per command).
  if (unwrapped.runAs !== undefined) command.runAs = unwrapped.runAs;
  if (position > 0 || redirects.length > 0) {
    const stdin = stdinSourceOf(redirects, position);
    if (stdin !== undefined) command.stdin = stdin;
  }
  return command;
}
