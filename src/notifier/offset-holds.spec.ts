import { describe, expect, it } from 'vitest';
import { OffsetHolds } from './offset-holds';

describe('OffsetHolds', () => {
  it('commits past handled records, and never past one waiting for its digest', () => {
    const holds = new OffsetHolds();
    expect(holds.committable()).toBeUndefined();
    holds.handled('10', 0);
    holds.handled('11', 2);
    holds.handled('12', 0);
    expect(holds.committable()).toBe('11');
    holds.committedTo('11');
    expect(holds.committable()).toBeUndefined();
    holds.release('11');
    expect(holds.committable()).toBeUndefined(); // one hold of 11 left: still 11, already committed
    holds.release('11');
    expect(holds.committable()).toBe('13');
    expect(holds.heldRecords).toBe(0);
  });
});
