/**
 * The shell tokenizer: splits a command line into simple commands and decodes each
 * word the way the shell would before running it.
 *
 * Why our own and not a library: we evaluated `shell-quote` (maintained, synchronous,
 * but no `$(...)`, backticks or `$'...'`, and it expands `$VAR` from an env object),
 * `bash-parser` (unmaintained since 2017, throws on partial input), `sh-syntax`
 * (wasm, needs an async init — not usable on a synchronous hot path) and `mvdan-sh`
 * (deprecated GopherJS build, several MB, throws on syntax errors). An audit tool sees
 * truncated and hostile lines, and needs de-obfuscation none of them does; so this is a
 * small, tolerant tokenizer that never throws and is bounded in work.
 *
 * What it understands: separators `;` `&&` `||` `|` `|&` `&` newline `(` `)`; single,
 * double and `$'...'` quotes; backslash escapes and line continuations; `$IFS`,
 * `${IFS}`, `${IFS...}` as a word break; `$@ $* $1..$9` as empty (interactive shells
 * have no positional parameters: `r$@m` is `rm`); command substitution `$(...)` and
 * backticks and process substitution `<(...)` `>(...)` (their content is parsed as
 * further sub-commands, the word keeps the raw text); redirections with or without a
 * file descriptor number; `#` comments.
 *
 * Unquoted `{a,b}` words are brace-expanded here (expand-braces.ts); words with
 * unquoted glob characters are noted for parse-command-line.ts, which adds the
 * well-known paths they name (match-globs.ts).
 *
 * Limits (documented in docs/rules.md, "The shell parser and its limits"): variables
 * are resolved later and only when static (resolve-variables.ts), no alias or function
 * resolution, `case ... in a)` patterns are split at `)`, heredoc bodies are parsed as
 * if they were commands, arithmetic `$((...))` is kept raw.
 *
 * Why one file of about 600 lines: the Scanner is one state machine over one line (the
 * cursor, the word being built, its brace/glob pattern, the quoting), and each construct
 * above is a method that reads and moves that same state; split, a reader would follow
 * one scan across files. What needs none of that state is already apart
 * (expand-braces.ts, match-globs.ts, resolve-variables.ts).
 */

import { decodeAnsiC } from './decode-ansi-c';
import { escapePattern, expandBraces, MAX_BRACE_STEPS, unescapePattern } from './expand-braces';
import type { BraceBudget } from './expand-braces';
import { hasGlobChars } from './match-globs';
import type { CommandOrigin } from './types';

/** A simple command before unwrapping: decoded words, redirections and where it sits. */
export interface RawCommand {
  words: string[];
  redirects: { op: string; target: string }[];
  raw: string;
  pipeline: number;
  depth: number;
  origin: CommandOrigin;
  /**
   * Whether a `$` or backtick outside single quotes was seen in the command: only then
   * can a word hold a variable or substitution to resolve (parse-command-line.ts).
   */
  expands: boolean;
  /**
   * Words with unquoted glob characters that start with `/`, and their pattern (quoted
   * characters escaped): parse-command-line.ts adds the well-known paths they name.
   * Absent when there is none (the usual case).
   */
  globs?: GlobWord[];
}

/** A word of a RawCommand that is an absolute glob (`/etc/shado[w]`). */
export interface GlobWord {
  index: number;
  pattern: string;
}

/** Shared bounds and counters of one parse, so nested parsing cannot blow up. */
export interface ScanContext {
  commands: RawCommand[];
  nextPipeline: number;
  /** Remaining characters the parse may still scan, across all nesting levels. */
  budget: number;
  /** Remaining words brace expansion may still produce for this line. */
  expansions: number;
  /** Remaining characters brace expansion may still search for this line; made on first use. */
  braces?: BraceBudget;
}

/** Nesting deeper than this is kept as raw text instead of being parsed. */
export const MAX_DEPTH = 6;
/** At most this many sub-commands per command line; the rest are ignored. */
export const MAX_COMMANDS = 256;
/** Characters scanned per command line, nested text included. */
export const MAX_SCAN_CHARS = 256 * 1024;
/** Words brace expansion may produce per command line, across all its words. */
export const MAX_EXPANDED_WORDS = 1024;

