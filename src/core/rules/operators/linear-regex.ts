/*
 * Over 400 lines because the proof is one Analysis of one Glushkov automaton: building it
 * (positions, first/last/follow, repeat counts) and the checks of isProvablyLinear below
 * all read the same positions and follow map; split, a reader would hold both halves at
 * once. What needs none of that state is already apart: the character-set algebra
 * (char-set.ts) and the run counting of step 4 (bounded-runs.ts).
 */
import type { AST } from '@eslint-community/regexpp';
import {
  complement,
  engineSpacesUpToFFFF,
  intersects,
  MAX_CODE_POINT,
  MAX_CODE_UNIT,
  normalize,
  union,
  upTo,
} from './char-set';
import type { CharSet } from './char-set';
import { maxRuns } from './bounded-runs';
import { parseRegexPattern } from '../regex-ast';

/**
 * A fast, conservative static proof that a regex runs in linear time under a
 * backtracking engine (V8's), for `RegExp.prototype.test` on any input. It decides
 * the common shapes of a rule pack in microseconds; whatever it cannot prove goes to
 * recheck's full analysis (check-regex.ts), so a pattern is never accepted on a guess.
 *
 * The proof, on the Glushkov automaton of the pattern (one state per character
 * position, an edge per way of stepping from one position to the next, counted with
 * multiplicity so that two routes to the same position are two edges):
 *
 * 1. Every nullable sub-expression matches the empty string in exactly one way: no
 *    quantifier has a nullable body (`(a*)*`, `(a?)+`, `(|a)?`) and no alternation has
 *    two nullable branches. Then the edges are exactly the engine's choices.
 * 2. Where the edges leaving a position (or the start) can read the same character —
 *    the engine's only source of backtracking — every such edge leads to a position
 *    outside every repetition (a quantifier with max > 1), except at most one, and
 *    then the others lead to a bounded tail (no repeated position after them: a loop
 *    that may stop where a literal ending begins, `-[a-z]*e$`). An unrepeated position
 *    is visited at most once per path, so the paths for one input are bounded by a
 *    constant (kept ≤ {@link MAX_PATHS}), a bounded tail fails within a few
 *    characters, and one match attempt costs O(pattern × input). Any other overlap
 *    (`(a+)+`, `(a|a)*`, `\s*\s*`, `a*a+`, `a*a[a-z]*x`) is the ambiguity that makes
 *    backtracking exponential or polynomial: refused.
 * 3. `test` retries the attempt at every start index. Unless the pattern starts with
 *    `^` (without `m`), every match must read, before any repetition, a character
 *    that no position repeated more than {@link MAX_BOUNDED_REPEAT} times can read:
 *    then an attempt's long run holds at most a constant number of the characters
 *    another attempt must read, so each character is covered by a constant number of
 *    attempts (`\s+$`, `a+b` and `[a-z]{1,500}[0-9]{1,700}y` fail this;
 *    `x[^x]*y` and `ssh -?[a-z]* ?x` pass).
 * 4. When 2 or 3 do not hold, the same automaton may still be shown linear by
 *    counting its runs ({@link maxRuns}, bounded-runs.ts): if no input leaves more than
 *    a few dozen partial runs alive at once, retries at every start index included,
 *    `test` costs that many steps a character. This decides the overlaps that part
 *    again (`([^@/ ]+@)?[0-9]+[.]`: only one branch reads `@`), loops separated by a
 *    character the other cannot read (`\s+\S*x` unanchored) and `(^| )x` (where `^`,
 *    without `m`, holds at index 0 only, so a retry must begin with the space).
 *
 * Character sets are over-approximated (a larger set only finds more overlaps):
 * `\p{…}` and `.` are everything, `\s`/`\S` are exact up to U+FFFF (asked of the
 * engine) and hold everything above (where, without `u`, nothing is ever read), and
 * with `i` a set also holds the other case of its ASCII letters and, if it has a
 * letter or a non-ASCII character, every non-ASCII character (and every ASCII letter
 * when it has a non-ASCII one: the Kelvin sign folds to `k`). A negated class is the
 * complement of an UNDER-approximation of its items, so it too only grows.
 * Back-references, lookarounds and modifier groups are not analysed: recheck decides.
 */
