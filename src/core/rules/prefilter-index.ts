/**
 * The prefilter's per-rule-set index: built from each rule's necessary conditions, it
 * answers per event which rules could match. Over 400 lines because it is one class
 * whose per-event path (candidates, markOne, gate) shares the stamp arrays the
 * constructor lays out; split, a reader would have to hold both halves at once.
 */
import { LineMemoKey, userIsRoot } from './facts';
import type { EventFacts } from './facts';
import { anyChildren } from './compile-condition';
import type { CompiledNode } from './compile-condition';
import { KeywordScanner } from './keyword-scanner';
import { argsText } from './operators/any-command.operator';
import type { LoadedRule } from './load-rule-set';
import type { CompileContext } from './operators/operator';
import type { Atom, Channel, Conjunction, EventField } from './prefilter-conditions';
import {
  PLAIN_FOLD,
  plainKeysOf,
  SPACE,
  unquotedPlainText,
  WORD_START_EXCEPTIONS,
} from './prefilter-plain-lines';
import { analysisOf } from './prefilter-rule-analysis';
import type { PrefilterRule } from './prefilter-rule-analysis';
import { compilePath } from './resolve-path';
import type { MatchedCondition } from './types';

const CHANNELS: readonly Channel[] = ['line', 'commands', 'decoded'];

/** Above this length sortAscending leaves the work to `Array.prototype.sort`. */
const INSERTION_SORT_MAX = 32;

function ascending(a: number, b: number): number {
  return a - b;
}

/**
 * Sorts numbers in place, ascending. `Array.prototype.sort` allocates its work state on
 * every call (6% of the record path's allocations, issue 25); an event marks a handful
 * of rules, for which insertion sort is as fast and allocates nothing. Longer arrays go
 * to the library sort, so a set that marks many rules stays n log n.
 */
export function sortAscending(values: number[]): void {
  if (values.length > INSERTION_SORT_MAX) {
    values.sort(ascending);
    return;
  }
  for (let i = 1; i < values.length; i++) {
    const value = values[i]!;
    let j = i - 1;
    while (j >= 0 && values[j]! > value) {
      values[j + 1] = values[j]!;
      j -= 1;
    }
    values[j + 1] = value;
  }
}

function addTo(list: number[], index: number): void {
  if (list[list.length - 1] !== index) list.push(index);
}

function addIndex(map: Map<string, number[]>, key: string, index: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [index]);
  else addTo(list, index);
}
/** Counts for docs and the bench: how many rules the index can skip. */
export interface PrefilterStats {
  rules: number;
  /** Rules with no extractable necessary condition: candidates for every event. */
  alwaysCandidates: number;
  /** Rules whose top-level `any` children each run only when their own condition is met. */
  gatedRules: number;
  /** Rules and `any` children gated by two necessary conditions that must both be met. */
  conjunctions: number;
  programNames: number;
  keywords: Record<Channel, number>;
  /** Event fields indexed (`process$.working_directory`, …) and their keywords in all. */
  fields: number;
  fieldKeywords: number;
}
/** A scanner whose visit marks its keywords' targets; `seen[id]` is the generation a keyword was last seen in. */
interface KeywordIndex {
  scanner: KeywordScanner;
  visit: (keywordId: number) => void;
  seen: Uint32Array;
  /** Per keyword, the targets it marks. */
  targets: readonly (readonly number[])[];
}

/**
 * What a kept command line replays (markLine), and the verdicts of the rules the line
 * alone decides, once the evaluator recorded them (decideLine).
 */
interface LineEntry<R> {
  /** The line's marks, reduced (see `reduced`). */
  readonly marks: readonly number[];
  /** The same without the targets of rules the line decides: what a decided line replays. */
  readonly eventMarks: readonly number[];
  decided: LineVerdicts<R> | undefined;
}

/** Of the rules a line decides, those that match for it: their indices and matched leaves. */
interface LineVerdicts<R> {
  readonly indices: readonly number[];
  readonly leaves: ReadonlyMap<R, readonly MatchedCondition[]>;
}

