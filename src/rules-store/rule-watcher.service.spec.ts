import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { folderHash, readRuleFolder } from './rule-files';
import type { RuleSetStatus, RuleStore } from './rule-store.service';
import { RuleWatcher } from './rule-watcher.service';

/** The part of the store the watcher uses: records reloads and what the files were last seen as. */
class FakeStore {
  reloads = 0;
  filesHash: string | null = null;

  reload(): Promise<RuleSetStatus> {
    this.reloads += 1;
    return Promise.resolve(this.status());
  }

  filesObserved(hash: string | null): void {
    this.filesHash = hash;
  }

  status(): RuleSetStatus {
    return { filesHash: this.filesHash } as RuleSetStatus;
  }
}

/** Whether a debounced reload is waiting (the re-scan asked for one). */
function reloadPending(watcher: RuleWatcher): boolean {
  return (
    (watcher as unknown as { reloadTimer: NodeJS.Timeout | undefined }).reloadTimer !== undefined
  );
}

async function until(what: string, done: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('RuleWatcher.rescan, the safety net', () => {
  const watchers: RuleWatcher[] = [];
  afterEach(async () => {
    await Promise.all(watchers.splice(0).map((watcher) => watcher.onModuleDestroy()));
  });

  function setUp(): { dir: string; store: FakeStore; watcher: RuleWatcher } {
    const dir = join(mkdtempSync(join(tmpdir(), 'rule-watcher-')), 'rules');
    mkdirSync(dir);
    writeFileSync(join(dir, 'SW-EXE-0001.json'), '{}');
    const store = new FakeStore();
    // No onApplicationBootstrap: no file system watch, so only the re-scan can notice a change.
    const watcher = new RuleWatcher({ rules: { dir } }, store as unknown as RuleStore);
    watchers.push(watcher);
    return { dir, store, watcher };
  }

  it('reloads when the files hash differs from the last read, and only then', async () => {
    const { dir, store, watcher } = setUp();
    store.filesHash = folderHash(await readRuleFolder(dir));
    await watcher.rescan();
    expect(reloadPending(watcher)).toBe(false);
    writeFileSync(join(dir, 'SW-EXE-0002.json'), '{}');
    await watcher.rescan();
    await until('the reload after the change the re-scan found', () => store.reloads === 1);
    expect(store.filesHash).toBe(folderHash(await readRuleFolder(dir)));
    await watcher.rescan();
    expect(reloadPending(watcher)).toBe(false);
    expect(store.reloads).toBe(1);
  });

  it('records a missing folder as null and reloads so the status can say why', async () => {
    const { store } = setUp();
    const gone = new RuleWatcher(
      { rules: { dir: '/nonexistent/shellwatch/rules' } },
      store as unknown as RuleStore,
    );
    watchers.push(gone);
    store.filesHash = 'abc';
    await gone.rescan();
    expect(store.filesHash).toBeNull();
    await until('the reload that reports the missing folder', () => store.reloads === 1);
  });
});