export function isProvablyLinear(source: string, flags: string): boolean {
  let pattern: AST.Pattern;
  try {
    pattern = parseRegexPattern(source, flags.includes('u'));
  } catch {
    return false;
  }
  try {
    return new Analysis(flags).proves(pattern);
  } catch (error) {
    if (error instanceof NotProvable) return false;
    throw error;
  }
}

/** Bound on the paths one input can take through the ambiguous, unrepeated parts. */
export const MAX_PATHS = 4096;
/** A position repeated at most this many times counts as bounded for the start-index rule. */
export const MAX_BOUNDED_REPEAT = 20;

/** How far two overlapping paths out of a loop may run side by side ({@link Analysis.divergesBriefly}). */
const MAX_DIVERGENCE = 16;
const MAX_DIVERGENCE_PAIRS = 256;

/** `x{n}` with n up to this is analysed as n copies of `x`. */
const MAX_UNROLLED_COUNT = 4;

/** Optional parts explored by the start-index rule before it gives up (each doubles the ways). */
const MAX_ANCHOR_STEPS = 256;

class NotProvable extends Error {}

const c = (ch: string): number => ch.codePointAt(0)!;
const ALL: CharSet = [[0, MAX_CODE_POINT]];
const DIGIT: CharSet = [[c('0'), c('9')]];
const WORD: CharSet = normalize([
  [c('0'), c('9')],
  [c('A'), c('Z')],
  [c('_'), c('_')],
  [c('a'), c('z')],
]);
const NON_ASCII: CharSet = [[0x80, MAX_CODE_POINT]];
const LINE_TERMINATORS: CharSet = normalize([
  [0x0a, 0x0a],
  [0x0d, 0x0d],
  [0x2028, 0x2029],
]);

/** A character position of the pattern: what it reads and how often it may repeat. */
interface Position {
  readonly chars: CharSet;
  /** Under some quantifier with max > 1. */
  readonly repeated: boolean;
  /** The product of the max of the enclosing quantifiers (Infinity when unbounded). */
  readonly repeats: number;
}

interface Summary {
  /** Positions a match of the part can begin with, at the input's start. */
  readonly first: Position[];
  /** The same at any later index, where `^` (without `m`) fails: edges into the part use these. */
  readonly firstLater: Position[];
  readonly last: Position[];
  readonly nullable: boolean;
  /** Whether the part matches the empty string at an index > 0. */
  readonly nullableLater: boolean;
}

class Analysis {
  private readonly follow = new Map<Position, Position[]>();
  private readonly positions: Position[] = [];
  private readonly tails = new Map<Position, boolean>();
  private anchorSteps = 0;
  /** The characters of each outermost heavily repeated quantifier (more than MAX_BOUNDED_REPEAT times). */
  private readonly heavyLoops: CharSet[] = [];
  private readonly ignoreCase: boolean;
  private readonly unicode: boolean;
  private readonly dotAll: boolean;

  constructor(private readonly flags: string) {
    this.ignoreCase = flags.includes('i');
    this.unicode = flags.includes('u');
    this.dotAll = flags.includes('s');
  }

  proves(pattern: AST.Pattern): boolean {
    const whole = this.alternatives(pattern.alternatives, 1);
    return this.provesByOverlaps(pattern, whole) || this.provesByRunCount(pattern, whole);
  }

  /** Rule 4: the runs alive at once stay bounded ({@link maxRuns}). */
  private provesByRunCount(pattern: AST.Pattern, whole: Summary): boolean {
    const index = new Map(this.positions.map((position, i) => [position, i]));
    const indices = (positions: readonly Position[]): number[] =>
      positions.map((position) => index.get(position)!);
    return (
      maxRuns({
        chars: this.positions.map((position) => position.chars),
        follow: this.positions.map((position) => indices(this.follow.get(position) ?? [])),
        initial: indices(whole.first),
        retries: this.anchoredAtStart(pattern) ? undefined : indices(whole.firstLater),
        alphabetEnd: this.unicode ? MAX_CODE_POINT : MAX_CODE_UNIT,
      }) !== undefined
    );
  }

