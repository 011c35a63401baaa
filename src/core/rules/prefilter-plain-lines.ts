/**
 * Plain-line handling for the prefilter: which command lines may skip the shell parser,
 * and what such a line must contain, folded, for an atom to hold.
 *
 * Plain lines skip the shell parser. When a line is ASCII and has none of the
 * characters that make the parser produce text the line does not contain (quotes,
 * backslash, backtick, `$`), every field of every parsed command is made of
 * space-separated pieces of the lowercased line (words are substrings; `argsText`,
 * `eval` scripts and `find -exec` argv are words joined by one space, and a
 * redirection can sit between two arguments). So for such a line each `commands`
 * keyword is restated as its longest space-free piece (with the one space before or
 * after it in the keyword: a space in a field is a word end in the line), and one scan
 * of the line, as if a space preceded and followed it, stands in for parsing it and
 * scanning every field.
 *
 * A program (or wrapper) name is a word or the tail of one after its last `/`, so it is
 * restated twice, ` name ` and `/name `: `sh` is not found in `ssh` or `run.sh`. The
 * only words the parser does not take at a word start are option values that become
 * commands — `env -S`/`--split-string`, `su -c`/`--command` (`env -Sbash`,
 * `su -cid`) — so a plain line where `env ` or `su ` occurs is also scanned the parsed
 * way, which has no such assumption. Text a shell reads on stdin is parsed as commands
 * too (`echo id | sh`, `sh <<< id`): echo's words joined by one space, or a here-string
 * word, are pieces of the line like `eval`'s; printf's output and decoded payloads are
 * not, so a plain line naming printf or a decoder is scanned the parsed way as well.
 * Brace expansion and absolute globs also make words the line lacks: such lines are not
 * plain (EXPANSION_CLASS).
 *
 * Lines whose only such characters are quotes, balanced and never one kind inside the
 * other (`grep "a b" f`, `r''m -rf /`), skip it too. Removing a quote is all the
 * parser does with them, so every word is a piece of the line with its quote
 * characters deleted, and a command's raw text a piece of the line itself: two scans,
 * of the line and of its unquoted text. A quote inside the other kind is left to the
 * parser, because a script re-parsed from a quoted word (`sh -c`, `eval`) would
 * remove it too.
 */
import type { Atom } from './prefilter-conditions';

/**
 * `line` without its quote characters when the parser can only cut it into pieces
 * and remove quotes (see the module comment): ASCII, none of \ ` $, quotes balanced
 * and none inside the other kind. `line` itself when it has no quotes (a plain line);
 * undefined when it must be parsed.
 */
export function unquotedPlainText(line: string): string | undefined {
  let unquoted = '';
  let copiedTo = 0;
  let open = 0;
  let braceSeen = false;
  let slashInWord = false;
  for (let i = 0; i < line.length; i++) {
    const code = line.charCodeAt(i);
    // 0x22 " 0x24 $ 0x27 ' 0x5c \ 0x60 `
    if (code >= 128 || code === 0x24 || code === 0x5c || code === 0x60) return undefined;
    if (code !== 0x22 && code !== 0x27) {
      if (code === 0x2f) slashInWord = true;
      // Inside quotes too: a quoted word re-parsed as a script (`sh -c '...'`, `eval`,
      // a container's command) expands its braces and globs like the line's own.
      const kind = EXPANSION_CLASS[code];
      if (kind === WORD_END) slashInWord = false;
      else if (kind === BRACE) braceSeen = true;
      else if (kind === GLOB && slashInWord) return undefined;
      else if (kind === BRACE_SEPARATOR && braceSeen) {
        if (code === 0x2c || line.charCodeAt(i + 1) === 0x2e) return undefined;
      }
      continue;
    }
    if (open === 0) open = code;
    else if (open === code) open = 0;
    else return undefined;
    unquoted += line.slice(copiedTo, i);
    copiedTo = i + 1;
  }
  if (open !== 0) return undefined;
  return copiedTo === 0 ? line : unquoted + line.slice(copiedTo);
}

/** In EXPANSION_CLASS: a character that ends a word outside quotes. */
const WORD_END = 1;
/** In EXPANSION_CLASS: `{`, which may open a brace expansion. */
const BRACE = 2;
/** In EXPANSION_CLASS: `,` or `.`, which may make a `{...}` after a `{` a brace expansion. */
const BRACE_SEPARATOR = 3;
/** In EXPANSION_CLASS: `* ? [`, which make a word starting with `/` a glob. */
const GLOB = 4;

/**
 * What unquotedPlainText watches for besides quotes: the parser expands a `{a,b}` or
 * `{1..3}` (expand-braces.ts) into words the line does not contain, and adds the paths
 * an absolute glob names (`/etc/shado[w]`), so a line with a `{` followed by a `,` or
 * `..`, or a glob character in a word with a `/` before it, is parsed. Quoted or not:
 * a quoted word the parser re-reads as a script (`sh -c 'cat /etc/shad*'`) expands
 * them too. Over-approximate on purpose: cheap and sound.
 */
