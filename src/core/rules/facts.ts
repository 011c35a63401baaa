/**
 * The facts a rule condition can name, and their per-event values.
 *
 * Event facts (the CommandEvent's own objects, read with a `path` such as
 * `$.command_line`): `process`, `user`, `host`, `source`, `session`, `event`, `log`,
 * `labels`, `tty`, `timestamp` (the event's `@timestamp`).
 *
 * Derived facts (computed from `process.command_line` at most once per event, on first
 * use, and shared by every rule):
 * - `commandLine`: the command line string as received.
 * - `commands`: every sub-command, de-obfuscated and unwrapped (see ShellCommand).
 * - `programs`: the distinct program basenames of `commands`.
 * - `isRoot`: the command ran as root: user or effective user id 0 / name root, or a
 *   sub-command run through sudo/doas/su without a non-root target user.
 * - `decoded`: printable base64/hex payloads found in the line, decoded.
 *
 * docs/rules.md ("Facts") documents each with an example; keep them in step.
 */
import type { CommandEvent } from '../event';
import { decodePayloads } from '../shell/decode-payloads';
import { parseCommandLine } from '../shell/parse-command-line';
import type { ShellCommand } from '../shell/types';
import { LINE_CACHE_ENTRIES, LINE_CACHE_MAX_LENGTH, LineCache } from './line-cache';

/** Facts read straight from the event. */
export const EVENT_FACT_NAMES = [
  'process',
  'user',
  'host',
  'source',
  'session',
  'event',
  'log',
  'labels',
  'tty',
  'timestamp',
] as const;

/** Facts Shellwatch derives from the command line. */
export const DERIVED_FACT_NAMES = [
  'commandLine',
  'commands',
  'programs',
  'isRoot',
  'decoded',
] as const;

/** Every fact name a condition may use; the JSON Schema enumerates the same list. */
export const FACT_NAMES = [...EVENT_FACT_NAMES, ...DERIVED_FACT_NAMES] as const;
export type FactName = (typeof FACT_NAMES)[number];

/**
 * The facts whose value is a function of the command line string alone (`isRoot` also
 * reads the user fields): a condition on them answers the same for every event with
 * the same line.
 */
export const LINE_FACT_NAMES: ReadonlySet<FactName> = new Set<FactName>([
  'commandLine',
  'commands',
  'programs',
  'decoded',
]);

const ROOT_NAMES = new Set(['root', '0', '#0']);
let eventsSeen = 0;

/**
 * What is derived from a command line alone, each part on first use. Shared by every
 * event with the same line (lineFacts): nothing downstream modifies these values
 * (operators read them, alerts copy them into JSON), which facts.spec.ts holds.
 */
interface LineFacts {
  commands?: ShellCommand[];
  programs?: string[];
  decoded?: string[];
  /** Some sub-command runs through sudo/doas/su as root: the line's half of `isRoot`. */
  elevatedToRoot?: boolean;
  /** Whether the cache keeps this object (only then are `answers` worth keeping). */
  kept: boolean;
  /** Answers of conditions that read the line alone, by condition id (compile-condition.ts). */
  answers?: Map<number, boolean>;
  /** What other line-keyed work kept for this line (a prefilter's marks), by owner. */
  memos?: LineMemoEntry[];
}

/**
 * Names what one owner (a prefilter) keeps per line in the line's shared facts, so that
 * a record looks its line up once (lineFacts) rather than once per cache (issue 25:
 * three lookups of a string new with every record were 5% of the thread). `forget()`
 * makes the owner's earlier values unreachable (tests: a scan from scratch).
 */
export class LineMemoKey<V> {
  /** Values kept before the last forget() are not this epoch's. */
  private epochCount = 0;
  declare private readonly valueType: V;

  get epoch(): number {
    return this.epochCount;
  }

  forget(): void {
    this.epochCount += 1;
  }
}

interface LineMemoEntry {
  key: LineMemoKey<unknown>;
  epoch: number;
  value: unknown;
}

/**
 * Owners a line keeps values for: the evaluator's and the correlation index's prefilters
 * are two; a reloaded rule set's new ones replace them, and the oldest entry is dropped
 * so that an old rule set's index is not kept alive by the lines it saw.
 */
const LINE_MEMO_OWNERS = 4;

const lineFactsCache = new LineCache<LineFacts>(LINE_CACHE_ENTRIES, LINE_CACHE_MAX_LENGTH);

/** The line's shared LineFacts, kept in a bounded cache (line-cache.ts). */
function lineFacts(line: string): LineFacts {
  let facts = lineFactsCache.get(line);
  if (facts === undefined) {
    facts = { kept: false };
    facts.kept = lineFactsCache.set(line, facts);
  }
  return facts;
}

/** Empties the cache of line-derived facts (tests: a parse from scratch). */
export function clearLineFactsCache(): void {
  lineFactsCache.clear();
}

/** How many lines the cache of line-derived facts holds (tests: its bound). */
export function lineFactsCacheSize(): number {
  return lineFactsCache.size;
}

/**
 * One event's facts, computed lazily and cached: parsing the shell line is the costly
 * part and happens at most once per event however many rules ask.
 */
export class EventFacts {
  private lineCache: LineFacts | undefined;
  private isRootCache: boolean | undefined;