/**
 * An indexed event field's scanner, with the reader of its value and the keywords found
 * in the last string scanned: a field's value repeats from event to event (a session's
 * working directory, a host), and the keywords found depend on the text alone.
 */
interface FieldIndex extends KeywordIndex {
  read: (facts: EventFacts) => unknown;
  lastText: string | undefined;
  lastKeywords: number[];
}

/** The per-rule-set index; `candidates(facts)` runs per event. */
export class Prefilter<R extends PrefilterRule = LoadedRule> {
  /** Per child of a gated rule's `any`: the event generation that met its condition. */
  private readonly childStamp: Uint32Array;
  /** Per child slot: its rule's index. */
  private readonly slotRule: number[] = [];
  /** Targets from here on are parts of a conjunction (after the rules and the child slots). */
  private readonly partBase: number;
  /** Per part: its conjunction's index. */
  private readonly partGroup: number[] = [];
  /** Per scanner, per keyword: the generation it was last seen in (scannerOf). */
  private readonly keywordStamps: Uint32Array[] = [];
  /** Per part: the generation it was met in (counted once per event). */
  private readonly partStamp: Uint32Array;
  /** Per conjunction: the rule or child slot it gates, its part count, and this event's hits. */
  private readonly groupOwner: number[] = [];
  private readonly groupParts: number[] = [];
  private readonly groupStamp: Uint32Array;
  private readonly groupHits: Uint32Array;
  private readonly gates = new Map<R, CompiledNode>();
  /** Rules with no necessary condition, by index. */
  private readonly alwaysList: number[] = [];
  /** Indices of this event's candidates (stamped with the current generation). */
  private readonly marked: number[] = [];
  private readonly stamp: Uint32Array;
  private generation = 0;
  private readonly byProgram = new Map<string, number[]>();
  private readonly scanners = new Map<Channel, KeywordIndex>();
  /**
   * Keywords that begin a program name or an argument (a `startsWord` atom), each with a
   * space in front: a parsed line's programs and arguments are scanned as if a space
   * preceded them.
   */
  private wordStarts: KeywordIndex | undefined;
  /** The generation of the event being scanned; a rule is a candidate when its stamp equals it. */
  private current = 0;
  /** The candidates array, reused from event to event (no allocation per event). */
  private readonly out: R[] = [];
  private readonly needsPrograms: boolean;
  private readonly needsRoot: boolean;
  private readonly byRoot: number[] = [];
  /** One scanner per indexed event field, with the reader of that field's value. */
  private readonly fieldScanners: FieldIndex[] = [];
  /** Every `line`/`commands` keyword and program name, restated for plain lines (prefilter-plain-lines.ts). */
  private readonly plain: KeywordIndex;
  /** Rules with a `commands` keyword that has no space-free piece: candidates for every plain line. */
  private readonly plainAlways: number[] = [];
  /** Ids of WORD_START_EXCEPTIONS in the plain scanner. */
  private readonly wordStartExceptions: number[];
  /**
   * Per command line, what its line-only scans marked, reduced (markLine): replayed for
   * the next event with the same line instead of scanning (and maybe parsing) again.
   */
  private readonly lineMarks = new LineMemoKey<LineEntry<R>>();
  /** The current event's entry in lineMarks (undefined when the line is not kept). */
  private line: LineEntry<R> | undefined;
  /** Whether the last candidates() call was asked to use the line's verdicts. */
  private usedVerdicts = false;
  /** Per rule: 1 when its answer and matched leaves depend on the command line alone. */
  private readonly lineDecided: Uint8Array;
  private readonly decidesLines: boolean;
  /** alwaysList without the rules the line decides. */
  private readonly alwaysEvent: number[];
  /** Rule indices, for decideLine (only when some rule is decided by its line). */
  private readonly indexOf: ReadonlyMap<R, number>;
  /** Per conjunction: 1 when a part of it is met by the event's fields or root (lazily). */
  private eventGroups: Uint8Array | undefined;
  /** While markLine scans a line: every non-empty target list it marks, in order. */
  private recording: (readonly number[])[] | undefined;
  readonly stats: PrefilterStats;

