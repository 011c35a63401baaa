import { commandEventFromDocument } from '../alerts/stored-command';
import type { CommandEvent } from '../event';
import type { MatchedCondition, RuleMatch } from '../rules/types';

/**
 * A rule preview over stored command documents (issue 22): each document is turned
 * back into its event (stored-command.ts), evaluated, and tallied — matches per day
 * and per host, the first matches kept — until the pages end or a budget is spent.
 * Pure: the pages come from an adapter (src/elasticsearch/commands-scan.ts), the
 * clock from the caller, so the paging and budget logic is tested with fakes.
 */

/** One stored command document: its `_id` and `_source`. */
export interface StoredHit {
  id: string;
  source: unknown;
}

/** A page of documents in scan order; `total` (documents in the range) on the first page when known. */
export interface StoredPage {
  hits: readonly StoredHit[];
  total?: number;
}

/** What bounds one preview. */
export interface PreviewBudget {
  /** Most documents scanned. */
  maxDocuments: number;
  /** Wall-clock budget in milliseconds. */
  maxMs: number;
  /** Most matches returned in `matches` (all are counted). */
  maxMatches: number;
  /** Most hosts listed in `perHost`; the rest are summed in `otherHosts`. */
  maxHosts: number;
}

/** The scan could not finish a page before the time budget ran out (the adapter's request timed out). */
export class PreviewDeadlineError extends Error {
  constructor(message = 'the time budget ran out during a page request') {
    super(message);
  }
}

/** One match as the preview shows it: where it is stored and why it matched. */
export interface PreviewMatch {
  id: string;
  '@timestamp': string;
  host: string | null;
  user: string | null;
  commandLine: string;
  conditions: MatchedCondition[];
}

export interface PreviewProgress {
  scanned: number;
  matched: number;
  /** Documents in the range, when the scan knows it. */
  total: number | null;
  elapsedMs: number;
}

export interface PreviewOutcome {
  /** Documents read from the index (unreadable ones included). */
  scanned: number;
  /** Documents in the range when the scan started, when known. */
  total: number | null;
  matched: number;
  /** Documents that could not be turned back into an event (no command line, no @timestamp). */
  unreadable: number;
  /** Matches per UTC day, in day order. */
  perDay: { day: string; count: number }[];
  /** Matches per `host.name`, most first (ties by name); `(none)` for events without one. */
  perHost: { host: string; count: number }[];
  /** Hosts with matches beyond `maxHosts`, and their matches. */
  otherHosts: { hosts: number; matches: number };
  /** The first `maxMatches` matches in scan order (oldest first). */
  matches: PreviewMatch[];
  /** Why the scan stopped before the end of the range, or null when it read all of it. */
  stoppedBy: 'documents' | 'time' | null;
  tookMs: number;
}

export interface RunPreviewOptions {
  budget: PreviewBudget;
  /** Milliseconds, monotonic (performance.now in production). */
  now: () => number;
  /** Called after every page. */
  onProgress?: (progress: PreviewProgress) => void;
}

/** Host name of events without one, in `perHost`. */
export const NO_HOST = '(none)';

/**
 * Runs `evaluate` over the documents of `pages`, in order, within the budget. Stops
 * reading (and so lets the adapter close its point in time) as soon as the document
 * budget is reached, or before a page when the time budget is spent; a page request
 * that overruns it (PreviewDeadlineError) also ends the scan as a time stop.
 */
export async function runPreview(
  pages: AsyncIterable<StoredPage>,
  evaluate: (event: CommandEvent) => RuleMatch | undefined,
  options: RunPreviewOptions,
): Promise<PreviewOutcome> {
  const { budget, now } = options;
  const started = now();
  const tally = new PreviewTally(budget.maxMatches);
  let total: number | null = null;
  let stoppedBy: PreviewOutcome['stoppedBy'] = null;
  const iterator = pages[Symbol.asyncIterator]();
  try {
    for (;;) {
      if (tally.scanned >= budget.maxDocuments) {
        stoppedBy = 'documents';
        break;
      }
      if (now() - started >= budget.maxMs) {
        stoppedBy = 'time';
        break;
      }
      let next: IteratorResult<StoredPage>;
      try {
        next = await iterator.next();
      } catch (error) {
        if (!(error instanceof PreviewDeadlineError)) throw error;
        stoppedBy = 'time';
        break;
      }
      if (next.done === true) break;
      const page = next.value;
      if (page.total !== undefined && total === null) total = page.total;
      for (const hit of page.hits) {
        if (tally.scanned >= budget.maxDocuments) break;
        tally.add(hit, evaluate);
      }
      options.onProgress?.({
        scanned: tally.scanned,
        matched: tally.matched,
        total,
        elapsedMs: now() - started,
      });
      if (page.hits.length === 0) break;
    }
  } finally {
    // Closes the scan (its point in time) whether it ended, stopped or failed.
    await iterator.return?.();
  }
  // The last page may have ended exactly at the budget with nothing left: not a stop.
  if (stoppedBy === 'documents' && total !== null && tally.scanned >= total) stoppedBy = null;
  return { ...tally.summary(budget.maxHosts), total, stoppedBy, tookMs: now() - started };
}

/** The counts of one preview; documents are added in scan order. */
export class PreviewTally {
  scanned = 0;
  matched = 0;
  unreadable = 0;
  private readonly days = new Map<string, number>();
  private readonly hosts = new Map<string, number>();
  private readonly kept: PreviewMatch[] = [];

  constructor(private readonly maxMatches: number) {}

  add(hit: StoredHit, evaluate: (event: CommandEvent) => RuleMatch | undefined): void {
    this.scanned += 1;
    const stored = commandEventFromDocument(hit.source);
    if (!stored.ok) {
      this.unreadable += 1;
      return;
    }
    const { event } = stored;
    const match = evaluate(event);
    if (match === undefined) return;
    this.matched += 1;
    const day = utcDay(event['@timestamp']);
    this.days.set(day, (this.days.get(day) ?? 0) + 1);
    const host = event.host?.name ?? NO_HOST;
    this.hosts.set(host, (this.hosts.get(host) ?? 0) + 1);
    if (this.kept.length < this.maxMatches) {
      this.kept.push({
        id: hit.id,
        '@timestamp': event['@timestamp'],
        host: event.host?.name ?? null,
        user: event.user?.name ?? null,
        commandLine: event.process.command_line,
        conditions: match.matched,
      });
    }
  }

  summary(
    maxHosts: number,
  ): Pick<
    PreviewOutcome,
    'scanned' | 'matched' | 'unreadable' | 'perDay' | 'perHost' | 'otherHosts' | 'matches'
  > {
    const hosts = [...this.hosts]
      .map(([host, count]) => ({ host, count }))
      .sort((a, b) => b.count - a.count || (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
    const listed = hosts.slice(0, maxHosts);
    const rest = hosts.slice(maxHosts);
    return {
      scanned: this.scanned,
      matched: this.matched,
      unreadable: this.unreadable,
      perDay: [...this.days]
        .map(([day, count]) => ({ day, count }))
        .sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0)),
      perHost: listed,
      otherHosts: { hosts: rest.length, matches: rest.reduce((sum, h) => sum + h.count, 0) },
      matches: this.kept,
    };
  }
}

/** `2026-11-25` for any timestamp of that UTC day; the text before `T` when it does not parse. */
function utcDay(timestamp: string): string {
  const ms = Date.parse(timestamp);
  return Number.isNaN(ms) ? timestamp.slice(0, 10) : new Date(ms).toISOString().slice(0, 10);
}
