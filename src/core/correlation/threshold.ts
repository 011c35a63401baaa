import type { CompiledCorrelation } from './compile-correlation';
import { insertSorted } from './engine-types';
import type { Entry, ThresholdState } from './engine-types';

type ThresholdSpec = NonNullable<CompiledCorrelation['threshold']>;

/**
 * Adds an event to a threshold key and returns the events of the window it completed,
 * or undefined. A window qualifies when `count` of its events (or `count` distinct
 * values with `distinct`) lie within `windowMs` of each other, whatever their arrival
 * order; only windows containing the new event are checked (the others were before).
 * After firing, the key forgets every event up to the window's last: one burst, one
 * alert. `cap` bounds the key's events.
 */
export function addToThreshold(
  state: ThresholdState,
  own: Entry,
  spec: ThresholdSpec,
  cap: (list: Entry[]) => void,
): Entry[] | undefined {
  insertSorted(state.events, own);
  cap(state.events);
  const list = state.events;
  const idx = list.indexOf(own);
  const w = spec.windowMs;
  let found: [number, number] | undefined;
  for (let i = 0; i <= idx && found === undefined; i += 1) {
    const first = list[i]!;
    if (own.ts - first.ts > w) continue;
    if (spec.distinct === undefined) {
      const last = list[i + spec.count - 1];
      if (i + spec.count - 1 >= idx && last !== undefined && last.ts - first.ts <= w)
        found = [i, i + spec.count - 1];
    } else {
      const seen = new Set<string>();
      for (let j = i; j < list.length && list[j]!.ts - first.ts <= w; j += 1) {
        seen.add(list[j]!.v ?? '');
        if (seen.size >= spec.count) {
          found = [i, j];
          break;
        }
      }
    }
  }
  if (found === undefined) return undefined;
  const chain = list.slice(found[0], found[1] + 1);
  state.events = list.slice(found[1] + 1);
  return chain;
}

/** Drops the events older than `horizon`; true when some were dropped. */
export function expireThreshold(state: ThresholdState, horizon: number): boolean {
  const events = state.events.filter((e) => e.ts >= horizon);
  if (events.length === state.events.length) return false;
  state.events = events;
  return true;
}