  /** Rules 2 and 3. */
  private provesByOverlaps(pattern: AST.Pattern, whole: Summary): boolean {
    const edgeGroups: { from: Position | undefined; to: Position[] }[] = [
      { from: undefined, to: whole.first },
      ...this.positions.map((from) => ({ from, to: this.follow.get(from) ?? [] })),
    ];
    let paths = 1;
    for (const { from, to } of edgeGroups) {
      const overlapping = new Set<number>();
      for (let i = 0; i < to.length; i++)
        for (let j = i + 1; j < to.length; j++)
          if (intersects(to[i]!.chars, to[j]!.chars)) overlapping.add(i).add(j);
      if (overlapping.size === 0) continue;
      const repeated = [...overlapping].filter((index) => to[index]!.repeated);
      if (repeated.length > 1) return false;
      // A loop that may stop where a bounded tail begins (`-[a-z]*e$`): the tail is
      // tried once per iteration and fails within a few characters; nothing after it
      // repeats, so it cannot multiply.
      if (
        repeated.length === 1 &&
        ![...overlapping].every(
          (index) =>
            to[index]!.repeated ||
            this.boundedTail(to[index]!) ||
            this.divergesBriefly(to[repeated[0]!]!, to[index]!),
        )
      )
        return false;
      // Each choice here enters an unrepeated position, so it is made at most
      // `overlapping.size` times on a path (once when the source is unrepeated).
      paths *= overlapping.size ** (from?.repeated === true ? overlapping.size : 1);
      if (paths > MAX_PATHS) return false;
    }
    if (this.anchoredAtStart(pattern)) return true;
    return this.heavyLoops.every((heavy) =>
      pattern.alternatives.every((alternative) => this.anchors(alternative.elements, heavy)),
    );
  }

  /**
   * True when every way through `elements` reads, before any repetition (or as the
   * first iteration of one), a character that the heavy loop whose characters are
   * `heavy` cannot read: an attempt that gets that far starts where another
   * attempt's run through that loop cannot be, so each character is covered by a
   * bounded number of attempts. `ssh -?[a-z]* ?x` qualifies by its space;
   * `\b(wget|scp)\s+-[a-z]*e` by its `w`/`s` for `\s+` and the spaces for `[a-z]*`;
   * `a+b` and `\s+$` do not.
   */
  private anchors(elements: readonly AST.Element[], heavy: CharSet): boolean {
    for (const [index, element] of elements.entries()) {
      // Without `m`, `^` lets one attempt through: index 0.
      if (element.type === 'Assertion' && element.kind === 'start' && !this.flags.includes('m'))
        return true;
      if (element.type === 'Assertion') continue;
      if (element.type === 'Quantifier' && element.min === 0 && element.max === 1) {
        // An optional part: the way through it and the way around it must both anchor
        // (`(sudo\s+)?chmod\s+x`: by `s` through it, `c` around it).
        if ((this.anchorSteps += 1) > MAX_ANCHOR_STEPS) return false;
        const rest = elements.slice(index + 1);
        return this.anchors([element.element, ...rest], heavy) && this.anchors(rest, heavy);
      }
      if (this.mustRead(element, heavy)) return true;
      if (this.repeatsWithin(element)) return false;
    }
    return false;
  }

  private mustRead(element: AST.Element, heavy: CharSet): boolean {
    switch (element.type) {
      case 'Character':
      case 'CharacterClass':
      case 'CharacterSet':
        return !intersects(this.over(element), heavy);
      case 'Group':
      case 'CapturingGroup':
        return element.alternatives.every((a) => this.anchors(a.elements, heavy));
      case 'Quantifier':
        // The first iteration is read at a bounded distance.
        return element.min >= 1 && this.mustRead(element.element, heavy);
      case 'Assertion':
      case 'Backreference':
      case 'ExpressionCharacterClass':
        return false;
    }
  }