// Character codes the scanner dispatches on (charCodeAt, not one-character strings).
const TAB = 0x09;
const NEWLINE = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const DOUBLE_QUOTE = 0x22;
const HASH = 0x23;
const DOLLAR = 0x24;
const AMPERSAND = 0x26;
const SINGLE_QUOTE = 0x27;
const OPEN_PAREN = 0x28;
const CLOSE_PAREN = 0x29;
const SEMICOLON = 0x3b;
const LESS = 0x3c;
const GREATER = 0x3e;
const BACKSLASH = 0x5c;
const BACKTICK = 0x60;
const PIPE = 0x7c;
const SLASH = 0x2f;

/** In PLAIN_RUN_CLASS: the code unit ends a plain run. */
const ENDS_RUN = 1;
/** In PLAIN_RUN_CLASS: a literal that may start a brace or glob expansion. */
const PATTERN_CHAR = 2;

/**
 * Code units that end a run of literal word characters outside quotes (ENDS_RUN):
 * everything `Scanner.run` has a case for except `#`, which is literal inside a word.
 * Plain runs are copied with one `slice` instead of one string concatenation per
 * character. `{ * ? [` (PATTERN_CHAR) are literals that make the word a pattern.
 */
const PLAIN_RUN_CLASS: Uint8Array = (() => {
  const table = new Uint8Array(128);
  for (const ch of ' \t\r\n;|&()<>\\\'"`$') table[ch.charCodeAt(0)] = ENDS_RUN;
  for (const ch of '{*?[') table[ch.charCodeAt(0)] = PATTERN_CHAR;
  return table;
})();

/** `NAME=` or `NAME[i]=` at a word's start: no brace or pathname expansion in an assignment. */
const ASSIGNMENT_WORD = /^[A-Za-z_][A-Za-z0-9_]*(?:\[[^\]]*\])?\+?=/;

/** `[A-Za-z_]`; false for NaN (past the end of the input). */
function isIdentStart(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || code === 0x5f;
}

/** `[A-Za-z0-9_]`. */
function isIdentChar(code: number): boolean {
  return isIdentStart(code) || (code >= 0x30 && code <= 0x39);
}

/** `/^[0-9]+$/` without the regex: a word made only of ASCII digits. */
function isDigits(word: string): boolean {
  if (word.length === 0) return false;
  for (let k = 0; k < word.length; k++) {
    const code = word.charCodeAt(k);
    if (code < 0x30 || code > 0x39) return false;
  }
  return true;
}

/** Redirection operators, longest first so that `&>>` is not read as `&>`. */
const REDIRECT_OPERATORS: readonly string[] = [
  '&>>',
  '&>',
  '<<<',
  '<<-',
  '<<',
  '<&',
  '<>',
  '>>',
  '>&',
  '>|',
  '<',
  '>',
];

/** Creates the bounded context for one command line. */
export function newScanContext(): ScanContext {
  return {
    commands: [],
    nextPipeline: 0,
    budget: MAX_SCAN_CHARS,
    expansions: MAX_EXPANDED_WORDS,
  };
}

/**
 * Index of the `close` that balances an opener already consumed before `start`,
 * skipping quoted text; `input.length` when unbalanced (truncated lines are common).
 */
