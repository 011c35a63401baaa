/**
 * Joins an argument vector into a command line a person would have typed:
 * arguments with spaces, quotes or shell metacharacters are single-quoted, so
 * `rm -rf '/tmp/a b'` stays one argument to a rule's regex. The exact vector
 * is kept in `process.args`.
 */
export function quoteArgs(args: readonly string[]): string {
  return args.map(quoteArg).join(' ');
}

function quoteArg(arg: string): string {
  if (arg === '') return "''";
  if (/^[A-Za-z0-9_@%+=:,./~^-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