  private repeatsWithin(element: AST.Element): boolean {
    switch (element.type) {
      case 'Quantifier':
        return element.max > 1 || this.repeatsWithin(element.element);
      case 'Group':
      case 'CapturingGroup':
        return element.alternatives.some((a) => a.elements.some((e) => this.repeatsWithin(e)));
      case 'Assertion':
      case 'Backreference':
      case 'Character':
      case 'CharacterClass':
      case 'CharacterSet':
      case 'ExpressionCharacterClass':
        return false;
    }
  }

  /**
   * True when two paths that read the same characters, one entering `a` and the
   * other `b`, part within {@link MAX_DIVERGENCE} characters: the pairs of positions
   * they can be in together never repeat and never coincide (`[a-z/]*[a-z]` then
   * `sudo `: the space ends the second path). Then the loser is abandoned within a
   * few characters each time the choice comes up.
   */
  private divergesBriefly(a: Position, b: Position): boolean {
    const seen = new Set<string>();
    const ids = new Map(this.positions.map((p, i) => [p, i]));
    const walk = (x: Position, y: Position, depth: number, path: Set<string>): boolean => {
      if (x === y || depth > MAX_DIVERGENCE) return false;
      const key = `${ids.get(x)},${ids.get(y)}`;
      if (path.has(key)) return false;
      if (seen.size > MAX_DIVERGENCE_PAIRS) return false;
      seen.add(key);
      path.add(key);
      for (const nx of this.follow.get(x) ?? [])
        for (const ny of this.follow.get(y) ?? [])
          if (intersects(nx.chars, ny.chars) && !walk(nx, ny, depth + 1, path)) return false;
      path.delete(key);
      return true;
    };
    return walk(a, b, 0, new Set());
  }

  /** True when no repeated position can follow `position` (nor is it one): what is left reads at most a few characters. */
  private boundedTail(position: Position): boolean {
    const known = this.tails.get(position);
    if (known !== undefined) return known;
    // Unrepeated positions form no cycle, so the recursion ends.
    const bounded =
      !position.repeated && (this.follow.get(position) ?? []).every((p) => this.boundedTail(p));
    this.tails.set(position, bounded);
    return bounded;
  }

  /** Every top-level branch begins with `^` and `m` is off: only index 0 can match. */
  private anchoredAtStart(pattern: AST.Pattern): boolean {
    if (this.flags.includes('m')) return false;
    return pattern.alternatives.every((alternative) => {
      const head = alternative.elements[0];
      return head?.type === 'Assertion' && head.kind === 'start';
    });
  }

  private alternatives(alternatives: readonly AST.Alternative[], repeats: number): Summary {
    const parts = alternatives.map((a) => this.sequence(a.elements, repeats));
    if (parts.filter((p) => p.nullable).length > 1) throw new NotProvable();
    return {
      first: parts.flatMap((p) => p.first),
      firstLater: parts.flatMap((p) => p.firstLater),
      last: parts.flatMap((p) => p.last),
      nullable: parts.some((p) => p.nullable),
      nullableLater: parts.some((p) => p.nullableLater),
    };
  }

  private sequence(elements: readonly AST.Element[], repeats: number): Summary {
    let first: Position[] = [];
    let firstLater: Position[] = [];
    let last: Position[] = [];
    let nullable = true;
    let nullableLater = true;
    for (const element of elements) {
      const part = this.element(element, repeats);
      // After a position has read a character the index is > 0: `^` no longer holds.
      for (const p of last) this.follow.get(p)!.push(...part.firstLater);
      if (nullable) first = [...first, ...part.first];
      if (nullableLater) firstLater = [...firstLater, ...part.firstLater];
      last = part.nullableLater ? [...last, ...part.last] : part.last;
      nullable &&= part.nullable;
      nullableLater &&= part.nullableLater;
    }
    return { first, firstLater, last, nullable, nullableLater };
  }

