import { existsSync, mkdtempSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FolderLockError, RULES_LOCK_FILE, withFolderLock } from './folder-lock';
import type { FolderLockTiming } from './folder-lock';

const FAST: FolderLockTiming = { leaseMs: 15_000, refreshMs: 2_000, waitMs: 10_000, retryMs: 2 };

function folder(): string {
  return mkdtempSync(join(tmpdir(), 'folder-lock-'));
}

describe('withFolderLock', () => {
  it('lets one holder at a time in, and removes its file when done', async () => {
    const dir = folder();
    let inside = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        withFolderLock(
          dir,
          async () => {
            inside += 1;
            most = Math.max(most, inside);
            await new Promise((resolve) => setImmediate(resolve));
            order.push(i);
            inside -= 1;
          },
          FAST,
        ),
      ),
    );
    expect(most).toBe(1);
    expect(order).toHaveLength(20);
    expect(existsSync(join(dir, RULES_LOCK_FILE))).toBe(false);
  });

  it('takes over a lock whose holder stopped refreshing it longer than the lease ago', async () => {
    const dir = folder();
    const lock = join(dir, RULES_LOCK_FILE);
    writeFileSync(lock, '{"pid":1}\n');
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    await expect(withFolderLock(dir, () => Promise.resolve('done'), FAST)).resolves.toBe('done');
    expect(existsSync(lock)).toBe(false);
  });

  it('gives up with RULES_FOLDER_BUSY while a live holder keeps it', async () => {
    const dir = folder();
    writeFileSync(join(dir, RULES_LOCK_FILE), '{"pid":1}\n');
    const error = await withFolderLock(dir, () => Promise.resolve(), { ...FAST, waitMs: 50 }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(FolderLockError);
    expect(error).toMatchObject({ code: 'RULES_FOLDER_BUSY' });
    // The live holder's file is left alone.
    expect(existsSync(join(dir, RULES_LOCK_FILE))).toBe(true);
  });

  it('says the folder is missing instead of creating it', async () => {
    const dir = join(folder(), 'rules');
    await expect(withFolderLock(dir, () => Promise.resolve(), FAST)).rejects.toMatchObject({
      code: 'RULES_FOLDER_MISSING',
    });
    expect(existsSync(dir)).toBe(false);
  });

  it('tells a holder that lost its lock, and does not remove the new holder’s file', async () => {
    const dir = folder();
    const lock = join(dir, RULES_LOCK_FILE);
    const outcome = await withFolderLock(
      dir,
      async (lease) => {
        await lease.assertHeld();
        // Another process took it over (as after a stall longer than the lease).
        renameSync(lock, join(dir, 'taken.lock'));
        writeFileSync(lock, '{"pid":2}\n');
        return lease.assertHeld().catch((caught: unknown) => caught);
      },
      FAST,
    );
    expect(outcome).toMatchObject({ code: 'RULES_LOCK_LOST' });
    expect(existsSync(lock)).toBe(true);
  });
});
