import { KeywordScanner } from '../keyword-scanner';
import { anyString, compiled, problem, stringOrStrings } from './operator';
import type { OperatorDefinition } from './operator';

/** Lowercased needles tested against one lowercased string. */
type LoweredTest = (haystack: string) => boolean;

let lastInput: string | undefined;
let lastLowered = '';

/**
 * `s.toLowerCase()`, remembering the last answer: the rules of one event ask for the
 * lowercase form of the same command line (or argument) one after another.
 */
export function lowerCase(s: string): string {
  if (s !== lastInput) {
    lastLowered = s.toLowerCase();
    lastInput = s;
  }
  return lastLowered;
}

/** Needles grouped by one code unit of theirs (first or last), so a test looks at few of them. */
function bucketed(needles: readonly string[], at: (s: string) => number): Map<number, string[]> {
  const buckets = new Map<number, string[]>();
  for (const needle of needles) {
    const code = at(needle);
    const bucket = buckets.get(code);
    if (bucket === undefined) buckets.set(code, [needle]);
    else bucket.push(needle);
  }
  return buckets;
}

const SMALL = 4;

function startsWithAny(needles: readonly string[]): LoweredTest {
  if (needles.length <= SMALL)
    return (s) => {
      for (let i = 0; i < needles.length; i++) if (s.startsWith(needles[i]!)) return true;
      return false;
    };
  const buckets = bucketed(needles, (n) => n.charCodeAt(0));
  return (s) => buckets.get(s.charCodeAt(0))?.some((n) => s.startsWith(n)) === true;
}

function endsWithAny(needles: readonly string[]): LoweredTest {
  if (needles.length <= SMALL)
    return (s) => {
      for (let i = 0; i < needles.length; i++) if (s.endsWith(needles[i]!)) return true;
      return false;
    };
  const buckets = bucketed(needles, (n) => n.charCodeAt(n.length - 1));
  return (s) => buckets.get(s.charCodeAt(s.length - 1))?.some((n) => s.endsWith(n)) === true;
}

function includesAny(needles: readonly string[]): LoweredTest {
  if (needles.length <= SMALL)
    return (s) => {
      for (let i = 0; i < needles.length; i++) if (s.includes(needles[i]!)) return true;
      return false;
    };
  // One pass over the string whatever the number of needles (plain code-unit substrings).
  // Built on the first test, not at load (issue 25: the pack's ~600 lists made a tenth
  // of its load, and the prefilter keeps most of these leaves from ever running).
  let scanner: KeywordScanner | undefined;
  return (s) => (scanner ??= new KeywordScanner(needles)).matchesAny(s);
}

function caseInsensitive(
  name: string,
  build: (lowered: readonly string[]) => LoweredTest,
): OperatorDefinition {
  return {
    name,
    compile(value) {
      const needles = stringOrStrings(value);
      if (needles === undefined) return problem(`${name} needs a string or an array of strings`);
      const lowered = needles.map((n) => n.toLowerCase());
      // An empty needle starts, ends and is contained in every string.
      const test: LoweredTest = lowered.includes('') ? () => true : build(lowered);
      const one = (s: string): boolean => test(lowerCase(s));
      return compiled((fact) => anyString(fact, one));
    },
  };
}

/**
 * `startsWithI`, `endsWithI`, `containsI`: case-insensitive string tests against one
 * string or any of several (`s.toLowerCase()` against each `needle.toLowerCase()`).
 * Named with an `I` suffix rather than a params flag because json-rules-engine passes
 * no params to operators; the built-in `contains` (array membership) keeps its meaning.
 * Long needle lists are indexed at compile time (by first or last code unit, or an
 * Aho-Corasick scanner for `containsI`), with the same answers as testing each needle.
 */
export const CASE_INSENSITIVE_OPERATORS: readonly OperatorDefinition[] = [
  caseInsensitive('startsWithI', startsWithAny),
  caseInsensitive('endsWithI', endsWithAny),
  caseInsensitive('containsI', includesAny),
];
