import { parseFlags } from '../../shell/parse-flags';
import { compiled, isObject, problem, stringOrStrings } from './operator';
import type { CompileResult, OperatorDefinition } from './operator';

/** Tests a command's flag names; built once from a validated flag spec. */
export type FlagTest = (flags: readonly string[]) => boolean;

/**
 * Compiles a flag spec: each item must be present, and an item lists alternatives
 * separated by `|` (`"r|R|recursive"` is satisfied by `-r`, `-R`, `-Rf`, `--recursive`).
 * With `mode: 'any'` one item is enough. Exported for `anyCommand`'s `hasFlags`.
 */
export function compileFlagSpec(
  value: unknown,
  mode: 'all' | 'any',
): { test: FlagTest } | CompileResult {
  const items = stringOrStrings(value);
  if (items === undefined)
    return problem('flags need a string or an array of strings like "r|recursive"');
  const alternatives = items.map((item) => item.split('|').filter((name) => name !== ''));
  const emptyAt = alternatives.findIndex((names) => names.length === 0);
  if (emptyAt !== -1) return problem('empty flag name', Array.isArray(value) ? `/${emptyAt}` : '');
  const test: FlagTest = (flags) => {
    const has = (names: string[]): boolean => names.some((name) => flags.includes(name));
    return mode === 'all' ? alternatives.every(has) : alternatives.some(has);
  };
  return { test };
}

function flagsOf(fact: unknown): string[] | undefined {
  if (typeof fact === 'string') return parseFlags(fact.split(/\s+/));
  if (Array.isArray(fact) && fact.every((item) => typeof item === 'string'))
    return parseFlags(fact);
  if (isObject(fact) && Array.isArray(fact['flags'])) return fact['flags'] as string[];
  return undefined;
}

/**
 * `hasFlag`: the command has all the listed flags, however they are written
 * (`-rf`, `-fr`, `-r -f`, `--recursive --force`). The fact may be a `commands` array
 * (true if any one command has them all), one command, an argument array
 * (`process` with path `$.args`) or a string that is split on whitespace.
 */
export const hasFlagOperator: OperatorDefinition = {
  name: 'hasFlag',
  compile(value) {
    const spec = compileFlagSpec(value, 'all');
    if (!('test' in spec)) return spec;
    const { test } = spec;
    return compiled((fact) => {
      if (Array.isArray(fact) && fact.some((item) => isObject(item))) {
        return fact.some((item) => {
          const flags = flagsOf(item);
          return flags !== undefined && test(flags);
        });
      }
      const flags = flagsOf(fact);
      return flags !== undefined && test(flags);
    });
  },
};
