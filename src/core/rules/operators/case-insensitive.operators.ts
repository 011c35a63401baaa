import { anyString, compiled, problem, stringOrStrings } from './operator';
import type { OperatorDefinition } from './operator';

function caseInsensitive(
  name: string,
  test: (fact: string, needle: string) => boolean,
): OperatorDefinition {
  return {
    name,
    compile(value) {
      const needles = stringOrStrings(value);
      if (needles === undefined) return problem(`${name} needs a string or an array of strings`);
      const lowered = needles.map((n) => n.toLowerCase());
      return compiled((fact) =>
        anyString(fact, (s) => {
          const haystack = s.toLowerCase();
          return lowered.some((needle) => test(haystack, needle));
        }),
      );
    },
  };
}

/**
 * `startsWithI`, `endsWithI`, `containsI`: case-insensitive string tests against one
 * string or any of several. Named with an `I` suffix rather than a params flag because
 * json-rules-engine passes no params to operators; the built-in `contains` (array
 * membership) keeps its meaning.
 */
export const CASE_INSENSITIVE_OPERATORS: readonly OperatorDefinition[] = [
  caseInsensitive('startsWithI', (s, n) => s.startsWith(n)),
  caseInsensitive('endsWithI', (s, n) => s.endsWith(n)),
  caseInsensitive('containsI', (s, n) => s.includes(n)),
];
