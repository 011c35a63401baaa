import { describe, expect, it } from 'vitest';
import type { CommandEvent } from '../event';
import type { RuleMatch } from '../rules/types';
import { NO_HOST, PreviewDeadlineError, runPreview } from './run-preview';
import type { PreviewBudget, StoredHit, StoredPage } from './run-preview';

const BUDGET: PreviewBudget = {
  maxDocuments: 1_000_000,
  maxMs: 60_000,
  maxMatches: 100,
  maxHosts: 50,
};

/** A command document as the commands index stores it (the fields the preview reads). */
function doc(id: number, line: string, timestamp: string, host?: string): StoredHit {
  return {
    id: `t:0:${id}`,
    source: {
      '@timestamp': timestamp,
      process: { command_line: line },
      event: { original: line, module: 'lines' },
      ...(host === undefined ? {} : { host: { name: host } }),
      user: { name: 'alice' },
      shellwatch: { log: { source: 'lines' } },
    },
  };
}

/** Matches command lines containing "rm". */
function matchRm(event: CommandEvent): RuleMatch | undefined {
  if (!event.process.command_line.includes('rm')) return undefined;
  return {
    rule: { id: 'T-1', name: 'rm', severity: 'high', version: 1 },
    matched: [
      {
        fact: 'commandLine',
        operator: 'contains',
        value: 'rm',
        factValue: event.process.command_line,
      },
    ],
  };
}

/** Pages of `size` over `hits`, recording how far they were read and whether they were closed. */
function pagesOf(hits: StoredHit[], size: number, total = hits.length) {
  const state = { served: 0, closed: false };
  async function* generate(): AsyncGenerator<StoredPage> {
    await Promise.resolve();
    try {
      for (let start = 0; start < hits.length; start += size) {
        const page = hits.slice(start, start + size);
        state.served += page.length;
        yield start === 0 ? { hits: page, total } : { hits: page };
      }
    } finally {
      state.closed = true;
    }
  }
  return { pages: generate(), state };
}

/** A clock that moves `step` ms each time it is read. */
function steppingClock(step: number): () => number {
  let t = 0;
  return () => (t += step);
}