  /** Scanners by their keywords (NUL-joined, sorted), for the next set to reuse. */
  private readonly scannersByKeywords = new Map<string, KeywordScanner>();
  /** The previous set's scanners, during construction only: an index must not keep its predecessor alive. */
  private reusable: ReadonlyMap<string, KeywordScanner> | undefined;

  /**
   * `reuse`: the previous set's index (a reload). A rule object it indexed is not
   * analysed again (a reload reuses unchanged rules as they were compiled), and a
   * keyword scanner over the same keywords is not built again.
   *
   * `decidedByLine`: the rules whose answer and matched leaves depend on the command
   * line alone (conditions and exceptions on line facts only). Once the evaluator has
   * recorded a kept line's verdicts for them (decideLine), `candidates(facts, true)`
   * replays those verdicts instead of marking such rules (see lineVerdicts).
   */
  constructor(
    private readonly rules: readonly R[],
    ctx: CompileContext,
    reuse?: Prefilter<PrefilterRule>,
    decidedByLine?: (rule: R) => boolean,
  ) {
    this.reusable = reuse?.scannersByKeywords;
    this.stamp = new Uint32Array(rules.length);
    this.lineDecided = Uint8Array.from(rules, (rule) => (decidedByLine?.(rule) === true ? 1 : 0));
    this.decidesLines = this.lineDecided.includes(1);
    this.indexOf = this.decidesLines ? new Map(rules.map((rule, i) => [rule, i])) : new Map();
    const keywordRules = new Map<Channel, Map<string, number[]>>(
      CHANNELS.map((c) => [c, new Map()]),
    );
    const plainRules = new Map<string, number[]>();
    const startRules = new Map<string, number[]>();
    const fieldRules = new Map<string, { field: EventField; texts: Map<string, number[]> }>();
    // A target is a rule (id < rules.length) or one child of a rule's top-level `any`.
    const register = (atom: Atom, target: number): void => {
      if (atom.kind === 'root') {
        addTo(this.byRoot, target);
        return;
      }
      if (atom.kind === 'field') {
        const key = `${atom.field.fact}${atom.field.path ?? ''}`;
        let entry = fieldRules.get(key);
        if (entry === undefined)
          fieldRules.set(key, (entry = { field: atom.field, texts: new Map() }));
        addIndex(entry.texts, atom.text, target);
        return;
      }
      if (atom.kind === 'program') addIndex(this.byProgram, atom.name, target);
      else if (atom.startsWord === true) addIndex(startRules, ` ${atom.text}`, target);
      else addIndex(keywordRules.get(atom.channel)!, atom.text, target);
      for (const plainKey of plainKeysOf(atom) ?? []) {
        if (plainKey === '') addTo(this.plainAlways, target);
        else addIndex(plainRules, plainKey, target);
      }
    };
    const analyses = rules.map((rule) => analysisOf(rule, ctx));
    const childAlternatives = analyses.map((analysis) => analysis.children());
    const slotCount = childAlternatives.reduce((n, c) => n + (c?.length ?? 0), 0);
    this.childStamp = new Uint32Array(slotCount);
    this.partBase = rules.length + slotCount;
    let conjunctionCount = 0;
    // One part: its atoms mark the target. Several: each part is a target of its own,
    // and the target is marked once all of them are met (markOne).
    const registerAll = (conjunction: Conjunction, target: number): void => {
      if (conjunction === undefined) return;
      if (conjunction.length === 1) {
        for (const atom of conjunction[0]!) register(atom, target);
        return;
      }
      conjunctionCount += 1;
      const group = this.groupOwner.length;
      this.groupOwner.push(target);
      this.groupParts.push(conjunction.length);
      for (const part of conjunction) {
        const partTarget = this.partBase + this.partGroup.length;
        this.partGroup.push(group);
        for (const atom of part) register(atom, partTarget);
      }
    };
    let alwaysCount = 0;
    let gatedCount = 0;
    rules.forEach((rule, index) => {
      const children = childAlternatives[index];
      if (children !== undefined) {
        gatedCount += 1;
        const first = this.slotRule.length;
        const ungated = children.map((alternatives) => alternatives === undefined);
        children.forEach((alternatives, i) => {
          this.slotRule.push(index);
          for (const conjunction of alternatives ?? [])
            registerAll(conjunction, rules.length + first + i);
        });
        if (ungated.includes(true)) {
          this.alwaysList.push(index);
          alwaysCount += 1;
        }
        this.gates.set(rule, this.gate(anyChildren.get(rule.conditions)!, first, ungated));
        return;
      }
      // engineConditions: what the rule really evaluates (a sequence's steps included);
      // its folded-in exceptions sit under `not`, which adds no atom.
      const alternatives = analyses[index]!.whole();
      if (alternatives === undefined) {
        this.alwaysList.push(index);
        alwaysCount += 1;
        return;
      }
      for (const conjunction of alternatives) registerAll(conjunction, index);
    });
    this.alwaysEvent = this.alwaysList.filter((index) => this.lineDecided[index] === 0);
    this.partStamp = new Uint32Array(this.partGroup.length);
    this.groupStamp = new Uint32Array(this.groupOwner.length);
    this.groupHits = new Uint32Array(this.groupOwner.length);
    for (const key of WORD_START_EXCEPTIONS) if (!plainRules.has(key)) plainRules.set(key, []);
    this.plain = this.scannerOf(plainRules);
    const plainKeys = this.plain.scanner.keywords;
    this.wordStartExceptions = WORD_START_EXCEPTIONS.map((key) => plainKeys.indexOf(key));
    for (const [channel, map] of keywordRules) {
      if (map.size > 0) this.scanners.set(channel, this.scannerOf(map));
    }
    if (startRules.size > 0) this.wordStarts = this.scannerOf(startRules);
    for (const { field, texts } of fieldRules.values()) {
      const resolve = compilePath(field.path);
      this.fieldScanners.push({
        read: (facts) => resolve(facts.get(field.fact)),
        ...this.scannerOf(texts),
        lastText: undefined,
        lastKeywords: [],
      });
    }
    this.reusable = undefined;
    this.needsPrograms = this.byProgram.size > 0;
    this.needsRoot = this.byRoot.length > 0;
    this.stats = {
      rules: rules.length,
      alwaysCandidates: alwaysCount,
      gatedRules: gatedCount,
      conjunctions: conjunctionCount,
      programNames: this.byProgram.size,
      keywords: {
        line: keywordRules.get('line')!.size,
        commands: keywordRules.get('commands')!.size,
        decoded: keywordRules.get('decoded')!.size,
      },
      fields: fieldRules.size,
      fieldKeywords: [...fieldRules.values()].reduce((n, { texts }) => n + texts.size, 0),
    };
  }