  /** Distinct for every EventFacts: what per-event memos (compile-condition.ts) key on. */
  readonly generation = ++eventsSeen;

  constructor(readonly event: CommandEvent) {}

  /** The value of a fact, `undefined` when the event lacks it. */
  get(name: FactName): unknown {
    const event = this.event;
    switch (name) {
      case 'process':
        return event.process;
      case 'user':
        return event.user;
      case 'host':
        return event.host;
      case 'source':
        return event.source;
      case 'session':
        return event.session;
      case 'event':
        return event.event;
      case 'log':
        return event.log;
      case 'labels':
        return event.labels;
      case 'tty':
        return event.tty;
      case 'timestamp':
        return event['@timestamp'];
      case 'commandLine':
        return this.commandLine;
      case 'commands':
        return this.commands;
      case 'programs':
        return this.programs;
      case 'isRoot':
        return this.isRoot;
      case 'decoded':
        return this.decoded;
    }
  }

  get commandLine(): string {
    const line = (this.event.process as { command_line?: unknown } | undefined)?.command_line;
    return typeof line === 'string' ? line : '';
  }

  /** The facts of this event's line, shared with other events of the same line. */
  private get line(): LineFacts {
    this.lineCache ??= lineFacts(this.commandLine);
    return this.lineCache;
  }

  /**
   * Where conditions that read the line alone keep their answers for this line, shared
   * by every later event with the same line; undefined while the cache does not keep
   * the line (its first sighting, a long line), so that no table is made for nothing.
   */
  get lineAnswers(): Map<number, boolean> | undefined {
    const line = this.line;
    if (!line.kept) return undefined;
    line.answers ??= new Map<number, boolean>();
    return line.answers;
  }

  /** Whether the cache keeps this event's line: only then is work kept for it (keepForLine). */
  get keepsLine(): boolean {
    return this.line.kept;
  }

  /** What `key`'s owner kept for this event's line (keepForLine), undefined if nothing. */
  lineMemo<V>(key: LineMemoKey<V>): V | undefined {
    const memos = this.line.memos;
    if (memos === undefined) return undefined;
    for (let i = 0; i < memos.length; i++) {
      const memo = memos[i]!;
      if (memo.key === key) return memo.epoch === key.epoch ? (memo.value as V) : undefined;
    }
    return undefined;
  }

  /**
   * Keeps `value` for this event's line on behalf of `key`'s owner, when the cache keeps
   * the line (as lineAnswers: not on its first sighting, nor for a long line). Replaces
   * what the owner kept before for the line.
   */
  keepForLine<V>(key: LineMemoKey<V>, value: V): void {
    const line = this.line;
    if (!line.kept) return;
    const memos = (line.memos ??= []);
    const entry: LineMemoEntry = { key, epoch: key.epoch, value };
    const own = memos.findIndex((memo) => memo.key === key);
    if (own >= 0) memos[own] = entry;
    else {
      if (memos.length >= LINE_MEMO_OWNERS) memos.shift();
      memos.push(entry);
    }
  }

  get commands(): ShellCommand[] {
    const line = this.line;
    line.commands ??= parseCommandLine(this.commandLine);
    return line.commands;
  }

  get programs(): string[] {
    const line = this.line;
    line.programs ??= [...new Set(this.commands.map((c) => c.program).filter((p) => p !== ''))];
    return line.programs;
  }

  get decoded(): string[] {
    const line = this.line;
    line.decoded ??= decodePayloads(this.commandLine);
    return line.decoded;
  }

  get isRoot(): boolean {
    if (this.isRootCache === undefined) {
      if (userIsRoot(this.event)) {
        this.isRootCache = true;
      } else {
        const line = this.line;
        line.elevatedToRoot ??= this.commands.some(
          (c) => c.elevated && (c.runAs === undefined || ROOT_NAMES.has(c.runAs)),
        );
        this.isRootCache = line.elevatedToRoot;
      }
    }
    return this.isRootCache;
  }
}

let lastEvent: CommandEvent | undefined;
let lastFacts: EventFacts | undefined;

/**
 * The EventFacts of an event object, kept for the last event asked about: the
 * evaluator and then the correlation engine see each event one right after the other
 * (processBatch), and this way parse its line once between them. One entry rather
 * than a WeakMap of every event: weak tables cost the garbage collector on every
 * event, and nothing asks about an older one.
 */
export function factsOf(event: CommandEvent): EventFacts {
  if (event !== lastEvent || lastFacts === undefined) {
    lastFacts = new EventFacts(event);
    lastEvent = event;
  }
  return lastFacts;
}

/** The half of `isRoot` read from the event's user fields, without parsing the line. */
export function userIsRoot(event: CommandEvent): boolean {
  const user = event.user;
  return (
    user?.id === '0' ||
    user?.name === 'root' ||
    user?.effective?.id === '0' ||
    user?.effective?.name === 'root'
  );
}

/** The facts object handed to json-rules-engine: the same values, for the reference evaluator. */
export function factsRecord(facts: EventFacts): Record<FactName, unknown> {
  const record = {} as Record<FactName, unknown>;
  for (const name of FACT_NAMES) record[name] = facts.get(name);
  return record;
}
