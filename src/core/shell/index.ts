/**
 * Shell command-line understanding for rules: split into sub-commands, de-obfuscate
 * words, unwrap `sudo`/`env`/... to the real program, and find encoded payloads.
 * Pure and synchronous; every function here never throws on any input.
 */
export { parseCommandLine } from './parse-command-line';
export { parseFlags } from './parse-flags';
export { decodePayloads } from './decode-payloads';
export { basename, unwrapProgram } from './unwrap-program';
export type { UnwrappedCommand } from './unwrap-program';
export type { ShellCommand, Redirect, CommandOrigin, StdinSource } from './types';