const EXPANSION_CLASS: Uint8Array = (() => {
  const table = new Uint8Array(128);
  for (const ch of ' \t\r\n;|&()<>') table[ch.charCodeAt(0)] = WORD_END;
  table[0x7b] = BRACE;
  table[0x2c] = BRACE_SEPARATOR;
  table[0x2e] = BRACE_SEPARATOR;
  for (const ch of '*?[') table[ch.charCodeAt(0)] = GLOB;
  return table;
})();

/**
 * Whether the parser can only cut `line` into pieces (see the module comment): ASCII,
 * and none of the characters ' " \ ` $.
 */
export function isPlainLine(line: string): boolean {
  return unquotedPlainText(line) === line;
}

/**
 * The characters that end a word in a plain line (split-commands.ts): a program name
 * or wrapper is a whole word or a word's tail, so on a plain line one of these (or the
 * line's end, scanned as a space) follows it.
 */
const WORD_ENDS = ' \t\r\n;|&()<>';
export const SPACE = 0x20;
/**
 * How a plain line and its keywords are folded before the scan: lowercase, and every
 * word end a space. Folding both alike keeps "keyword in line" true, and a program then
 * needs one keyword (`name `) rather than one per word end.
 */
export const PLAIN_FOLD: Uint8Array = (() => {
  const fold = new Uint8Array(128);
  for (let code = 0; code < 128; code++) fold[code] = code >= 65 && code <= 90 ? code + 32 : code;
  for (const end of WORD_ENDS) fold[end.charCodeAt(0)] = SPACE;
  return fold;
})();

/** `text` folded like a plain line, or undefined when it is not ASCII (it cannot occur in one). */
function foldPlain(text: string): string | undefined {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 128) return undefined;
    out += String.fromCharCode(PLAIN_FOLD[code]!);
  }
  return out;
}

/** The longest run of `text` without a space, tab, CR or LF ('' when there is none). */
function longestPiece(text: string): string {
  let best = '';
  for (const piece of text.split(/[ \t\r\n]+/)) if (piece.length > best.length) best = piece;
  return best;
}

/**
 * The longest run of `text` without a space, tab, CR or LF, with the single space
 * before and after it when `text` has one there ('' when there is no run).
 */
function longestPieceWithSpaces(text: string): string {
  const piece = longestPiece(text);
  if (piece === '') return '';
  const at = text.indexOf(piece);
  const before = at > 0 && text[at - 1] === ' ' ? ' ' : '';
  const after = text[at + piece.length] === ' ' ? ' ' : '';
  return `${before}${piece}${after}`;
}

/**
 * Programs whose output a shell may read as commands with text the line does not hold
 * verbatim (stdin-scripts.ts): printf's format, and decoders. A plain line naming one
 * is scanned the parsed way too.
 */
const STDIN_PRODUCERS = ['printf', 'base64', 'base32', 'basenc', 'xxd', 'openssl'];

/**
 * Plain-line keywords that send the line to the parsed scan as well: where they occur,
 * a command may start inside a word, or a shell may read text the line does not hold
 * (see the module comment).
 */
export const WORD_START_EXCEPTIONS = ['env ', 'su ', ...STDIN_PRODUCERS];
/**
 * What a plain line must contain, folded (PLAIN_FOLD), for the atom to hold: one of
 * these keywords ('' when any plain line may do); undefined when the scan does not
 * decide it (`decoded`, `field`, `root`) or no plain line can meet it (non-ASCII text).
 */
export function plainKeysOf(atom: Atom): string[] | undefined {
  switch (atom.kind) {
    case 'program':
      return wordKeys(atom.name);
    case 'keyword':
      if (atom.channel === 'line') return defined(foldPlain(atom.text));
      if (atom.channel === 'decoded') return undefined;
      if (atom.endsWord === true) return wordKeys(atom.text);
      if (atom.startsWord === true) return wordStartKeys(atom.text);
      return defined(foldPlain(longestPieceWithSpaces(atom.text)));
    case 'field':
    case 'root':
      return undefined;
  }
}

/** A program or wrapper name on a plain line: a whole word, or a word's tail after a `/`. */
function wordKeys(name: string): string[] | undefined {
  const piece = longestPiece(name);
  // A name with a space is no word of a plain line; its piece stays a safe keyword.
  if (piece !== name) return defined(foldPlain(`${piece} `));
  const keys = [foldPlain(` ${name} `), foldPlain(`/${name} `)];
  return keys.every((key): key is string => key !== undefined) ? keys : undefined;
}

/**
 * The start of a program name or an argument on a plain line: such a field is a whole
 * word, or for a program the tail of a word after its last `/`, so `text` follows a
 * word end or a `/`. Text with a space or tab of its own is restated as any keyword.
 */
function wordStartKeys(text: string): string[] | undefined {
  if (/[ \t\r\n]/.test(text)) return defined(foldPlain(longestPieceWithSpaces(text)));
  const keys = [foldPlain(` ${text}`), foldPlain(`/${text}`)];
  return keys.every((key): key is string => key !== undefined) ? keys : undefined;
}

function defined(key: string | undefined): string[] | undefined {
  return key === undefined ? undefined : [key];
}
