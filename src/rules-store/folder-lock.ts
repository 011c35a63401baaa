import { randomUUID } from 'node:crypto';
import { link, open, rename, stat, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * The lock file, inside the rules folder so that every replica sharing the folder
 * sees it. Hidden (the loader skips it) and ending in `.lock` (the watcher ignores it).
 */
export const RULES_LOCK_FILE = '.shellwatch-write.lock';

export interface FolderLockTiming {
  /** A lock whose file was not refreshed for this long belongs to a holder that died; it is taken over. */
  leaseMs: number;
  /** How often a holder refreshes its lock file's modification time. */
  refreshMs: number;
  /** How long a writer waits for the lock before giving up (409). */
  waitMs: number;
  /** Pause between two attempts (with jitter). */
  retryMs: number;
}

/**
 * A change holds the lock for the time of a read, a validation of the whole folder,
 * a write and a reload: milliseconds to a second or two for a large folder. The
 * lease is far longer than that and than a refresh period, so a live holder is
 * never taken for dead, unless its process stalls (or the clocks of the machines
 * sharing the folder differ) by more than 15 s.
 */
export const FOLDER_LOCK_TIMING: FolderLockTiming = {
  leaseMs: 15_000,
  refreshMs: 2_000,
  waitMs: 10_000,
  retryMs: 20,
};

export type FolderLockErrorCode = 'RULES_FOLDER_BUSY' | 'RULES_FOLDER_MISSING' | 'RULES_LOCK_LOST';

/** The lock could not be taken, or was lost; nothing was written. */
export class FolderLockError extends Error {
  constructor(
    message: string,
    readonly code: FolderLockErrorCode,
  ) {
    super(message);
  }
}

/** A held lock. */
export interface FolderLease {
  /** Throws {@link FolderLockError} (`RULES_LOCK_LOST`) unless the lock file is still this holder's. */
  assertHeld(): Promise<void>;
}

/**
 * Runs `work` while holding the write lock of `folder`, shared by every process
 * that uses this function on the same folder (replicas on one shared volume): a
 * lock file created with O_EXCL, its modification time refreshed while held, taken
 * over when older than the lease (its holder died). Processes that write the folder
 * without it (an editor, `git pull`) are not held back.
 *
 * Why not a library: proper-lockfile (the usual choice, same design with a
 * directory) is not among the project's dependencies.
 */
export async function withFolderLock<T>(
  folder: string,
  work: (lease: FolderLease) => Promise<T>,
  timing: FolderLockTiming = FOLDER_LOCK_TIMING,
): Promise<T> {
  const lease = await acquire(join(folder, RULES_LOCK_FILE), timing);
  try {
    return await work(lease);
  } finally {
    await lease.release();
  }
}

class HeldLock implements FolderLease {
  private readonly refresher: NodeJS.Timeout;

  constructor(
    private readonly path: string,
    private readonly handle: FileHandle,
    private readonly ino: number,
    refreshMs: number,
  ) {
    // Through the open handle: refreshes this holder's file even if it was moved away.
    this.refresher = setInterval(() => {
      const now = new Date();
      this.handle.utimes(now, now).catch(() => undefined);
    }, refreshMs);
    this.refresher.unref();
  }

  async assertHeld(): Promise<void> {
    const current = await stat(this.path).catch(() => undefined);
    if (current?.ino !== this.ino) {
      throw new FolderLockError(
        'the write lock of the rules folder was taken over while this change was being checked (it stalled longer than the lease); nothing was written, retry',
        'RULES_LOCK_LOST',
      );
    }
  }

  async release(): Promise<void> {
    clearInterval(this.refresher);
    const current = await stat(this.path).catch(() => undefined);
    if (current?.ino === this.ino) await unlink(this.path).catch(() => undefined);
    await this.handle.close();
  }
}

async function acquire(path: string, timing: FolderLockTiming): Promise<HeldLock> {
  const deadline = Date.now() + timing.waitMs;
  for (;;) {
    const created = await create(path);
    if (created !== undefined) {
      const { ino } = await created.stat();
      return new HeldLock(path, created, ino, timing.refreshMs);
    }
    const held = await stat(path).catch(() => undefined);
    if (held === undefined) continue; // released in between
    if (Date.now() - held.mtimeMs > timing.leaseMs) {
      await takeOver(path, held);
      continue;
    }
    if (Date.now() > deadline) {
      throw new FolderLockError(
        `another change to the rules folder still holds its write lock (${RULES_LOCK_FILE}) after ${timing.waitMs} ms; nothing was written, retry`,
        'RULES_FOLDER_BUSY',
      );
    }
    await new Promise((done) => setTimeout(done, timing.retryMs * (1 + Math.random())));
  }
}

/** The lock file, created by this call; undefined when another holder has it. */
async function create(path: string): Promise<FileHandle | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'wx', 0o644);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return undefined;
    if (code === 'ENOENT') {
      throw new FolderLockError(
        'the rules folder does not exist (removed, or being replaced); nothing was written',
        'RULES_FOLDER_MISSING',
      );
    }
    throw error;
  }
  // Who holds it, for whoever finds the file.
  await handle.writeFile(
    `${JSON.stringify({ host: hostname(), pid: process.pid, since: new Date().toISOString() })}\n`,
  );
  return handle;
}

/**
 * Removes a lock whose holder died. Moving it aside first makes the check exact:
 * if what was moved is not the stale file that was looked at (a new holder took the
 * lock in between, or the holder refreshed it), it is put back where it was.
 */
async function takeOver(path: string, stale: Stats): Promise<void> {
  const aside = `${path.slice(0, -'.lock'.length)}.${randomUUID()}.stale.lock`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else took it over
    throw error;
  }
  const moved = await stat(aside);
  if (moved.ino !== stale.ino || moved.mtimeMs !== stale.mtimeMs) {
    // A live lock: back in place, unless yet another holder created one meanwhile.
    await link(aside, path).catch(() => undefined);
  }
  await unlink(aside).catch(() => undefined);
}