  /**
   * The rules that could match, in rule-set order (by id); valid until the next call.
   * With `useVerdicts`, when the line's verdicts are known (lineVerdicts), the rules it
   * decides are among them only if they match, to be answered from those verdicts.
   */
  candidates(facts: EventFacts, useVerdicts = false): readonly R[] {
    this.current = this.nextGeneration();
    this.marked.length = 0;
    this.usedVerdicts = useVerdicts;
    // The line first: markLine reduces what the line alone marked (see there).
    const decided = this.markLine(facts, useVerdicts);
    if (decided === undefined) this.mark(this.alwaysList);
    else {
      this.mark(this.alwaysEvent);
      this.mark(decided.indices);
    }
    if (this.needsRoot && userIsRoot(facts.event)) this.mark(this.byRoot);
    for (const field of this.fieldScanners) {
      // The string operators test a string, or each string of an array (anyString).
      const value = field.read(facts);
      if (typeof value === 'string') scanField(field, value);
      else if (Array.isArray(value))
        for (const item of value) if (typeof item === 'string') scanField(field, item);
    }
    // Only the marked rules are visited (not every rule): a few dozen among thousands.
    const marked = this.marked;
    sortAscending(marked);
    const out = this.out;
    out.length = 0;
    for (let i = 0; i < marked.length; i++) {
      const rule = this.rules[marked[i]!]!;
      // A decided rule that root or an event field marked: its verdict is known (no match).
      if (decided !== undefined && this.lineDecided[marked[i]!] === 1 && !decided.leaves.has(rule))
        continue;
      out.push(rule);
    }
    return out;
  }

