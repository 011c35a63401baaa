import { existsSync, utimesSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTopic, uniqueName, withAdmin } from '../support/kafka';
import { runProcess } from '../support/service';
import { REPO_ROOT } from '../support/stack';
import { waitFor } from '../support/wait-for';

/**
 * `npm run stack:prune` (also run by `stack up` and before the end-to-end tests):
 * test topics left by earlier runs go, those of a run still going stay. The
 * shared stack's data folder is the one scripts/stack.sh uses by default.
 */
const STACK_DIR =
  process.env.SHELLWATCH_STACK_DIR ?? `/var/tmp/shellwatch-stack-${process.getuid?.() ?? 0}`;

function creationMarker(topic: string): string {
  return resolve(STACK_DIR, 'kafka/data', `${topic}-0`, 'partition.metadata');
}

describe('stack prune', () => {
  it('deletes test topics older than the prune age through the broker and keeps newer ones', async () => {
    const old = uniqueName('e2e-prune-old');
    const fresh = uniqueName('e2e-prune-fresh');
    const notATest = uniqueName('prune-kept');
    for (const topic of [old, fresh, notATest]) await createTopic(topic, 2);
    for (const topic of [old, notATest]) {
      await waitFor(
        `${topic}'s partition folder`,
        () => Promise.resolve(existsSync(creationMarker(topic))),
        Boolean,
      );
      // Two hours old, as a topic of an earlier run would be.
      const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
      utimesSync(creationMarker(topic), twoHoursAgo, twoHoursAgo);
    }

    const run = await runProcess(
      'bash',
      [resolve(REPO_ROOT, 'scripts/stack.sh'), 'prune'],
      { ...process.env, SHELLWATCH_PRUNE_AFTER_MINUTES: '30' },
      180_000,
    );
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(/removed [1-9]\d* Kafka test topics older than 30 minutes/);

    const remaining = await waitFor(
      `${old} to be deleted`,
      () => withAdmin((admin) => admin.listTopics()),
      (names) => !names.includes(old),
    );
    expect(remaining).toContain(fresh);
    expect(remaining).toContain(notATest);
    // Not a test prefix, so no later prune would take it: this test removes its own.
    await withAdmin((admin) => admin.deleteTopics({ topics: [notATest] }));
  });
});
