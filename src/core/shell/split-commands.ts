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
 * Limits (documented in docs/rules-reference.draft.md): no variable expansion other
 * than the above (`$HOME` stays literal), no alias or function resolution, no brace
 * (`{a,b}`) or glob expansion, `case ... in a)` patterns are split at `)`, heredoc
 * bodies are parsed as if they were commands, arithmetic `$((...))` is kept raw.
 */

import { decodeAnsiC } from './decode-ansi-c';

/** A simple command before unwrapping: decoded words, redirections and where it sits. */
export interface RawCommand {
  words: string[];
  redirects: { op: string; target: string }[];
  raw: string;
  pipeline: number;
  depth: number;
  origin: 'line' | 'substitution' | 'script' | 'exec';
}

/** Shared bounds and counters of one parse, so nested parsing cannot blow up. */
export interface ScanContext {
  commands: RawCommand[];
  nextPipeline: number;
  /** Remaining characters the parse may still scan, across all nesting levels. */
  budget: number;
}

/** Nesting deeper than this is kept as raw text instead of being parsed. */
export const MAX_DEPTH = 6;
/** At most this many sub-commands per command line; the rest are ignored. */
export const MAX_COMMANDS = 256;
/** Characters scanned per command line, nested text included. */
export const MAX_SCAN_CHARS = 256 * 1024;

const IDENT_START = /[A-Za-z_]/;
const IDENT_CHAR = /[A-Za-z0-9_]/;
const DIGITS = /^[0-9]+$/;

