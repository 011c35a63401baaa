import { parseFlags } from './parse-flags';
import { newScanContext, scanCommands, MAX_COMMANDS, MAX_DEPTH } from './split-commands';
import type { RawCommand, ScanContext } from './split-commands';
import type { ShellCommand } from './types';
import { unwrapProgram } from './unwrap-program';
import { VariableScope } from './resolve-variables';
import type { UnwrappedCommand } from './unwrap-program';

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
    return finish(ctx, new Set());
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
    };
    return [toShellCommand(raw, unwrapProgram(words), 0, false)];
  }
}

function finish(ctx: ScanContext, elevatedPipelines: Set<number>): ShellCommand[] {
  const result: ShellCommand[] = [];
  const positions = new Map<number, number>();
  const scope = new VariableScope();
  // Scripts found while unwrapping are scanned into the same context, so this loop also
  // visits commands appended during it; the context's limits bound the total.
  for (let n = 0; n < ctx.commands.length && result.length < MAX_COMMANDS; n++) {
    const raw = ctx.commands[n];
    if (raw === undefined) break;
    const position = positions.get(raw.pipeline) ?? 0;
    positions.set(raw.pipeline, position + 1);
    const resolved = resolveRaw(raw, scope);
    const unwrapped = unwrapProgram(resolved.words);
    if (unwrapped.program === '') scope.assign(unwrapped.assignments);
    else if (EXPORTERS.has(unwrapped.program)) scope.assign(unwrapped.args);
    const command = toShellCommand(
      resolved,
      unwrapped,
      position,
      elevatedPipelines.has(raw.pipeline),
    );
    result.push(command);
    if (raw.depth + 1 > MAX_DEPTH) continue;
    for (const script of unwrapped.scripts) {
      const first = ctx.nextPipeline;
      scanCommands(script, ctx, raw.depth + 1, 'script');
      if (command.elevated) markElevated(elevatedPipelines, first, ctx.nextPipeline);
    }
    for (const argv of unwrapped.execs) {
      if (ctx.commands.length >= MAX_COMMANDS) break;
      const pipeline = ctx.nextPipeline++;
      if (command.elevated) elevatedPipelines.add(pipeline);
      ctx.commands.push({
        words: argv,
        redirects: [],
        raw: argv.join(' '),
        pipeline,
        depth: raw.depth + 1,
        origin: 'exec',
      });
    }
  }
  return result;
}

const EXPORTERS = new Set(['export', 'declare', 'typeset', 'local', 'readonly']);

/** The raw command with known variables and `$(which X)` resolved in its words and redirect targets. */
function resolveRaw(raw: RawCommand, scope: VariableScope): RawCommand {
  const words = raw.words.map((w) => scope.resolve(w));
  const redirects = raw.redirects.map((r) => ({ op: r.op, target: scope.resolve(r.target) }));
  return { ...raw, words, redirects };
}

function markElevated(set: Set<number>, from: number, to: number): void {
  for (let p = from; p < to; p++) set.add(p);
}

function toShellCommand(
  raw: RawCommand,
  unwrapped: UnwrappedCommand,
  position: number,
  inheritedElevation: boolean,
): ShellCommand {
  return {
    program: unwrapped.program,
    args: unwrapped.args,
    argv: unwrapped.argv,
    raw: raw.raw,
    flags: parseFlags(unwrapped.args),
    wrappers: unwrapped.wrappers,
    elevated: unwrapped.elevated || inheritedElevation,
    ...(unwrapped.runAs !== undefined ? { runAs: unwrapped.runAs } : {}),
    assignments: unwrapped.assignments,
    redirects: raw.redirects,
    pipeline: raw.pipeline,
    position,
    depth: raw.depth,
    origin: raw.origin,
  };
}