  private element(element: AST.Element, repeats: number): Summary {
    switch (element.type) {
      case 'Assertion':
        // ^ $ \b \B read nothing; counting them as passing only adds paths.
        if (element.kind === 'lookahead' || element.kind === 'lookbehind')
          if (!this.bounded(element.alternatives, 1)) throw new NotProvable();
        // A lookaround of bounded length costs a bounded time each time it is tried;
        // like ^ $ \b it reads nothing, and counting it as passing only adds paths.
        // Without `m`, `^` holds at index 0 only.
        return {
          first: [],
          firstLater: [],
          last: [],
          nullable: true,
          nullableLater: element.kind !== 'start' || this.flags.includes('m'),
        };
      case 'Group':
        if (element.modifiers !== null) throw new NotProvable();
        return this.alternatives(element.alternatives, repeats);
      case 'CapturingGroup':
        return this.alternatives(element.alternatives, repeats);
      case 'Quantifier':
        return this.quantifier(element, repeats);
      case 'Character':
      case 'CharacterClass':
      case 'CharacterSet':
        return this.position(this.over(element), repeats);
      case 'Backreference':
      case 'ExpressionCharacterClass':
        // Back-references, `v`-mode class expressions: not analysed here.
        throw new NotProvable();
    }
  }

  /** True when the alternatives match at most a bounded number of characters (no back-reference). */
  private bounded(alternatives: readonly AST.Alternative[], repeats: number): boolean {
    const elementBounded = (element: AST.Element, times: number): boolean => {
      switch (element.type) {
        case 'Quantifier':
          return (
            times * element.max <= MAX_BOUNDED_REPEAT &&
            elementBounded(element.element, times * element.max)
          );
        case 'Group':
        case 'CapturingGroup':
        case 'Assertion':
          if (element.type === 'Group' && element.modifiers !== null) return false;
          return !('alternatives' in element) || this.bounded(element.alternatives, times);
        case 'Character':
        case 'CharacterClass':
        case 'CharacterSet':
          return true;
        case 'Backreference':
        case 'ExpressionCharacterClass':
          return false;
      }
    };
    return alternatives.every((a) => a.elements.every((e) => elementBounded(e, repeats)));
  }

  private quantifier(quantifier: AST.Quantifier, repeats: number): Summary {
    if (quantifier.max === 0) throw new NotProvable();
    // A small exact count is the body written out that many times (`([0-9]+[.]){3}`):
    // each copy gets positions of its own, so the copies are not taken for one loop.
    if (quantifier.min === quantifier.max && quantifier.max <= MAX_UNROLLED_COUNT)
      return this.sequence(
        Array.from({ length: quantifier.max }, () => quantifier.element),
        repeats,
      );
    const inner = repeats * quantifier.max;
    const before = this.positions.length;
    const body = this.element(quantifier.element, inner);
    if (repeats <= MAX_BOUNDED_REPEAT && inner > MAX_BOUNDED_REPEAT)
      this.heavyLoops.push(union(...this.positions.slice(before).map((p) => p.chars)));
    if (body.nullable) throw new NotProvable();
    if (quantifier.max > 1) for (const p of body.last) this.follow.get(p)!.push(...body.firstLater);
    return {
      first: body.first,
      firstLater: body.firstLater,
      last: body.last,
      nullable: quantifier.min === 0,
      nullableLater: quantifier.min === 0,
    };
  }

  private position(chars: CharSet, repeats: number): Summary {
    const position: Position = { chars, repeated: repeats > 1, repeats };
    this.positions.push(position);
    this.follow.set(position, []);
    return {
      first: [position],
      firstLater: [position],
      last: [position],
      nullable: false,
      nullableLater: false,
    };
  }

  /** A superset of what the node can read (case folding included). */
  private over(node: AST.Character | AST.CharacterClass | AST.CharacterSet): CharSet {
    const set = this.folded(this.bound(node, 'over'));
    // Without `u` the input is code units: nothing above U+FFFF is ever read.
    return this.unicode ? set : upTo(set, MAX_CODE_UNIT);
  }

