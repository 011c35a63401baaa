import type { LoadedRule } from '../rules/load-rule-set';
import type { PreviewBudget, PreviewOutcome } from './run-preview';

/** Documents per page request: large enough that a request's round trip is not the cost. */
export const PREVIEW_PAGE_SIZE = 2_000;

/** How the commands index was paged (CommandsScan.mode). */
export type PreviewPaging = 'point-in-time' | 'search-after';

/** A preview's answer, the same for POST /rules/preview and `shellwatch rules preview --json`. */
export type PreviewAnswer = {
  ruleId: string;
  enabled: boolean;
  index: string;
  from: string;
  to: string;
  paging: PreviewPaging;
  budget: { maxDocuments: number; maxSeconds: number; maxMatches: number };
  notes: string[];
} & PreviewOutcome;

/** What the fallback paging means for the counts. */
export const SEARCH_AFTER_NOTE =
  'the cluster did not open a point in time: paged with search_after on @timestamp and the Kafka position, without a snapshot; documents written into the range during the scan may be counted or not';

/**
 * The answer of a preview: the rule, the range, how it was paged, the outcome, and
 * notes for reading it (the rule's own, then the paging, the unreadable documents and
 * the matches left out of the list).
 */
export function previewAnswer(parts: {
  rule: LoadedRule;
  index: string;
  range: { from: Date; to: Date };
  budget: PreviewBudget;
  paging: PreviewPaging;
  outcome: PreviewOutcome;
  notes: readonly string[];
}): PreviewAnswer {
  const { rule, outcome, budget } = parts;
  const notes = [...parts.notes];
  if (parts.paging === 'search-after') notes.push(SEARCH_AFTER_NOTE);
  if (outcome.unreadable > 0) {
    notes.push(
      `${outcome.unreadable} document(s) had no process.command_line or @timestamp and were skipped`,
    );
  }
  if (outcome.matched > outcome.matches.length) {
    notes.push(
      `matches lists the first ${outcome.matches.length} of ${outcome.matched} (maxMatches ${budget.maxMatches})`,
    );
  }
  return {
    ruleId: rule.definition.id,
    enabled: rule.definition.enabled,
    index: parts.index,
    from: parts.range.from.toISOString(),
    to: parts.range.to.toISOString(),
    paging: parts.paging,
    ...outcome,
    tookMs: Math.round(outcome.tookMs),
    budget: {
      maxDocuments: budget.maxDocuments,
      maxSeconds: budget.maxMs / 1000,
      maxMatches: budget.maxMatches,
    },
    notes,
  };
}
