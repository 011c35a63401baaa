import { anyString, compiled, problem, stringOrStrings } from './operator';
import type { OperatorDefinition } from './operator';

const WORD_CHAR = /[A-Za-z0-9_]/;

function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && WORD_CHAR.test(ch);
}

/** Whether `needle` occurs in `haystack` with no word character right before or after it. */
export function containsWord(haystack: string, needle: string): boolean {
  if (needle === '') return false;
  let from = 0;
  for (;;) {
    const at = haystack.indexOf(needle, from);
    if (at === -1) return false;
    if (!isWordChar(haystack[at - 1]) && !isWordChar(haystack[at + needle.length])) return true;
    from = at + 1;
  }
}

/**
 * `containsWord`: case-sensitive, whole-word containment — `nc` is found in
 * `nc -e /bin/sh` and `/usr/bin/nc` but not in `rsync`. A word character is
 * `[A-Za-z0-9_]`; no regex is built, so the value needs no backtracking check.
 */
export const containsWordOperator: OperatorDefinition = {
  name: 'containsWord',
  compile(value) {
    const words = stringOrStrings(value);
    if (words === undefined || words.some((w) => w === '')) {
      return problem('containsWord needs a non-empty string or an array of them');
    }
    const one = (s: string): boolean => words.some((w) => containsWord(s, w));
    return compiled((fact) => anyString(fact, one));
  },
};