  /**
   * The characters of a class item or atom before case folding: a superset
   * (`over`) or a subset (`under`), so that a negated class can be made a superset.
   */
  private bound(
    node: AST.Character | AST.CharacterClass | AST.CharacterSet | AST.CharacterClassRange,
    side: 'over' | 'under',
  ): CharSet {
    switch (node.type) {
      case 'Character':
        return [[node.value, node.value]];
      case 'CharacterClassRange':
        return [[node.min.value, node.max.value]];
      case 'CharacterClass': {
        if (node.unicodeSets) throw new NotProvable();
        const items = node.elements.map((item) => {
          if (
            item.type !== 'Character' &&
            item.type !== 'CharacterClassRange' &&
            item.type !== 'CharacterSet'
          )
            throw new NotProvable();
          return item;
        });
        if (!node.negate) return union(...items.map((item) => this.bound(item, side)));
        const opposite = side === 'over' ? 'under' : 'over';
        // Under `i`, [^x] excludes x's other case too: the unfolded subset is still a subset.
        return complement(union(...items.map((item) => this.bound(item, opposite))));
      }
      case 'CharacterSet':
        return this.characterSet(node, side);
    }
  }

  private characterSet(node: AST.CharacterSet, side: 'over' | 'under'): CharSet {
    switch (node.kind) {
      case 'any':
        return this.dotAll || side === 'over' ? ALL : complement(LINE_TERMINATORS);
      case 'digit':
        return node.negate ? complement(DIGIT) : DIGIT;
      case 'space': {
        // Exact up to U+FFFF, as the engine reads it; above, every character (over) or none (under).
        const under = engineSpacesUpToFFFF();
        const over = union(under, [[MAX_CODE_UNIT + 1, MAX_CODE_POINT]]);
        if (!node.negate) return side === 'over' ? over : under;
        return side === 'over' ? complement(under) : complement(over);
      }
      case 'word': {
        // With `iu`, \w also reads the long s and the Kelvin sign.
        const positive =
          side === 'over' && this.ignoreCase && this.unicode
            ? union(WORD, [
                [0x017f, 0x017f],
                [0x212a, 0x212a],
              ])
            : WORD;
        if (!node.negate) return positive;
        return side === 'over' ? complement(WORD) : complement(union(WORD, NON_ASCII));
      }
      case 'property':
        return side === 'over' ? ALL : [];
      default:
        throw new NotProvable();
    }
  }

  /**
   * Under `i`: the other case of ASCII letters (with `u`, also the Kelvin sign for
   * k and the long s for s, and back: the only non-ASCII characters that fold to
   * ASCII); a set with any non-ASCII character gets every non-ASCII character.
   * Without `u`, an ASCII letter matches no non-ASCII one (Canonicalize keeps a
   * non-ASCII character that would upper-case to ASCII).
   */
  private folded(set: CharSet): CharSet {
    if (!this.ignoreCase) return set;
    const extra: [number, number][] = [];
    for (const [lo, hi] of set) {
      for (const [base, other] of [
        [c('A'), c('a')],
        [c('a'), c('A')],
      ] as const) {
        const from = Math.max(lo, base);
        const to = Math.min(hi, base + 25);
        if (from <= to) extra.push([from - base + other, to - base + other]);
      }
    }
    const withCases = union(set, extra);
    const out: CharSet[] = [withCases];
    if (this.unicode && intersects(withCases, [[c('k'), c('k')]])) out.push([[0x212a, 0x212a]]);
    if (this.unicode && intersects(withCases, [[c('s'), c('s')]])) out.push([[0x017f, 0x017f]]);
    if (intersects(set, NON_ASCII)) out.push(NON_ASCII);
    if (this.unicode && intersects(set, [[0x212a, 0x212a]]))
      out.push(
        normalize([
          [c('K'), c('K')],
          [c('k'), c('k')],
        ]),
      );
    if (this.unicode && intersects(set, [[0x017f, 0x017f]]))
      out.push(
        normalize([
          [c('S'), c('S')],
          [c('s'), c('s')],
        ]),
      );
    return union(...out);
  }
}
