/**
 * Flag names in an argument list, the way most Unix tools read them: `-rf` is `r` and
 * `f`, `--force` is `force`, `--color=auto` is `color`, and `--` ends the options.
 * Single-dash long options (`find -name`, `java -jar`) come out as letters; rules that
 * care about those should match the argument itself.
 */
export function parseFlags(args: readonly string[]): string[] {
  const flags = new Set<string>();
  for (const arg of args) {
    if (arg === '--') break;
    if (arg.length < 2 || arg[0] !== '-') continue;
    if (arg[1] === '-') {
      const eq = arg.indexOf('=');
      flags.add(eq === -1 ? arg.slice(2) : arg.slice(2, eq));
    } else {
      for (const ch of arg.slice(1)) {
        if (ch === '=') break;
        flags.add(ch);
      }
    }
  }
  return [...flags];
}