  /**
   * Right after `candidates(facts, true)`: the verdicts of the rules the line decides,
   * by rule, for those that match (their matched leaves); undefined when not known for
   * this line, and then every candidate is to be evaluated.
   */
  get lineVerdicts(): ReadonlyMap<R, readonly MatchedCondition[]> | undefined {
    return this.usedVerdicts ? this.line?.decided?.leaves : undefined;
  }

  /**
   * Right after `candidates(facts, true)`: whether the line is kept and its verdicts are
   * not known yet, so that the evaluator records them (decideLine) as it evaluates.
   */
  get awaitsLineVerdicts(): boolean {
    return (
      this.usedVerdicts &&
      this.decidesLines &&
      this.line !== undefined &&
      this.line.decided === undefined
    );
  }

  /**
   * Keeps, for the current event's line, the verdicts of the rules it decides: `matches`
   * holds the matched leaves of each such candidate that matched. Valid only right after
   * `candidates(facts, true)` for that event with every candidate evaluated: a decided
   * rule that was no candidate cannot match with this line (the index never leaves out
   * a rule that matches, and this one's match depends on the line alone).
   */
  decideLine(matches: ReadonlyMap<R, readonly MatchedCondition[]>): void {
    const line = this.line;
    if (!this.usedVerdicts || line === undefined || line.decided !== undefined) return;
    const indices = [...matches.keys()].map((rule) => this.indexOf.get(rule)!).sort(ascending);
    line.decided = { indices, leaves: matches };
  }

  /** The rule a target stands for (itself, a child slot's rule, or a part's owner's). */
  private ruleOf(target: number): number {
    let index = target;
    if (index >= this.partBase) index = this.groupOwner[this.partGroup[index - this.partBase]!]!;
    if (index >= this.rules.length) index = this.slotRule[index - this.rules.length]!;
    return index;
  }

  /**
   * Marks what the command line alone decides (the plain-line, parsed and decoded
   * scans), or replays what the same line marked before. Nothing read here depends on
   * the event beyond its line, which is the cache's key. Marking is idempotent and
   * order-free (stamps and per-part counts), so marking the line's targets again is the
   * same as scanning again; and the first thing marked for an event, so that right
   * after a scan the stamps hold the line's marks alone, which `reduced` shortens.
   */
  private markLine(facts: EventFacts, useVerdicts: boolean): LineVerdicts<R> | undefined {
    // Kept in the line's shared facts (facts.ts keepForLine): one line lookup per record.
    const entry = facts.lineMemo(this.lineMarks);
    this.line = entry;
    if (entry !== undefined) {
      const decided = useVerdicts ? entry.decided : undefined;
      const replay = decided === undefined ? entry.marks : entry.eventMarks;
      for (let i = 0; i < replay.length; i++) this.markOne(replay[i]!);
      return decided;
    }
    const recorded: (readonly number[])[] = [];
    this.recording = recorded;
    try {
      this.scanLine(facts);
    } finally {
      this.recording = undefined;
    }
    // Only a scan that finished is kept (a throw above leaves no entry).
    if (facts.keepsLine) {
      const marks = this.reduced(recorded);
      const eventMarks = this.decidesLines
        ? marks.filter((target) => this.lineDecided[this.ruleOf(target)] === 0)
        : marks;
      this.line = { marks, eventMarks, decided: undefined };
      facts.keepForLine(this.lineMarks, this.line);
    }
    return undefined;
  }

