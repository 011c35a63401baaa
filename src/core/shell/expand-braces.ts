/**
 * Brace expansion as bash does it before anything else on a word: `{rm,-rf,/var/log}`
 * is the three words `rm -rf /var/log`, `/bin/{c,}at` is `/bin/cat /bin/at`,
 * `a{1..3}` is `a1 a2 a3`. The input is a *pattern*: the word's text where characters
 * that came from quotes or backslashes are escaped with a backslash (split-commands.ts
 * builds it), so `'{a,b}'` is `\{a\,b\}` and is not expanded. Results are patterns
 * too (still escaped): the caller unescapes them, or hands them to the glob matcher.
 *
 * Bounded: at most {@link MAX_BRACE_WORDS} results per word, patterns longer than
 * {@link MAX_BRACE_PATTERN} are left alone, and nesting deeper than
 * {@link MAX_BRACE_DEPTH} groups stops expanding (the rest stays literal), as does a
 * search past the budget's steps ({@link MAX_BRACE_STEPS} per line). Never throws.
 */

/** Words one brace pattern may expand to; the rest are dropped. */
export const MAX_BRACE_WORDS = 64;
/** Longer patterns are not expanded (a real obfuscation is short; this bounds the work). */
export const MAX_BRACE_PATTERN = 512;
/** Brace groups expanded along one path (`{a,b}{c,d}...`); deeper ones stay literal. */
export const MAX_BRACE_DEPTH = 8;
/**
 * Characters looked at while searching for brace groups, by default per line (the
 * caller passes one budget for all of a line's words), recursion included: patterns of
 * many unbalanced `{` would otherwise cost their length squared at every step.
 */
export const MAX_BRACE_STEPS = 64 * 1024;

/** The search steps left; shared by the calls that should share a bound. */
export interface BraceBudget {
  steps: number;
}

/** Steps left for the current expandBraces call (synchronous, so one counter suffices). */
let stepsLeft = 0;

const OPEN = 0x7b;
const CLOSE = 0x7d;
const COMMA = 0x2c;
const BACKSLASH = 0x5c;

interface Group {
  open: number;
  close: number;
  items: string[];
}

/** The expansions of `pattern`, in bash's order; `[pattern]` when it has no brace list. */
export function expandBraces(
  pattern: string,
  budget: BraceBudget = { steps: MAX_BRACE_STEPS },
): string[] {
  if (pattern.length > MAX_BRACE_PATTERN || !pattern.includes('{') || budget.steps <= 0)
    return [pattern];
  const out: string[] = [];
  stepsLeft = budget.steps;
  expandInto(pattern, out, 0);
  budget.steps = stepsLeft;
  return out;
}

function expandInto(pattern: string, out: string[], depth: number): void {
  const group = depth < MAX_BRACE_DEPTH ? findGroup(pattern) : undefined;
  if (group === undefined) {
    // bash drops words that brace expansion leaves empty (`{,}`).
    if (pattern !== '' && out.length < MAX_BRACE_WORDS) out.push(pattern);
    return;
  }
  const prefix = pattern.slice(0, group.open);
  const suffix = pattern.slice(group.close + 1);
  for (const item of group.items) {
    if (out.length >= MAX_BRACE_WORDS) return;
    expandInto(prefix + item + suffix, out, depth + 1);
  }
}

/**
 * The first brace group that expands: a `{...}` with a top-level comma, or a sequence
 * `{1..5}`, `{a..e}`, `{1..9..2}`. A `{...}` with neither is literal, and the search
 * goes on after its `{`, as bash's does.
 */
function findGroup(pattern: string): Group | undefined {
  for (let open = pattern.indexOf('{'); open !== -1; open = nextOpen(pattern, open + 1)) {
    if (open > 0 && isEscaped(pattern, open)) continue;
    const group = groupAt(pattern, open);
    if (group !== undefined) return group;
  }
  return undefined;
}

