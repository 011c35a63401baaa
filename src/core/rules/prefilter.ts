/**
 * The prefilter: which rules could match an event, decided from a necessary
 * condition extracted from each rule's condition tree at load time, so an event
 * runs only those rules (issue 8). A rule whose condition yields nothing usable is
 * a candidate for every event. Dropping a rule that would match is the one thing
 * this must never do; the differential tests hold it to that.
 *
 * This file is the front; one job per module, read in this order:
 * - prefilter-conditions.ts: the necessary condition (atoms, conjunctions,
 *   alternatives) of a condition tree, with prefilter-operator-literals.ts for the
 *   keywords a string operator needs and literal-extraction.ts for regex literals;
 * - prefilter-plain-lines.ts: the lines that skip the shell parser, and their keys;
 * - prefilter-rule-analysis.ts: what the index derives from one rule, cached per rule;
 * - prefilter-index.ts: the index itself, `Prefilter`, whose `candidates` runs per event.
 */
export type {
  Alternatives,
  Atom,
  Channel,
  Conjunction,
  EventField,
  Requirement,
} from './prefilter-conditions';
export {
  conditionAlternatives,
  conditionConjunction,
  conditionRequirement,
} from './prefilter-conditions';
export { isPlainLine, unquotedPlainText } from './prefilter-plain-lines';
export type { PrefilterRule } from './prefilter-rule-analysis';
export { Prefilter } from './prefilter-index';
export type { PrefilterStats } from './prefilter-index';
