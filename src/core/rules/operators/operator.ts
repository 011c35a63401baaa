/**
 * The contract every rule operator implements. An operator turns a condition's
 * `value` into a predicate ONCE, when the rule set is loaded (regexes compiled, lists
 * resolved, CIDRs parsed); the predicate then runs per event. Both the compiled
 * evaluator and the json-rules-engine reference evaluator call the same predicates,
 * so the two can only differ in how they walk the condition tree.
 */

/** Tests one fact value. Must never throw: {@link safePredicate} guarantees it. */
export type Predicate = (factValue: unknown) => boolean;

/** A problem with a condition's value; `pointer` is relative to the value (`''` is the value itself). */
export interface CompileProblem {
  pointer: string;
  message: string;
}

/**
 * A compiled operator. `witness`, when present, picks the part of the fact value worth
 * showing in an alert (for `anyCommand`: the matching sub-commands, not all of them).
 */
export type CompileResult =
  | { ok: true; test: Predicate; witness?: (factValue: unknown) => unknown }
  | { ok: false; problems: CompileProblem[] };

/** What an operator may consult while compiling: named lists and the regex safety check. */
export interface CompileContext {
  readonly lists: ReadonlyMap<string, ReadonlySet<string>>;
  /** Returns why a regex must not be used (syntax, catastrophic backtracking), or undefined if it is safe. */
  checkRegex(source: string, flags: string): string | undefined;
}

/** One named operator usable in a condition's `operator` field. */
export interface OperatorDefinition {
  readonly name: string;
  compile(value: unknown, ctx: CompileContext): CompileResult;
}

/** Shorthand for a successful compile, wrapping the predicate so it cannot throw. */
export function compiled(test: Predicate): CompileResult {
  return { ok: true, test: safePredicate(test) };
}

/** Shorthand for a failed compile with one problem. */
export function problem(message: string, pointer = ''): CompileResult {
  return { ok: false, problems: [{ pointer, message }] };
}

/** A predicate that answers false instead of throwing: bad input must never stop the stream. */
export function safePredicate(test: Predicate): Predicate {
  return (factValue) => {
    try {
      return test(factValue);
    } catch {
      return false;
    }
  };
}

/**
 * String operators accept a string fact or an array of them (true if any element
 * matches), so `programs` and `decoded` work with the same operators as `commandLine`.
 */
export function anyString(factValue: unknown, test: (s: string) => boolean): boolean {
  if (typeof factValue === 'string') return test(factValue);
  if (Array.isArray(factValue)) {
    for (const item of factValue) if (typeof item === 'string' && test(item)) return true;
  }
  return false;
}

/** A value that is one string or a non-empty array of strings, normalized to an array. */
export function stringOrStrings(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')) {
    return value;
  }
  return undefined;
}

/** Whether `value` is a plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
