import type * as Recheck from 'recheck';

let loaded: typeof Recheck | undefined;

/**
 * recheck, loaded on first use. Importing it costs 0.1–0.2 s of module loading on
 * this machine (issue 25: a fifth of the CLI's start), and a load whose regexes the
 * static proof decides (every regex of the pack) never needs it.
 */
export function recheck(): typeof Recheck {
  // A require() rather than import(): checkRegex and the format check are synchronous.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('recheck') as typeof Recheck;
  return loaded;
}