export function findClosing(input: string, start: number, open: string, close: string): number {
  let depth = 1;
  for (let i = start; i < input.length; i++) {
    const ch = input[i];
    if (ch === '\\') {
      i += 1;
    } else if (ch === "'") {
      const end = input.indexOf("'", i + 1);
      i = end === -1 ? input.length : end;
    } else if (ch === '"') {
      i = skipDoubleQuoted(input, i + 1);
    } else if (ch === open) {
      depth += 1;
    } else if (ch === close) {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  return input.length;
}

function skipDoubleQuoted(input: string, start: number): number {
  for (let i = start; i < input.length; i++) {
    const ch = input[i];
    if (ch === '\\') i += 1;
    else if (ch === '"') return i;
  }
  return input.length;
}

function findBacktickEnd(input: string, start: number): number {
  for (let i = start; i < input.length; i++) {
    const ch = input[i];
    if (ch === '\\') i += 1;
    else if (ch === '`') return i;
  }
  return input.length;
}

/**
 * Scans `input` and appends its simple commands to `ctx.commands`. Never throws;
 * stops quietly when the context's budget or command limit is exhausted.
 */
export function scanCommands(
  input: string,
  ctx: ScanContext,
  depth: number,
  origin: RawCommand['origin'],
): void {
  if (ctx.budget <= 0 || ctx.commands.length >= MAX_COMMANDS) return;
  const text = input.length > ctx.budget ? input.slice(0, ctx.budget) : input;
  ctx.budget -= text.length;
  new Scanner(text, ctx, depth, origin).run();
}

class Scanner {
  private i = 0;
  private word: string | null = null;
  /**
   * The word as a brace/glob pattern (expand-braces.ts), once an unquoted `{ * ? [`
   * is seen in it: quoted and escaped text is backslash-escaped. Null for most words.
   */
  private pattern: string | null = null;
  private globs: GlobWord[] | undefined;
  private expands = false;
  private words: string[] = [];
  private redirects: { op: string; target: string }[] = [];
  private pendingRedirect: string | null = null;
  private commandStart = 0;
  private pipeline: number;

  constructor(
    private readonly input: string,
    private readonly ctx: ScanContext,
    private readonly depth: number,
    private readonly origin: RawCommand['origin'],
  ) {
    this.pipeline = ctx.nextPipeline++;
  }

  run(): void {
    const input = this.input;
    while (this.i < input.length) {
      const code = input.charCodeAt(this.i);
      const next = input.charCodeAt(this.i + 1);
      switch (code) {
        case SPACE:
        case TAB:
        case CR:
          this.endWord();
          this.i += 1;
          break;
        case NEWLINE:
          this.endCommand(';', 1);
          break;
        case SEMICOLON:
          this.endCommand(';', next === SEMICOLON || next === AMPERSAND ? 2 : 1);
          break;
        case PIPE:
          if (next === PIPE) this.endCommand('||', 2);
          else this.endCommand('|', next === AMPERSAND ? 2 : 1);
          break;
        case AMPERSAND:
          if (next === AMPERSAND) this.endCommand('&&', 2);
          else if (next === GREATER) this.redirect();
          else this.endCommand('&', 1);
          break;
        case OPEN_PAREN:
        case CLOSE_PAREN:
          this.endCommand(';', 1);
          break;
        case LESS:
        case GREATER:
          if (next === OPEN_PAREN) this.processSubstitution();
          else this.redirect();
          break;
        case BACKSLASH:
          this.backslash();
          break;
        case SINGLE_QUOTE:
          this.singleQuoted();
          break;
        case DOUBLE_QUOTE:
          this.doubleQuoted();
          break;
        case BACKTICK:
          this.append(this.backtick());
          break;
        case DOLLAR:
          this.dollar(false);
          break;
        case HASH:
          if (this.word === null) this.comment();
          else this.plainRun();
          break;
        default:
          this.plainRun();
      }
    }
    this.endCommand(';', 0);
  }

  /**
   * Appends literal characters from `i` up to the next one `run` has a case for. The
   * character at `i` is always taken (it is a literal, or a `#` inside a word).
   */
  private plainRun(): void {
    const input = this.input;
    const start = this.i;
    const first = input.charCodeAt(start);
    let special = first < 128 && PLAIN_RUN_CLASS[first] === PATTERN_CHAR;
    let end = start + 1;
    for (; end < input.length; end++) {
      const code = input.charCodeAt(end);
      if (code >= 128) continue;
      const kind = PLAIN_RUN_CLASS[code];
      if (kind === 0) continue;
      if (kind === ENDS_RUN) break;
      special = true;
    }
    const text = input.slice(start, end);
    // Before its first unquoted pattern character, all of the word is literal.
    if (special && this.pattern === null) this.pattern = escapePattern(this.word ?? '');
    if (this.pattern !== null) this.pattern += text;
    this.word = this.word === null ? text : this.word + text;
    this.i = end;
  }

  /** Appends quoted, escaped or decoded text: literal, never a brace or glob character. */
  private append(text: string): void {
    this.word = this.word === null ? text : this.word + text;
    if (this.pattern !== null) this.pattern += escapePattern(text);
  }

  private endWord(): void {
    if (this.word === null) return;
    const pattern = this.pattern;
    this.pattern = null;
    if (this.pendingRedirect !== null) {
      // A redirection target is one word (bash rejects one that expands to several).
      this.redirects.push({ op: this.pendingRedirect, target: this.word });
      this.pendingRedirect = null;
    } else if (pattern === null || this.isAssignment(this.word)) {
      this.words.push(this.word);
    } else {
      this.pushExpanded(this.word, pattern);
    }
    this.word = null;
  }

  /** An assignment before the command (`x={a,b}`): bash expands neither braces nor globs in it. */
  private isAssignment(word: string): boolean {
    return ASSIGNMENT_WORD.test(word) && this.words.every((w) => ASSIGNMENT_WORD.test(w));
  }

  /** Pushes the words a pattern expands to (braces), noting those that are absolute globs. */
  private pushExpanded(word: string, pattern: string): void {
    const ctx = this.ctx;
    const patterns =
      ctx.expansions > 0
        ? expandBraces(pattern, (ctx.braces ??= { steps: MAX_BRACE_STEPS }))
        : [pattern];
    ctx.expansions -= patterns.length;
    for (const expanded of patterns) {
      if (expanded.charCodeAt(0) === SLASH && hasGlobChars(expanded))
        (this.globs ??= []).push({ index: this.words.length, pattern: expanded });
      this.words.push(expanded === pattern ? word : unescapePattern(expanded));
    }
  }

  private endCommand(separator: string, width: number): void {
    this.endWord();
    if (this.pendingRedirect !== null) {
      this.redirects.push({ op: this.pendingRedirect, target: '' });
      this.pendingRedirect = null;
    }
    const globs = this.globs;
    this.globs = undefined;
    if (
      (this.words.length > 0 || this.redirects.length > 0) &&
      this.ctx.commands.length < MAX_COMMANDS
    ) {
      const command: RawCommand = {
        words: this.words,
        redirects: this.redirects,
        raw: this.input.slice(this.commandStart, this.i).trim(),
        pipeline: this.pipeline,
        depth: this.depth,
        origin: this.origin,
        expands: this.expands,
      };
      if (globs !== undefined) command.globs = globs;
      this.ctx.commands.push(command);
      this.words = [];
      this.redirects = [];
    } else {
      // Not handed over, so they can be reused: empty separators (`a;;b`, `( )`) and
      // commands past the limit allocate nothing.
      this.words.length = 0;
      this.redirects.length = 0;
    }
    this.expands = false;
    this.i += width;
    this.commandStart = this.i;
    if (separator !== '|') this.pipeline = this.ctx.nextPipeline++;
  }

  private nested(text: string, origin: RawCommand['origin']): void {
    if (this.depth + 1 <= MAX_DEPTH) scanCommands(text, this.ctx, this.depth + 1, origin);
  }

  private comment(): void {
    const end = this.input.indexOf('\n', this.i);
    this.i = end === -1 ? this.input.length : end;
  }

  private backslash(): void {
    const next = this.input.charCodeAt(this.i + 1);
    if (Number.isNaN(next)) {
      this.i += 1;
    } else if (next === NEWLINE) {
      this.i += 2;
    } else {
      this.append(this.input.slice(this.i + 1, this.i + 2));
      this.i += 2;
    }
  }

  private singleQuoted(): void {
    const end = this.input.indexOf("'", this.i + 1);
    const stop = end === -1 ? this.input.length : end;
    this.append(this.input.slice(this.i + 1, stop));
    this.i = stop + 1;
  }

  /**
   * Consumes `"..."` from the opening quote. Literal text between the characters that
   * mean something inside double quotes is appended as one slice.
   */
  private doubleQuoted(): void {
    const input = this.input;
    this.append('');
    this.i += 1;
    let runStart = this.i;
    while (this.i < input.length) {
      const code = input.charCodeAt(this.i);
      if (code === BACKSLASH) {
        const next = input.charCodeAt(this.i + 1);
        if (next === NEWLINE) {
          this.flushRun(runStart);
          this.i += 2;
          runStart = this.i;
        } else if (
          next === DOLLAR ||
          next === BACKTICK ||
          next === DOUBLE_QUOTE ||
          next === BACKSLASH
        ) {
          this.flushRun(runStart);
          this.append(input.slice(this.i + 1, this.i + 2));
          this.i += 2;
          runStart = this.i;
        } else {
          // Any other backslash is literal, like the character after it.
          this.i += 1;
        }
      } else if (code === DOUBLE_QUOTE) {
        this.flushRun(runStart);
        this.i += 1;
        return;
      } else if (code === BACKTICK) {
        this.flushRun(runStart);
        this.append(this.backtick());
        runStart = this.i;
      } else if (code === DOLLAR) {
        this.flushRun(runStart);
        this.dollar(true);
        runStart = this.i;
      } else {
        this.i += 1;
      }
    }
    this.flushRun(runStart);
  }

  /** Appends the literal text from `start` to the current position, if any. */
  private flushRun(start: number): void {
    if (this.i > start) this.append(this.input.slice(start, this.i));
  }

  /** Consumes a backtick substitution, parses its content, returns its raw text. */
  private backtick(): string {
    this.expands = true;
    const end = findBacktickEnd(this.input, this.i + 1);
    const body = this.input.slice(this.i + 1, end);
    this.nested(body.includes('\\') ? body.replace(/\\([`$\\])/g, '$1') : body, 'substitution');
    this.i = end + 1;
    return '`' + body + '`';
  }

  private processSubstitution(): void {
    const close = findClosing(this.input, this.i + 2, '(', ')');
    this.nested(this.input.slice(this.i + 2, close), 'substitution');
    this.append(this.input.slice(this.i, close + 1));
    this.i = close + 1;
  }

  private dollar(inDoubleQuotes: boolean): void {
    this.expands = true;
    const input = this.input;
    const next = input.charCodeAt(this.i + 1);
    if (next === SINGLE_QUOTE && !inDoubleQuotes) {
      const end = input.indexOf("'", this.i + 2);
      const stop = end === -1 ? input.length : end;
      this.append(decodeAnsiC(input.slice(this.i + 2, stop)));
      this.i = stop + 1;
    } else if (next === DOUBLE_QUOTE && !inDoubleQuotes) {
      this.i += 1;
      this.doubleQuoted();
    } else if (next === OPEN_PAREN && input.charCodeAt(this.i + 2) === OPEN_PAREN) {
      const close = findClosing(input, this.i + 3, '(', ')');
      const end = input.charCodeAt(close + 1) === CLOSE_PAREN ? close + 2 : close + 1;
      this.append(input.slice(this.i, end));
      this.i = end;
    } else if (next === OPEN_PAREN) {
      const close = findClosing(input, this.i + 2, '(', ')');
      this.nested(input.slice(this.i + 2, close), 'substitution');
      this.append(input.slice(this.i, close + 1));
      this.i = close + 1;
    } else if (next === 0x7b /* { */) {
      const close = findClosing(input, this.i + 2, '{', '}');
      if (input.startsWith('IFS', this.i + 2)) this.ifs(inDoubleQuotes);
      else this.append(input.slice(this.i, close + 1));
      this.i = close + 1;
    } else if (next === 0x40 /* @ */ || next === 0x2a /* * */ || (next >= 0x31 && next <= 0x39)) {
      // Expands to nothing in an interactive shell; `r$@m` is how `rm` hides.
      if (inDoubleQuotes) this.append('');
      this.i += 2;
    } else if (isIdentStart(next)) {
      let end = this.i + 2;
      while (end < input.length && isIdentChar(input.charCodeAt(end))) end += 1;
      if (end - this.i === 4 && input.startsWith('IFS', this.i + 1)) this.ifs(inDoubleQuotes);
      else this.append(input.slice(this.i, end));
      this.i = end;
    } else {
      this.append('$');
      this.i += 1;
    }
  }

  /** `$IFS` splits words outside quotes (`cat${IFS}/etc/passwd`); inside quotes it is a space. */
  private ifs(inDoubleQuotes: boolean): void {
    if (inDoubleQuotes) this.append(' ');
    else this.endWord();
  }

  private redirect(): void {
    const input = this.input;
    // A word made only of digits right before the operator is a file descriptor (`2>`).
    if (this.word !== null && isDigits(this.word) && this.pendingRedirect === null) {
      this.word = null;
    } else {
      this.endWord();
    }
    let op = '';
    for (const candidate of REDIRECT_OPERATORS) {
      if (input.startsWith(candidate, this.i)) {
        op = candidate;
        break;
      }
    }
    this.i += op.length;
    if (this.pendingRedirect !== null)
      this.redirects.push({ op: this.pendingRedirect, target: '' });
    this.pendingRedirect = op;
  }
}
