import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueIndex } from '../support/elasticsearch';
import { createTopic, uniqueName } from '../support/kafka';
import { ServiceProcess } from '../support/service';
import { REPO_ROOT } from '../support/stack';
import { waitFor } from '../support/wait-for';

/**
 * The regex analysis of the rules API cannot stop the service (issue 20, findings 2
 * and 6): 40 conditions like `[a-z]{1,500}[0-9]{1,7xx}y` blocked the event loop for
 * 81 s (liveness failed, the consumer was evicted), 400 requests with a 250 KB
 * pattern grew the heap by 590 MB, and a SIGTERM took effect 84 s late. The service
 * runs as a child process against the real Kafka and Elasticsearch.
 */
const API_KEY = 'e2e-regex-key-8b2f61d0';
/** The most distinct regexes one request may bring (MAX_REGEXES_PER_REQUEST). */
const MAX_REGEXES = 32;
const SHUTDOWN_TIMEOUT_MS = 3_000;

/** A rule of `count` regex conditions that each take recheck about 1.5 s, distinct from `base` on. */
function slowRule(count: number, base: number): Record<string, unknown> {
  return {
    id: 'SW-DOS-0001',
    name: 'Slow to analyse',
    description: 'Each condition takes the backtracking analysis more than a second.',
    severity: 'low',
    conditions: {
      any: Array.from({ length: count }, (_, i) => ({
        fact: 'commandLine',
        operator: 'regex',
        value: `[a-z]{1,500}[0-9]{1,${String(base + i)}}y`,
      })),
    },
  };
}

const tempDirs: string[] = [];

async function startService(extra: Record<string, string> = {}): Promise<ServiceProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'shellwatch-regex-'));
  tempDirs.push(dir);
  const rulesDir = join(dir, 'rules');
  cpSync(resolve(REPO_ROOT, 'test/fixtures/rules/basic'), rulesDir, { recursive: true });
  const topic = uniqueName('e2e-regex');
  await createTopic(topic, 1);
  const service = new ServiceProcess({
    KAFKA_TOPIC: topic,
    KAFKA_GROUP_ID: uniqueName('e2e-regex-group'),
    KAFKA_DLQ_TOPIC: `${topic}.dlq`,
    ES_ALERTS_INDEX: uniqueIndex('e2e-regex-alerts'),
    ES_COMMANDS_INDEX: uniqueIndex('e2e-regex-commands'),
    RULES_DIR: rulesDir,
    API_KEY,
    SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    ...extra,
  }).start();
  await service.waitReady();
  return service;
}

