import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { isInside } from './rule-files';
import { errorMessage } from '../core/errors';

/** Why a {@link FolderWatch} calls back: something in the tree changed, or the folder itself was replaced or removed. */
export type FolderChange = 'changed' | 'replaced' | 'missing';

/** Deep enough for any sane layout, as the loader reads it; stops a link loop. */
const MAX_DEPTH = 8;

/** Quiet time after a file or folder is created, removed or renamed before the watches are set again. */
const REWATCH_DELAY_MS = 50;

/**
 * Which folder a path names right now (links followed), or missing. The inode
 * alone is not enough: `rm -rf dir && cp -a backup dir` gets the freed inode
 * number back on ext4, so the creation time is part of it where the file system
 * has one.
 */
async function identityOf(folder: string): Promise<string> {
  const info = await stat(folder).catch(() => undefined);
  return info?.isDirectory() === true ? `${info.dev}:${info.ino}:${info.birthtimeMs}` : 'missing';
}

/**
 * Watches a rules folder that may be replaced as a whole, and reports that
 * something changed; the owner re-reads the whole folder anyway, so no event
 * needs to say what.
 *
 * A file system watch follows an inode, not a name: after `rm -rf dir && cp -a
 * backup dir`, `mv new dir` or a swapped `current -> release` link, a watch on
 * the folder keeps watching the deleted one and never reports again (issue 20,
 * finding 3; chokidar 4.0.3, used before, did exactly that, and when re-armed
 * kept a dead fs.watch of the old folder that the new watch joined, since it
 * shares one handle per path). So: one non-recursive `fs.watch` per folder of
 * the tree (links followed while they stay inside, hidden folders skipped as the
 * loader skips them), one on the parent folder for the folder's own name, and
 * whenever an entry is created, removed or renamed, every watch is set again on
 * what the names point to now. A rules tree is a few dozen folders at most.
 *
 * {@link check}, called from the owner's periodic re-scan, re-arms the watches
 * when the folder is another one than the one watched (a parent folder replaced).
 */
export class FolderWatch {
  private readonly root: string;
  private trees = new Map<string, FSWatcher>();
  private parent: FSWatcher | undefined;
  private armedOn = 'unarmed';
  /** Re-arms run one at a time, in order. */
  private arming: Promise<void> = Promise.resolve();
  private rewatchTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    folder: string,
    private readonly onChange: (change: FolderChange) => void,
    private readonly onError: (message: string) => void,
  ) {
    this.root = resolve(folder);
  }

  /** Sets the watches; resolves once they are set (or the folder was found missing). */
  start(): Promise<void> {
    return this.rearm(false);
  }

  /** Re-arms the watches when the folder's name points to another folder than the one watched. Cheap otherwise. */
  async check(): Promise<void> {
    if ((await identityOf(this.root)) !== this.armedOn || this.parent === undefined)
      await this.rearm(false);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.rewatchTimer);
    await this.arming;
    this.closeAll();
  }

  /** Number of folders watched (the tree and the parent), for tests. */
  get watchCount(): number {
    return this.trees.size + (this.parent === undefined ? 0 : 1);
  }

  private rearm(always: boolean): Promise<void> {
    const run = this.arming.then(() => this.rearmNow(always));
    this.arming = run.catch((error: unknown) => this.onError(errorMessage(error)));
    return this.arming;
  }

  private async rearmNow(always: boolean): Promise<void> {
    if (this.closed) return;
    const identity = await identityOf(this.root);
    const before = this.armedOn;
    if (!always && identity === before && this.parent !== undefined) return;
    this.closeAll();
    this.armedOn = identity;
    this.parent = this.watchParent();
    if (identity !== 'missing') {
      const root = await realpath(this.root).catch(() => undefined);
      if (root !== undefined) await this.watchTree(this.root, root, 0, new Set());
    }
    if (before === 'unarmed' || identity === before) return;
    this.onChange(identity === 'missing' ? 'missing' : 'replaced');
  }

  private async watchTree(
    folder: string,
    root: string,
    depth: number,
    seen: Set<string>,
  ): Promise<void> {
    const real = await realpath(folder).catch(() => undefined);
    if (real === undefined || seen.has(real) || !isInside(root, real) || this.closed) return;
    seen.add(real);
    const watcher = this.open(folder, (event, name) => this.entryEvent(event, name));
    if (watcher === undefined) return;
    this.trees.set(folder, watcher);
    if (depth >= MAX_DEPTH) return;
    const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (entry.name.startsWith('.') || !(entry.isDirectory() || entry.isSymbolicLink())) continue;
      const child = join(folder, entry.name);
      const info = await stat(child).catch(() => undefined);
      if (info?.isDirectory() === true) await this.watchTree(child, root, depth + 1, seen);
    }
  }

  /** The parent folder's entries: reports when the folder's name is created, removed, renamed or swapped. */
  private watchParent(): FSWatcher | undefined {
    const name = basename(this.root);
    return this.open(dirname(this.root), (_event, entry) => {
      if (entry !== null && entry !== name) return;
      this.onChange('changed');
      this.scheduleRewatch();
    });
  }

  private entryEvent(event: string, name: string | null): void {
    // Our own temporary and lock files (atomic writes, the write lock) are not changes.
    if (name !== null && (name.endsWith('.tmp') || name.endsWith('.lock'))) return;
    this.onChange('changed');
    // A created, removed or renamed entry may be a folder (or the watched folder itself).
    if (event === 'rename') this.scheduleRewatch();
  }

  private scheduleRewatch(): void {
    if (this.closed) return;
    clearTimeout(this.rewatchTimer);
    this.rewatchTimer = setTimeout(() => void this.rearm(true), REWATCH_DELAY_MS);
  }

  private open(
    folder: string,
    listener: (event: string, name: string | null) => void,
  ): FSWatcher | undefined {
    try {
      // Not persistent: the HTTP server keeps the process alive, a watch must not hold up its exit.
      const watcher = watch(folder, { persistent: false }, listener);
      // A watched folder that is deleted may end its watch with an error: set the watches again.
      watcher.on('error', () => this.scheduleRewatch());
      return watcher;
    } catch (error) {
      // Gone between the listing and the watch (being replaced), or the parent is missing:
      // the next event or the periodic check sets it again.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.onError(`watching ${folder}: ${errorMessage(error)}`);
      }
      return undefined;
    }
  }

  private closeAll(): void {
    for (const watcher of this.trees.values()) watcher.close();
    this.trees.clear();
    this.parent?.close();
    this.parent = undefined;
  }
}
