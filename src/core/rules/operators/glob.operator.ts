import picomatch from 'picomatch';
import { anyString, compiled, problem, stringOrStrings } from './operator';
import type { OperatorDefinition } from './operator';
import { errorMessage } from '../../errors';

/**
 * `glob`: the fact (string or any string in an array) matches a shell-style glob, or
 * any of several. Uses picomatch with `dot: true`: `*` does not cross `/` and `**`
 * does; `/etc/*` matches `/etc/shadow` but not `/etc/ssh/sshd_config`. The regex
 * picomatch builds is checked for backtracking like any rule regex.
 */
/** The regex `glob` tests a pattern with; the prefilter reads its literals from the same one. */
export function globRegex(pattern: string): RegExp {
  return picomatch.makeRe(pattern, { dot: true });
}

export const globOperator: OperatorDefinition = {
  name: 'glob',
  compile(value, ctx) {
    const patterns = stringOrStrings(value);
    if (patterns === undefined) return problem('glob needs a pattern string or an array of them');
    const regexes: RegExp[] = [];
    for (const [index, pattern] of patterns.entries()) {
      const pointer = Array.isArray(value) ? `/${index}` : '';
      let regex: RegExp;
      try {
        regex = globRegex(pattern);
      } catch (error) {
        return problem(`invalid glob: ${errorMessage(error)}`, pointer);
      }
      const reason = ctx.checkRegex(regex.source, regex.flags);
      if (reason !== undefined)
        return problem(`glob ${JSON.stringify(pattern)}: ${reason}`, pointer);
      regexes.push(regex);
    }
    const one = (s: string): boolean => regexes.some((r) => r.test(s));
    return compiled((fact) => anyString(fact, one));
  },
};
