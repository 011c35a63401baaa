import type { ShellCommand } from '../../shell/types';
import { compileFlagSpec } from './has-flag.operator';
import { compiled, isObject } from './operator';
import type { CompileContext, CompileProblem, OperatorDefinition } from './operator';
import { compileStringMatcher } from './string-matcher';

/** Tests one command, given all commands of the line (for `pipedFrom` / `pipesTo`). */
export type CommandTest = (command: ShellCommand, all: readonly ShellCommand[]) => boolean;

const STRING_FIELDS = [
  'program',
  'anyArg',
  'args',
  'raw',
  'redirect',
  'assignment',
  'wrappedBy',
] as const;
const SPEC_FIELDS = ['pipedFrom', 'pipesTo', 'not'] as const;
/** Every key a command spec may have; the JSON Schema lists the same. */
export const COMMAND_SPEC_KEYS: readonly string[] = [
  ...STRING_FIELDS,
  'hasFlags',
  'hasAnyFlag',
  'elevated',
  ...SPEC_FIELDS,
];

function stringsOf(
  command: ShellCommand,
  field: (typeof STRING_FIELDS)[number],
): readonly string[] {
  switch (field) {
    case 'program':
      return [command.program];
    case 'anyArg':
      return command.args;
    case 'args':
      return [command.args.join(' ')];
    case 'raw':
      return [command.raw];
    case 'redirect':
      return command.redirects.map((r) => r.target);
    case 'assignment':
      return command.assignments;
    case 'wrappedBy':
      return command.wrappers;
  }
}

/**
 * Compiles a command spec: every key present must hold (AND). Exported because
 * `pipedFrom`, `pipesTo` and `not` nest specs. Problems carry pointers relative to
 * the spec.
 */
export function compileCommandSpec(
  spec: unknown,
  ctx: CompileContext,
): { test: CommandTest } | { problems: CompileProblem[] } {
  if (!isObject(spec))
    return { problems: [{ pointer: '', message: 'a command spec must be an object' }] };
  const problems: CompileProblem[] = [];
  const tests: CommandTest[] = [];
  for (const [key, value] of Object.entries(spec)) {
    const at = (p: CompileProblem): CompileProblem => ({
      pointer: `/${key}${p.pointer}`,
      message: p.message,
    });
    if ((STRING_FIELDS as readonly string[]).includes(key)) {
      const field = key as (typeof STRING_FIELDS)[number];
      const matcher = compileStringMatcher(value, ctx);
      if ('problems' in matcher) problems.push(...matcher.problems.map(at));
      else tests.push((command) => stringsOf(command, field).some(matcher.test));
    } else if (key === 'hasFlags' || key === 'hasAnyFlag') {
      const flags = compileFlagSpec(value, key === 'hasFlags' ? 'all' : 'any');
      if ('test' in flags) tests.push((command) => flags.test(command.flags));
      else if (!flags.ok) problems.push(...flags.problems.map(at));
    } else if (key === 'elevated') {
      if (typeof value !== 'boolean')
        problems.push(at({ pointer: '', message: 'elevated must be true or false' }));
      else tests.push((command) => command.elevated === value);
    } else if ((SPEC_FIELDS as readonly string[]).includes(key)) {
      const nested = compileCommandSpec(value, ctx);
      if ('problems' in nested) problems.push(...nested.problems.map(at));
      else if (key === 'not') tests.push((command, all) => !nested.test(command, all));
      else {
        const before = key === 'pipedFrom';
        tests.push((command, all) =>
          all.some(
            (other) =>
              other.pipeline === command.pipeline &&
              (before ? other.position < command.position : other.position > command.position) &&
              nested.test(other, all),
          ),
        );
      }
    } else {
      problems.push({
        pointer: `/${key}`,
        message: `unknown command spec key; use one of: ${COMMAND_SPEC_KEYS.join(', ')}`,
      });
    }
  }
  if (problems.length > 0) return { problems };
  return { test: (command, all) => tests.every((test) => test(command, all)) };
}

function isCommandList(fact: unknown): fact is ShellCommand[] {
  return (
    Array.isArray(fact) &&
    fact.every((item) => isObject(item) && typeof item['program'] === 'string')
  );
}

/**
 * `anyCommand`: on the `commands` fact, true when at least one sub-command matches
 * the spec, e.g. `{"program": "rm", "hasFlags": ["r|R|recursive", "f|force"],
 * "anyArg": {"regex": "^/(etc|usr)?/?$"}}`. `not:anyCommand` means "no sub-command".
 */
export const anyCommandOperator: OperatorDefinition = {
  name: 'anyCommand',
  compile(value, ctx) {
    const spec = compileCommandSpec(value, ctx);
    if ('problems' in spec) return { ok: false, problems: spec.problems };
    const test = (fact: unknown): boolean =>
      isCommandList(fact) && fact.some((command) => spec.test(command, fact));
    const witness = (fact: unknown): unknown =>
      isCommandList(fact)
        ? fact.filter((command) => spec.test(command, fact)).map((command) => command.raw)
        : fact;
    const result = compiled(test);
    return result.ok ? { ...result, witness } : result;
  },
};