async function post(
  service: ServiceProcess,
  path: string,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${service.baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/**
 * Asks /health/live again and again while `work` runs (each probe must be 200).
 * Returns how many answers came before `work` settled, and the longest time between
 * two answers (logged only: timings are not asserted). A main thread blocked by the
 * analysis answers at most one probe before the block and one racing the work's own
 * answer after it; an analysis off the event loop lets them all through.
 */
async function livenessDuring(
  service: ServiceProcess,
  work: Promise<unknown>,
): Promise<{ answered: number; worstGapMs: number }> {
  let finished = false;
  void work.finally(() => (finished = true)).catch(() => undefined);
  let last = Date.now();
  let worstGapMs = 0;
  let answered = 0;
  while (!finished) {
    const response = await fetch(`${service.baseUrl}/health/live`);
    expect(response.status).toBe(200);
    if (!finished) answered += 1;
    const now = Date.now();
    worstGapMs = Math.max(worstGapMs, now - last);
    last = now;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { answered, worstGapMs };
}

/** VmRSS of a process in bytes, from /proc. */
function residentBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match?.[1]) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

/** The direct children of a process (recheck's agent is one), from /proc. */
function childPids(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
    readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8')
      .split(' ')
      .filter((word) => word.trim() !== '')
      .map(Number),
  );
}

/** Whether a process still runs (a zombie waiting for its reaper does not). */
function running(pid: number): boolean {
  if (!existsSync(`/proc/${pid}/stat`)) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe('regex analysis of the rules API', () => {
  let service: ServiceProcess;

  beforeAll(async () => {
    service = await startService();
  });

  afterAll(async () => {
    await service?.stop();
  });

  it('refuses 40 slow patterns at once with 400 naming the limit, live all along', async () => {
    const answer = post(service, '/rules/validate', slowRule(40, 700));
    const { worstGapMs } = await livenessDuring(service, answer);
    const { status, body } = await answer;
    console.info(`40 patterns: worst /health/live gap ${worstGapMs} ms`);
    expect(status, JSON.stringify(body)).toBe(400);
    expect(body.message).toBe(
      `the rule holds 40 distinct regular expressions (regex, glob and anyCommand patterns); at most ${MAX_REGEXES} are checked per request: split the rule`,
    );
  });

  it('analyses 30 slow patterns off the event loop and answers at its budget with a verdict for each', async () => {
    const answer = post(service, '/rules/validate', slowRule(30, 750));
    const { answered, worstGapMs } = await livenessDuring(service, answer);
    const { status, body } = await answer;
    console.info(
      `30 patterns: ${answered} /health/live answers during the analysis, worst gap ${worstGapMs} ms`,
    );
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.valid).toBe(false);
    const problems = body.problems as { pointer: string; message: string }[];
    expect(problems.map((p) => p.pointer)).toEqual(
      Array.from({ length: 30 }, (_, i) => `/conditions/any/${i}/value`),
    );
    for (const { message } of problems) {
      expect(message).toMatch(/catastrophically|analysis budget of 5000 ms ran out/);
    }
    // 30 patterns of about 1.5 s each cannot all finish within 5 s: the budget cut them.
    expect(problems.some((p) => /budget/.test(p.message))).toBe(true);
    // Live all along: the service kept answering while the analysis ran (off the loop).
    expect(answered).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it('keeps its memory bounded over 2,000 requests with a 250 KB pattern each', async () => {
    const pid = service.pid;
    if (pid === undefined) throw new Error('service not running');
    const oversized = (n: number): Record<string, unknown> => ({
      ...slowRule(0, 0),
      conditions: {
        all: [
          {
            fact: 'commandLine',
            operator: 'regex',
            // Distinct and invalid (an open group), as in the issue: each missed the cache.
            value: `(${String(n).padStart(6, '0')}${'a'.repeat(250_000)}`,
          },
        ],
      },
    });
    const send = async (from: number, count: number): Promise<void> => {
      const senders = Array.from({ length: 4 }, async (_, lane) => {
        for (let n = from + lane; n < from + count; n += 4) {
          const { status, body } = await post(service, '/rules/validate', oversized(n));
          expect(status).toBe(200);
          expect(body.valid).toBe(false);
        }
      });
      await Promise.all(senders);
    };
    const first = await post(service, '/rules/validate', oversized(999_999));
    expect(first.body.problems).toEqual([
      {
        pointer: '/conditions/all/0/value',
        message: 'regex: regex is 250007 characters long; at most 1000 are allowed',
      },
    ]);
    // Warm up first (code paths compiled, buffers and heap spaces grown to what this
    // traffic needs: RSS still rose by 40-50 MB after 100 requests, little after 500):
    // the growth measured after is what the requests leave behind.
    await send(0, 500);
    const before = residentBytes(pid);
    await send(500, 1_000);
    const half = residentBytes(pid);
    await send(1_500, 1_000);
    const after = residentBytes(pid);
    const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
    console.info(
      `RSS ${mb(before)} MB → ${mb(half)} MB after 1,000 → ${mb(after)} MB after 2,000 requests (growth ${mb(after - before)} MB)`,
    );
    // The bodies total 500 MB; before issue 20 each left a cache entry of about 500 KB
    // (the pattern twice, in the key and in the error message): 1 GB for 2,000. What
    // may remain now is the verdict cache (4 MiB at most) and dead bodies the collector
    // has not given back to the system yet (up to 50 MB seen). 128 MB is an eighth of
    // the old growth: a leak of a quarter of the old entry per request would fail it.
    expect(after - before).toBeLessThan(128 * 1024 * 1024);
  }, 300_000);
});

describe('SIGTERM during a long validate request', () => {
  it(`ends the process (exit 0, SHUTDOWN_TIMEOUT_MS ${SHUTDOWN_TIMEOUT_MS} ms), recheck's agent with it`, async () => {
    const service = await startService();
    const pid = service.pid;
    if (pid === undefined) throw new Error('service not running');
    const answer = post(service, '/rules/validate', slowRule(30, 800)).catch(
      (error: unknown) => error,
    );
    // The analysis has started once recheck's agent runs as a child of the service.
    const agents = await waitFor(
      "recheck's agent to run",
      () => Promise.resolve(childPids(pid)),
      (pids) => pids.length > 0,
      { timeoutMs: 30_000, intervalMs: 50 },
    );
    const sent = Date.now();
    // The contract, not a time: the process ends by itself with code 0 (the deadline
    // only catches a hung process), and recheck's agent ends with it (below).
    const { code, signal } = await service.terminate(60_000);
    console.info(`SIGTERM during validate: exited after ${Date.now() - sent} ms`);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    await answer;
    await waitFor(
      "recheck's agent to end with the service",
      () => Promise.resolve(agents.filter(running)),
      (alive) => alive.length === 0,
      { timeoutMs: 10_000, intervalMs: 100 },
    );
  }, 120_000);
});

afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});