  /**
   * The line's marks as few targets, each once: a conjunction the line completed is its
   * owner (a rule or child slot); a part of one it did not complete is kept only if the
   * event's fields or root may complete it, since no other line mark can. Most of a
   * line's marks are such parts (`-n`, `--`, `sh`, …) of conjunctions whose other part
   * is in the line too, and a replay then marks a handful of targets instead of dozens.
   * Valid right after scanLine for the current event, with nothing else marked.
   */
  private reduced(recorded: readonly (readonly number[])[]): number[] {
    const eventGroups = (this.eventGroups ??= this.groupsMetByEvents());
    const generation = this.current;
    const kept = new Set<number>();
    for (const targets of recorded)
      for (const target of targets) {
        if (target < this.partBase) {
          kept.add(target);
          continue;
        }
        const group = this.partGroup[target - this.partBase]!;
        if (
          this.groupStamp[group] === generation &&
          this.groupHits[group] === this.groupParts[group]
        )
          kept.add(this.groupOwner[group]!);
        else if (eventGroups[group] === 1) kept.add(target);
      }
    return [...kept];
  }

  /** Per conjunction, 1 when one of its parts is marked by root or by an event field. */
  private groupsMetByEvents(): Uint8Array {
    const groups = new Uint8Array(this.groupOwner.length);
    const note = (targets: readonly number[]): void => {
      for (const target of targets)
        if (target >= this.partBase) groups[this.partGroup[target - this.partBase]!] = 1;
    };
    note(this.byRoot);
    for (const field of this.fieldScanners) for (const targets of field.targets) note(targets);
    return groups;
  }

  /** The line-only part of candidates(): see markLine. */
  private scanLine(facts: EventFacts): void {
    const commandLine = facts.commandLine;
    const unquoted = unquotedPlainText(commandLine);
    if (unquoted !== undefined) {
      const { scanner, visit, seen } = this.plain;
      scanner.scanFolded(commandLine, PLAIN_FOLD, SPACE, visit);
      if (unquoted !== commandLine) scanner.scanFolded(unquoted, PLAIN_FOLD, SPACE, visit);
      this.mark(this.plainAlways);
      for (const id of this.wordStartExceptions)
        if (seen[id] === this.current) {
          // Marks only add up: the parsed scan's are the ones the word-start keys may miss.
          this.scanParsed(facts);
          break;
        }
    } else {
      this.scanParsed(facts);
    }
    const decoded = this.scanners.get('decoded');
    if (decoded !== undefined) {
      for (const text of facts.decoded) decoded.scanner.scanLowerCase(text, decoded.visit);
    }
  }

  /**
   * A scanner over `targetsOf`'s keywords whose visit marks a keyword's targets the
   * first time it occurs in this event only: short keywords (a space, `-`, `/`) occur
   * many times per line, and each repeat would walk the same targets again.
   */
  private scannerOf(targetsOf: ReadonlyMap<string, number[]>): KeywordIndex {
    // Sorted, so that the same keywords make the same scanner whatever the rules' order.
    const entries = [...targetsOf].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const keywords = entries.map(([keyword]) => keyword);
    const targets = entries.map(([, indices]) => indices);
    const key = keywords.join('\0');
    const scanner = this.reusable?.get(key) ?? new KeywordScanner(keywords);
    this.scannersByKeywords.set(key, scanner);
    const seen = new Uint32Array(targets.length);
    this.keywordStamps.push(seen);
    return {
      scanner,
      seen,
      targets,
      visit: (keywordId) => {
        if (seen[keywordId] === this.current) return;
        seen[keywordId] = this.current;
        this.mark(targets[keywordId]!);
      },
    };
  }