describe('runPreview', () => {
  it('counts matches per day and per host and keeps the first ones in scan order', async () => {
    const hits = [
      doc(1, 'ls', '2026-12-01T23:59:59.000Z', 'web1'),
      doc(2, 'rm -rf /tmp/a', '2026-12-01T23:59:59.500Z', 'web1'),
      doc(3, 'rm x', '2026-12-02T00:00:00.000Z', 'db1'),
      doc(4, 'rm y', '2026-12-02T10:00:00.000Z', 'web1'),
      doc(5, 'rm z', '2026-12-03T10:00:00.000Z'),
    ];
    const { pages, state } = pagesOf(hits, 2);
    const outcome = await runPreview(pages, matchRm, {
      budget: { ...BUDGET, maxMatches: 2 },
      now: steppingClock(1),
    });
    expect(outcome).toMatchObject({
      scanned: 5,
      total: 5,
      matched: 4,
      unreadable: 0,
      stoppedBy: null,
      perDay: [
        { day: '2026-12-01', count: 1 },
        { day: '2026-12-02', count: 2 },
        { day: '2026-12-03', count: 1 },
      ],
      perHost: [
        { host: 'web1', count: 2 },
        { host: NO_HOST, count: 1 },
        { host: 'db1', count: 1 },
      ],
      otherHosts: { hosts: 0, matches: 0 },
    });
    expect(outcome.matches).toEqual([
      {
        id: 't:0:2',
        '@timestamp': '2026-12-01T23:59:59.500Z',
        host: 'web1',
        user: 'alice',
        commandLine: 'rm -rf /tmp/a',
        conditions: [
          {
            fact: 'commandLine',
            operator: 'contains',
            value: 'rm',
            factValue: 'rm -rf /tmp/a',
          },
        ],
      },
      expect.objectContaining({ id: 't:0:3', host: 'db1' }),
    ]);
    expect(state.closed).toBe(true);
  });

  it('lists the hosts with most matches and sums the others', async () => {
    const hits = ['a', 'b', 'b', 'c', 'c', 'c', 'd'].map((host, i) =>
      doc(i, 'rm f', '2026-12-01T00:00:00.000Z', host),
    );
    const outcome = await runPreview(pagesOf(hits, 3).pages, matchRm, {
      budget: { ...BUDGET, maxHosts: 2 },
      now: steppingClock(1),
    });
    expect(outcome.perHost).toEqual([
      { host: 'c', count: 3 },
      { host: 'b', count: 2 },
    ]);
    expect(outcome.otherHosts).toEqual({ hosts: 2, matches: 2 });
  });

  it('stops at the document budget in the middle of a page and closes the scan', async () => {
    const hits = Array.from({ length: 10 }, (_, i) => doc(i, 'rm f', '2026-12-01T00:00:00Z'));
    const { pages, state } = pagesOf(hits, 4);
    const outcome = await runPreview(pages, matchRm, {
      budget: { ...BUDGET, maxDocuments: 6 },
      now: steppingClock(1),
    });
    expect(outcome).toMatchObject({ scanned: 6, matched: 6, stoppedBy: 'documents' });
    expect(state.served).toBe(8);
    expect(state.closed).toBe(true);
  });

  it('does not call a budget exactly the size of the range a stop', async () => {
    const hits = Array.from({ length: 4 }, (_, i) => doc(i, 'ls', '2026-12-01T00:00:00Z'));
    const outcome = await runPreview(pagesOf(hits, 2).pages, matchRm, {
      budget: { ...BUDGET, maxDocuments: 4 },
      now: steppingClock(1),
    });
    expect(outcome).toMatchObject({ scanned: 4, stoppedBy: null });
  });

  it('stops before the next page once the time budget is spent', async () => {
    const hits = Array.from({ length: 10 }, (_, i) => doc(i, 'ls', '2026-12-01T00:00:00Z'));
    let clock = 0;
    const { pages, state } = pagesOf(hits, 2);
    // Every page takes 20 ms: after the third (60 ms) the 45 ms budget is spent.
    const timed = (async function* () {
      for await (const page of pages) {
        clock += 20;
        yield page;
      }
    })();
    const outcome = await runPreview(timed, matchRm, {
      budget: { ...BUDGET, maxMs: 45 },
      now: () => clock,
    });
    expect(outcome).toMatchObject({ stoppedBy: 'time', scanned: 6, tookMs: 60 });
    expect(state.closed).toBe(true);
  });

  it('ends as a time stop when a page request overruns the budget', async () => {
    let closed = false;
    async function* pages(): AsyncGenerator<StoredPage> {
      await Promise.resolve();
      try {
        yield { hits: [doc(1, 'rm a', '2026-12-01T00:00:00Z')], total: 3 };
        throw new PreviewDeadlineError();
      } finally {
        closed = true;
      }
    }
    const outcome = await runPreview(pages(), matchRm, { budget: BUDGET, now: steppingClock(1) });
    expect(outcome).toMatchObject({ scanned: 1, matched: 1, total: 3, stoppedBy: 'time' });
    expect(closed).toBe(true);
  });

  it('passes other failures on, after closing the scan', async () => {
    let closed = false;
    async function* pages(): AsyncGenerator<StoredPage> {
      await Promise.resolve();
      try {
        yield { hits: [doc(1, 'rm a', '2026-12-01T00:00:00Z')] };
        throw new Error('connection refused');
      } finally {
        closed = true;
      }
    }
    await expect(
      runPreview(pages(), matchRm, { budget: BUDGET, now: steppingClock(1) }),
    ).rejects.toThrow('connection refused');
    expect(closed).toBe(true);
  });

  it('counts documents that are not command events and goes on', async () => {
    const hits: StoredHit[] = [
      { id: 'x', source: { '@timestamp': '2026-12-01T00:00:00Z' } },
      doc(2, 'rm a', '2026-12-01T00:00:00Z'),
    ];
    const outcome = await runPreview(pagesOf(hits, 10).pages, matchRm, {
      budget: BUDGET,
      now: steppingClock(1),
    });
    expect(outcome).toMatchObject({ scanned: 2, unreadable: 1, matched: 1 });
  });

  it('reports progress after every page', async () => {
    const hits = Array.from({ length: 5 }, (_, i) => doc(i, 'rm', '2026-12-01T00:00:00Z'));
    const seen: number[] = [];
    await runPreview(pagesOf(hits, 2).pages, matchRm, {
      budget: BUDGET,
      now: steppingClock(1),
      onProgress: (progress) => seen.push(progress.scanned),
    });
    expect(seen).toEqual([2, 4, 5]);
  });
});
