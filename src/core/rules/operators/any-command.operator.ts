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

/**
 * The last few commands asked about and their joined args: the prefilter and every
 * rule of an event ask about that event's one to three commands, so a small ring
 * searched by identity is enough, and unlike a WeakMap costs the GC nothing.
 */
const RING = 8;
const ringCommands: (ShellCommand | undefined)[] = new Array<ShellCommand | undefined>(RING);
const ringTexts: string[] = new Array<string>(RING).fill('');
let ringNext = 0;

/** `args` joined with spaces, once per command however many rules ask. */
export function argsText(command: ShellCommand): string {
  for (let i = 0; i < RING; i++) if (ringCommands[i] === command) return ringTexts[i]!;
  const text = command.args.join(' ');
  ringCommands[ringNext] = command;
  ringTexts[ringNext] = text;
  ringNext = (ringNext + 1) % RING;
  return text;
}

function some(values: readonly string[], test: (value: string) => boolean): boolean {
  for (let i = 0; i < values.length; i++) if (test(values[i]!)) return true;
  return false;
}

/** Whether `test` holds for one of the command's strings named by `field` (no allocation per call). */
function fieldTest(
  field: (typeof STRING_FIELDS)[number],
  test: (value: string) => boolean,
): (command: ShellCommand) => boolean {
  switch (field) {
    case 'program':
      return (command) => test(command.program);
    case 'anyArg':
      return (command) => some(command.args, test);
    case 'args':
      return (command) => test(argsText(command));
    case 'raw':
      return (command) => test(command.raw);
    case 'redirect':
      return (command) => {
        for (const redirect of command.redirects) if (test(redirect.target)) return true;
        return false;
      };
    case 'assignment':
      return (command) => some(command.assignments, test);
    case 'wrappedBy':
      return (command) => some(command.wrappers, test);
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
      else if (field === 'program') tests.unshift(fieldTest(field, matcher.test));
      else tests.push(fieldTest(field, matcher.test));
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
  // Every test is pure and cannot throw, so their order does not change the answer:
  // the program name (the most selective, cheapest one) is tested first.
  return {
    test: (command, all) => {
      for (let i = 0; i < tests.length; i++) if (!tests[i]!(command, all)) return false;
      return true;
    },
  };
}

/** Checked on every call: a line has a command or three, cheaper to look at than to remember in a weak set. */
function isCommandList(fact: unknown): fact is ShellCommand[] {
  if (!Array.isArray(fact)) return false;
  for (let i = 0; i < fact.length; i++) {
    const item: unknown = fact[i];
    if (!isObject(item) || typeof item['program'] !== 'string') return false;
  }
  return true;
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
    const test = (fact: unknown): boolean => {
      if (!isCommandList(fact)) return false;
      for (let i = 0; i < fact.length; i++) if (spec.test(fact[i]!, fact)) return true;
      return false;
    };
    const witness = (fact: unknown): unknown =>
      isCommandList(fact)
        ? fact.filter((command) => spec.test(command, fact)).map((command) => command.raw)
        : fact;
    const result = compiled(test);
    return result.ok ? { ...result, witness } : result;
  },
};