  /** The `line` and `commands` channels and program names, from the parsed line. */
  private scanParsed(facts: EventFacts): void {
    const line = this.scanners.get('line');
    if (line !== undefined) line.scanner.scanLowerCase(facts.commandLine, line.visit);
    if (this.needsPrograms) {
      for (const program of facts.programs) {
        const indices = this.byProgram.get(program);
        if (indices !== undefined) this.mark(indices);
      }
    }
    const commands = this.scanners.get('commands');
    if (commands !== undefined) {
      // Each field on its own: a keyword comes from one field, so it lies inside one.
      // A field found verbatim in the raw text needs no scan of its own (a keyword in
      // it is in the raw text too), nor does an argument (it is part of the joined
      // args): most fields are, and each character is then scanned about once.
      const { scanner, visit } = commands;
      for (const command of facts.commands) {
        const raw = command.raw;
        scanner.scanLowerCase(raw, visit);
        const args = argsText(command);
        if (!raw.includes(args)) scanner.scanLowerCase(args, visit);
        if (!raw.includes(command.program)) scanner.scanLowerCase(command.program, visit);
        for (const redirect of command.redirects)
          if (!raw.includes(redirect.target)) scanner.scanLowerCase(redirect.target, visit);
        for (const assignment of command.assignments)
          if (!raw.includes(assignment)) scanner.scanLowerCase(assignment, visit);
        for (const wrapper of command.wrappers)
          if (!raw.includes(wrapper)) scanner.scanLowerCase(wrapper, visit);
      }
    }
    const starts = this.wordStarts;
    if (starts !== undefined) {
      const { scanner, visit } = starts;
      for (const command of facts.commands) {
        scanner.scanLowerCase(command.program, visit, undefined, SPACE);
        for (const arg of command.args) scanner.scanLowerCase(arg, visit, undefined, SPACE);
      }
    }
  }

  /** Forgets every line's marks (tests: candidates scanned from scratch). */
  forgetLines(): void {
    this.lineMarks.forget();
  }

  /** What to run for a candidate: its conditions, or only the children of its `any` that may hold. */
  conditionsOf(rule: R): CompiledNode {
    return this.gates.get(rule) ?? rule.conditions;
  }

  private mark(targets: readonly number[]): void {
    if (this.recording !== undefined && targets.length > 0) this.recording.push(targets);
    for (let i = 0; i < targets.length; i++) this.markOne(targets[i]!);
  }

  /** Marks a rule, a child slot (and its rule), or one part of a conjunction (see registerAll). */
  private markOne(target: number): void {
    const generation = this.current;
    let index = target;
    if (index >= this.partBase) {
      const part = index - this.partBase;
      if (this.partStamp[part] === generation) return;
      this.partStamp[part] = generation;
      const group = this.partGroup[part]!;
      if (this.groupStamp[group] !== generation) {
        this.groupStamp[group] = generation;
        this.groupHits[group] = 0;
      }
      const hits = this.groupHits[group]! + 1;
      this.groupHits[group] = hits;
      if (hits !== this.groupParts[group]) return;
      index = this.groupOwner[group]!;
    }
    const ruleCount = this.rules.length;
    if (index >= ruleCount) {
      this.childStamp[index - ruleCount] = generation;
      index = this.slotRule[index - ruleCount]!;
    }
    if (this.stamp[index] !== generation) {
      this.stamp[index] = generation;
      this.marked.push(index);
    }
  }

  /**
   * The rule's `any`, trying only the children stamped for the current event and those
   * without a necessary condition, in the rule's order: a child left out cannot hold,
   * so the answer and the first child that holds (its matched leaves) are the same.
   */
  private gate(
    children: readonly CompiledNode[],
    first: number,
    ungated: readonly boolean[],
  ): CompiledNode {
    const childStamp = this.childStamp;
    return (facts, matched) => {
      const generation = this.current;
      for (let i = 0; i < children.length; i++) {
        if (!ungated[i] && childStamp[first + i] !== generation) continue;
        const mark = matched === null ? 0 : matched.length;
        if (children[i]!(facts, matched)) return true;
        if (matched !== null && matched.length !== mark) matched.length = mark;
      }
      return false;
    };
  }

  private nextGeneration(): number {
    this.generation += 1;
    if (this.generation === 0xffffffff) {
      this.stamp.fill(0);
      this.childStamp.fill(0);
      this.partStamp.fill(0);
      this.groupStamp.fill(0);
      for (const seen of this.keywordStamps) seen.fill(0);
      this.generation = 1;
    }
    return this.generation;
  }
}

/** Visits the keywords of `text` in a field: found again only when the text changed. */
function scanField(field: FieldIndex, text: string): void {
  if (text !== field.lastText) {
    const found: number[] = [];
    field.scanner.scanLowerCase(text, (id) => found.push(id));
    field.lastText = text;
    field.lastKeywords = found;
  }
  const found = field.lastKeywords;
  for (let i = 0; i < found.length; i++) field.visit(found[i]!);
}
