import type { CompiledCorrelation } from './compile-correlation';
import { before, insertSorted } from './engine-types';
import type { Entry, PendingAbsence, SequenceState } from './engine-types';

type SequenceSpec = NonNullable<CompiledCorrelation['sequence']>;

/** What one event did to a sequence key. */
export type SequenceOutcome =
  | { kind: 'none' }
  /** The steps completed and the absence now waits for its deadline. */
  | { kind: 'pending'; deadline: number }
  /** The steps completed (no absence): the chain, each entry citing its step. */
  | { kind: 'complete'; chain: PendingAbsence['chain'] };

/** The counters a sequence key moves. */
export interface SequenceCounters {
  cancelled: number;
}

/**
 * Adds an event to a sequence key: to the steps it matched (`matchedSteps`) and, when
 * it matches the absence (`absent`), to the absence events, cancelling the pending
 * chains it falls after within their deadline. A sequence completes with the earliest
 * chain e1..ek of strictly increasing (ts, seq) within `windowMs`; the key then forgets
 * every step event up to ek. With an absence the chain becomes pending (unless an
 * absence event already cancels it).
 */
export function addToSequence(
  state: SequenceState,
  entry: Entry,
  matchedSteps: readonly boolean[],
  absent: boolean,
  spec: SequenceSpec,
  cap: (list: Entry[]) => void,
  counters: SequenceCounters,
): SequenceOutcome {
  while (state.steps.length < spec.steps.length) state.steps.push([]);
  if (absent) {
    insertSorted(state.absent, { ...entry });
    cap(state.absent);
    const count = state.pending.length;
    state.pending = state.pending.filter((p) => !cancels(entry, p));
    counters.cancelled += count - state.pending.length;
  }
  matchedSteps.forEach((matched, i) => {
    if (!matched) return;
    const list = state.steps[i]!;
    insertSorted(list, { ...entry });
    cap(list);
  });
  if (!matchedSteps.includes(true)) return { kind: 'none' };
  const chain = findChain(state.steps, spec.windowMs);
  if (chain === undefined) return { kind: 'none' };
  const last = chain[chain.length - 1]!;
  state.steps = state.steps.map((list) => list.filter((e) => before(last, e)));
  const cited = chain.map((e, i) => ({ ...e, step: spec.stepNames[i] }));
  if (spec.absence === undefined) return { kind: 'complete', chain: cited };
  const pending: PendingAbsence = { chain: cited, deadline: last.ts + spec.absence.withinMs };
  if (state.absent.some((x) => cancels(x, pending))) {
    counters.cancelled += 1;
    return { kind: 'none' };
  }
  state.pending.push(pending);
  return { kind: 'pending', deadline: pending.deadline };
}

/** Earliest chain e1..ek with strictly increasing (ts, seq) and ts(ek) - ts(e1) <= window. */
function findChain(steps: Entry[][], windowMs: number): Entry[] | undefined {
  // A step with no event yet: no chain (the loop below would find none either, after
  // trying every event of the first step, up to maxEventsPerKey of them, on each event).
  for (const list of steps) if (list.length === 0) return undefined;
  for (const first of steps[0] ?? []) {
    const chain = [first];
    let prev = first;
    for (let i = 1; i < steps.length; i += 1) {
      const next = steps[i]!.find((e) => before(prev, e));
      if (next === undefined || next.ts - first.ts > windowMs) break;
      chain.push(next);
      prev = next;
    }
    if (chain.length === steps.length) return chain;
  }
  return undefined;
}

/** True when an absence event `x` falls after the chain's last step and by its deadline. */
function cancels(x: Entry, pending: PendingAbsence): boolean {
  const last = pending.chain[pending.chain.length - 1]!;
  return before(last, x) && x.ts <= pending.deadline;
}

/**
 * Takes the pending chains whose deadline the watermark passed out of the key; `next`
 * is the earliest deadline still pending (+Infinity: none).
 */
export function takeDueAbsences(
  state: SequenceState,
  watermark: number,
): { due: PendingAbsence[]; next: number } {
  let next = Number.POSITIVE_INFINITY;
  const due = state.pending.filter((p) => watermark > p.deadline);
  for (const p of state.pending) if (watermark <= p.deadline) next = Math.min(next, p.deadline);
  if (due.length > 0) state.pending = state.pending.filter((p) => watermark <= p.deadline);
  return { due, next };
}

/** Drops step and absence events older than `horizon`; true when some were dropped. */
export function expireSequence(state: SequenceState, horizon: number): boolean {
  const keep = (list: Entry[]): Entry[] => list.filter((e) => e.ts >= horizon);
  const steps = state.steps.map(keep);
  const absent = keep(state.absent);
  const changed =
    absent.length !== state.absent.length ||
    steps.some((s, i) => s.length !== state.steps[i]?.length);
  if (changed) {
    state.steps = steps;
    state.absent = absent;
  }
  return changed;
}