function nextOpen(pattern: string, from: number): number {
  return pattern.indexOf('{', from);
}

/** Whether the character at `at` is preceded by an odd number of backslashes. */
function isEscaped(pattern: string, at: number): boolean {
  let count = 0;
  for (let k = at - 1; k >= 0 && pattern.charCodeAt(k) === BACKSLASH; k--) count += 1;
  return count % 2 === 1;
}

function groupAt(pattern: string, open: number): Group | undefined {
  let depth = 0;
  const commas: number[] = [];
  for (let i = open + 1; i < pattern.length; i++) {
    // Out of steps: the rest of the pattern stays literal.
    if (--stepsLeft < 0) return undefined;
    const code = pattern.charCodeAt(i);
    if (code === BACKSLASH) {
      i += 1;
    } else if (code === OPEN) {
      depth += 1;
    } else if (code === CLOSE) {
      if (depth === 0) {
        if (commas.length > 0) return { open, close: i, items: splitAt(pattern, open, i, commas) };
        const items = sequence(pattern.slice(open + 1, i));
        return items === undefined ? undefined : { open, close: i, items };
      }
      depth -= 1;
    } else if (code === COMMA && depth === 0) {
      commas.push(i);
    }
  }
  return undefined;
}

function splitAt(pattern: string, open: number, close: number, commas: number[]): string[] {
  const items: string[] = [];
  let start = open + 1;
  for (const comma of commas) {
    items.push(pattern.slice(start, comma));
    start = comma + 1;
  }
  items.push(pattern.slice(start, close));
  return items;
}

const NUMERIC_SEQUENCE = /^(-?[0-9]{1,9})\.\.(-?[0-9]{1,9})(?:\.\.(-?[0-9]{1,9}))?$/;
const LETTER_SEQUENCE = /^([A-Za-z])\.\.([A-Za-z])(?:\.\.(-?[0-9]{1,9}))?$/;

/** The items of a sequence expression (`1..3`, `01..10`, `a..e..2`), at most MAX_BRACE_WORDS. */
function sequence(body: string): string[] | undefined {
  const numeric = NUMERIC_SEQUENCE.exec(body);
  if (numeric !== null) {
    const [, first = '', last = '', by] = numeric;
    const width =
      /^-?0[0-9]/.test(first) || /^-?0[0-9]/.test(last) ? Math.max(first.length, last.length) : 0;
    return steps(Number(first), Number(last), by).map((n) => pad(n, width));
  }
  const letters = LETTER_SEQUENCE.exec(body);
  if (letters !== null) {
    const [, first = 'a', last = 'a', by] = letters;
    return steps(first.charCodeAt(0), last.charCodeAt(0), by).map((code) =>
      String.fromCharCode(code),
    );
  }
  return undefined;
}

function steps(from: number, to: number, by: string | undefined): number[] {
  const size = Math.abs(Number(by ?? '1')) || 1;
  const step = from <= to ? size : -size;
  const values: number[] = [];
  for (let n = from; step > 0 ? n <= to : n >= to; n += step) {
    values.push(n);
    if (values.length >= MAX_BRACE_WORDS) break;
  }
  return values;
}

function pad(n: number, width: number): string {
  const digits = String(Math.abs(n)).padStart(n < 0 ? width - 1 : width, '0');
  return n < 0 ? `-${digits}` : digits;
}

/** The word a pattern stands for: every escaping backslash removed. */
export function unescapePattern(pattern: string): string {
  return pattern.includes('\\') ? pattern.replace(/\\(.)/gs, '$1') : pattern;
}

/** Characters that mean something in a pattern, escaped when they come from quoted text. */
const PATTERN_SPECIAL = /[\\{},*?[\]]/g;

/** `text` escaped so that none of its characters is read as a brace or glob character. */
export function escapePattern(text: string): string {
  return text.replace(PATTERN_SPECIAL, '\\$&');
}