/** Creates the bounded context for one command line. */
export function newScanContext(): ScanContext {
  return { commands: [], nextPipeline: 0, budget: MAX_SCAN_CHARS };
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
      const ch = input[this.i] ?? '';
      switch (ch) {
        case ' ':
        case '\t':
        case '\r':
          this.endWord();
          this.i += 1;
          break;
        case '\n':
          this.endCommand(';', 1);
          break;
        case ';':
          this.endCommand(';', input[this.i + 1] === ';' || input[this.i + 1] === '&' ? 2 : 1);
          break;
        case '|':
          if (input[this.i + 1] === '|') this.endCommand('||', 2);
          else this.endCommand('|', input[this.i + 1] === '&' ? 2 : 1);
          break;
        case '&':
          if (input[this.i + 1] === '&') this.endCommand('&&', 2);
          else if (input[this.i + 1] === '>') this.redirect();
          else this.endCommand('&', 1);
          break;
        case '(':
        case ')':
          this.endCommand(';', 1);
          break;
        case '<':
        case '>':
          if (input[this.i + 1] === '(') this.processSubstitution();
          else this.redirect();
          break;
        case '\\':
          this.backslash();
          break;
        case "'":
          this.singleQuoted();
          break;
        case '"':
          this.doubleQuoted();
          break;
        case '`':
          this.append(this.backtick());
          break;
        case '$':
          this.dollar(false);
          break;
        case '#':
          if (this.word === null) this.comment();
          else this.appendChar(ch);
          break;
        default:
          this.appendChar(ch);
      }
    }
    this.endCommand(';', 0);
  }

  private appendChar(ch: string): void {
    this.word = (this.word ?? '') + ch;
    this.i += 1;
  }

  private append(text: string): void {
    this.word = (this.word ?? '') + text;
  }

  private endWord(): void {
    if (this.word === null) return;
    if (this.pendingRedirect !== null) {
      this.redirects.push({ op: this.pendingRedirect, target: this.word });
      this.pendingRedirect = null;
    } else {
      this.words.push(this.word);
    }
    this.word = null;
  }

  private endCommand(separator: string, width: number): void {
    this.endWord();
    if (this.pendingRedirect !== null) {
      this.redirects.push({ op: this.pendingRedirect, target: '' });
      this.pendingRedirect = null;
    }
    if (
      (this.words.length > 0 || this.redirects.length > 0) &&
      this.ctx.commands.length < MAX_COMMANDS
    ) {
      this.ctx.commands.push({
        words: this.words,
        redirects: this.redirects,
        raw: this.input.slice(this.commandStart, this.i).trim(),
        pipeline: this.pipeline,
        depth: this.depth,
        origin: this.origin,
      });
    }
    this.words = [];
    this.redirects = [];
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
    const next = this.input[this.i + 1];
    if (next === undefined) {
      this.i += 1;
    } else if (next === '\n') {
      this.i += 2;
    } else {
      this.append(next);
      this.i += 2;
    }
  }

  private singleQuoted(): void {
    const end = this.input.indexOf("'", this.i + 1);
    const stop = end === -1 ? this.input.length : end;
    this.append(this.input.slice(this.i + 1, stop));
    this.i = stop + 1;
  }

  private doubleQuoted(): void {
    const input = this.input;
    this.append('');
    this.i += 1;
    while (this.i < input.length) {
      const ch = input[this.i];
      if (ch === '"') {
        this.i += 1;
        return;
      }
      if (ch === '\\') {
        const next = input[this.i + 1];
        if (next === '\n') {
          this.i += 2;
        } else if (next === '$' || next === '`' || next === '"' || next === '\\') {
          this.append(next);
          this.i += 2;
        } else {
          this.appendChar('\\');
        }
      } else if (ch === '`') {
        this.append(this.backtick());
      } else if (ch === '$') {
        this.dollar(true);
      } else {
        this.appendChar(ch ?? '');
      }
    }
  }

  /** Consumes a backtick substitution, parses its content, returns its raw text. */
  private backtick(): string {
    const end = findBacktickEnd(this.input, this.i + 1);
    const body = this.input.slice(this.i + 1, end);
    this.nested(body.replace(/\\([`$\\])/g, '$1'), 'substitution');
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
    const input = this.input;
    const next = input[this.i + 1] ?? '';
    if (next === "'" && !inDoubleQuotes) {
      const end = input.indexOf("'", this.i + 2);
      const stop = end === -1 ? input.length : end;
      this.append(decodeAnsiC(input.slice(this.i + 2, stop)));
      this.i = stop + 1;
    } else if (next === '"' && !inDoubleQuotes) {
      this.i += 1;
      this.doubleQuoted();
    } else if (next === '(' && input[this.i + 2] === '(') {
      const close = findClosing(input, this.i + 3, '(', ')');
      const end = input[close + 1] === ')' ? close + 2 : close + 1;
      this.append(input.slice(this.i, end));
      this.i = end;
    } else if (next === '(') {
      const close = findClosing(input, this.i + 2, '(', ')');
      this.nested(input.slice(this.i + 2, close), 'substitution');
      this.append(input.slice(this.i, close + 1));
      this.i = close + 1;
    } else if (next === '{') {
      const close = findClosing(input, this.i + 2, '{', '}');
      if (input.startsWith('IFS', this.i + 2)) this.ifs(inDoubleQuotes);
      else this.append(input.slice(this.i, close + 1));
      this.i = close + 1;
    } else if (next === '@' || next === '*' || (next >= '1' && next <= '9')) {
      // Expands to nothing in an interactive shell; `r$@m` is how `rm` hides.
      if (inDoubleQuotes) this.append('');
      this.i += 2;
    } else if (IDENT_START.test(next)) {
      let end = this.i + 2;
      while (end < input.length && IDENT_CHAR.test(input[end] ?? '')) end += 1;
      const name = input.slice(this.i + 1, end);
      if (name === 'IFS') this.ifs(inDoubleQuotes);
      else this.append(input.slice(this.i, end));
      this.i = end;
    } else {
      this.appendChar('$');
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
    if (this.word !== null && DIGITS.test(this.word) && this.pendingRedirect === null) {
      this.word = null;
    } else {
      this.endWord();
    }
    let op = '';
    for (const candidate of [
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
    ]) {
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
