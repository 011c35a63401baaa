const DASH = 0x2d;
const EQUALS = 0x3d;

/**
 * Flag names in an argument list, the way most Unix tools read them: `-rf` is `r` and
 * `f`, `--force` is `force`, `--color=auto` is `color`, and `--` ends the options.
 * Single-dash long options (`find -name`, `java -jar`) come out as letters; rules that
 * care about those should match the argument itself.
 */
export function parseFlags(args: readonly string[]): string[] {
  const flags = new DistinctNames();
  for (const arg of args) {
    if (arg === '--') break;
    if (arg.length < 2 || arg.charCodeAt(0) !== DASH) continue;
    if (arg.charCodeAt(1) === DASH) {
      const eq = arg.indexOf('=');
      flags.add(eq === -1 ? arg.slice(2) : arg.slice(2, eq));
    } else {
      addShortFlags(arg, flags);
    }
  }
  return flags.names;
}

/** Each character after the dash up to an `=`, by code point like `for...of` (`-😀` is one flag). */
function addShortFlags(arg: string, flags: DistinctNames): void {
  for (let k = 1; k < arg.length; k++) {
    const code = arg.charCodeAt(k);
    if (code === EQUALS) return;
    const pair = isHighSurrogate(code) && isLowSurrogate(arg.charCodeAt(k + 1));
    flags.add(pair ? arg.slice(k, k + 2) : arg.charAt(k));
    if (pair) k += 1;
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** Above this many names, {@link DistinctNames} keeps a Set so that hostile input stays linear. */
const LINEAR_LIMIT = 16;

/**
 * Distinct strings in first-seen order. Commands have a handful of flags, for which a
 * scan of a small array is cheaper than creating and spreading a Set per command.
 */
class DistinctNames {
  readonly names: string[] = [];
  private index: Set<string> | undefined;

  add(name: string): void {
    if (this.index !== undefined) {
      if (this.index.has(name)) return;
      this.index.add(name);
    } else if (this.names.includes(name)) {
      return;
    } else if (this.names.length >= LINEAR_LIMIT) {
      this.index = new Set(this.names).add(name);
    }
    this.names.push(name);
  }
}
