/** A wrapper's option syntax: which options take a value, and its positional words. */
export interface OptionSpec {
  /** Short options that take a value (`-u root` or `-uroot`). */
  short: string;
  /** Long options that take a value (`--user root` or `--user=root`). */
  long: readonly string[];
  /** Number of positional words the wrapper consumes before the command (`timeout 5 cmd`). */
  positionals?: number;
}

const NUMERIC_OPTION = /^-[0-9]+$/;

export interface Options {
  next: number;
  values: Map<string, string>;
  flags: Set<string>;
}

/** Skips a wrapper's options starting at `i`; returns where its command begins. */
export function skipOptions(words: readonly string[], i: number, spec: OptionSpec): Options {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  let j = i;
  while (j < words.length) {
    const word = words[j] ?? '';
    if (word === '--') {
      j += 1;
      break;
    }
    if (word === '-') {
      flags.add('-');
      j += 1;
      continue;
    }
    if (!word.startsWith('-') || word.length < 2) break;
    if (NUMERIC_OPTION.test(word)) {
      j += 1;
      continue;
    }
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const name = eq === -1 ? word.slice(2) : word.slice(2, eq);
      if (eq !== -1) {
        values.set(name, word.slice(eq + 1));
      } else if (spec.long.includes(name)) {
        values.set(name, words[j + 1] ?? '');
        j += 1;
      } else {
        flags.add(name);
      }
      j += 1;
      continue;
    }
    let k = 1;
    while (k < word.length) {
      const ch = word[k] ?? '';
      if (spec.short.includes(ch)) {
        if (k + 1 < word.length) {
          values.set(ch, word.slice(k + 1));
        } else {
          values.set(ch, words[j + 1] ?? '');
          j += 1;
        }
        break;
      }
      flags.add(ch);
      k += 1;
    }
    j += 1;
  }
  return { next: j + (spec.positionals ?? 0), values, flags };
}
