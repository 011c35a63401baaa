/**
 * The whole path through the real local Kafka and Elasticsearch (scripts/stack.sh):
 * - records/s of the built service (dist/src/main.js, started as a user starts it)
 *   with the commands index off and on, over the same topic, against the raw kafkajs
 *   consume rate of that topic (the ceiling) and Elasticsearch's own bulk rate for
 *   the same documents written with the client directly;
 * - latency at a steady produce rate: each record carries its produce time
 *   (`sent_ms`, Date.now() of this process when handed to the producer); alert
 *   `event.created` (the service's Date at processing) minus it is the
 *   command-to-alert latency before the bulk write; the time this process first sees
 *   the record's offset committed by the service's group (polled every 50 ms; the
 *   service commits only after Elasticsearch acknowledged the batch) minus it bounds
 *   the command-to-written latency from above. Same machine, same wall clock, 1 ms
 *   resolution; the commit poll adds up to 50 ms. The first seconds after the
 *   service starts are a warm-up at the same rate, reported apart: a fresh process
 *   (cold JIT, first bulk requests) falls a second or so behind and catches up, and
 *   that transient is not the steady state the latency target is about.
 * - resident memory (VmRSS) of the service, sampled during the runs.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import type { Admin, Message, Producer } from 'kafkajs';
import { createRecordDecoder } from '../src/core/decode';
import { processBatch } from '../src/core/process-batch';
import type { BatchRecord, OutputDocument } from '../src/core/process-batch';
import { formatRuleProblems, loadRuleSet } from '../src/core/rules';
import { commandMix, packFiles, REPO_ROOT } from './corpus';
import { ownCpuSeconds, processCpuSeconds } from './process-cpu';
import { benchRecordValue } from './support/bench-record';

const BROKER = process.env['BENCH_KAFKA_BROKERS'] ?? '127.0.0.1:9092';
const ES_NODE = process.env['BENCH_ES_NODE'] ?? 'http://127.0.0.1:9200';
const PARTITIONS = 4;

/** Which run a throughput row is (run.ts finds the rows of its targets by it). */
export type ThroughputKind = 'raw' | 'off' | 'off-unique' | 'on' | 'bulk';

export interface ThroughputRow {
  kind: ThroughputKind;
  name: string;
  records: number;
  seconds: number;
  recordsPerSecond: number;
  maxRssMb?: number;
  /**
   * CPU time (user + system, all threads) of the process that read the records, over
   * the measured window, per record: what one record costs whatever the core count.
   */
  cpuMicrosPerRecord?: number;
}

export interface LatencyRow {
  targetRate: number;
  achievedRate: number;
  /** Records and alerts of the measured window (after the warm-up). */
  records: number;
  alerts: number;
  createdMs: { p50: number; p95: number; p99: number };
  committedMs: { p50: number; p95: number; p99: number };
  /** Seconds produced at the same rate before the measured window, the service freshly started. */
  warmupSeconds: number;
  /** created − produced p99 of the warm-up's alerts: the start-up transient, reported, not a target. */
  warmupCreatedP99: number;
  maxRssMb: number;
  /**
   * The service's CPU (user + system, all threads) from the end of the warm-up until the
   * last record is committed, per record produced in that window (see ThroughputRow).
   */
  cpuMicrosPerRecord?: number;
}

export interface WholePathResult {
  records: number;
  partitions: number;
  /**
   * Distinct command lines ÷ records of the mix every run but `off-unique` reads: how
   * much the service's per-line caches (the parse, the prefilter's line marks) can
   * reuse. `off-unique` reads the same records with every line made unique (1.0).
   */
  mixDistinctLineShare: number;
  throughput: ThroughputRow[];
  latency: LatencyRow[];
}

const kafka = new Kafka({
  brokers: [BROKER],
  clientId: 'shellwatch-bench',
  logLevel: logLevel.NOTHING,
});
const elasticsearch = new Client({ node: ES_NODE });

function name(prefix: string): string {
  return `bench-${prefix}-${randomUUID().slice(0, 8)}`;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

/** Brings the local stack up when Kafka or Elasticsearch is not listening (a running one is reused). */
export async function ensureStack(log: (line: string) => void): Promise<void> {
  if ((await portOpen(9092)) && (await portOpen(9200))) return;
  log('whole path: starting the local stack (scripts/stack.sh up)…');
  execFileSync('bash', [join(REPO_ROOT, 'scripts/stack.sh'), 'up'], { stdio: 'inherit' });
}

async function withAdmin<T>(use: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}

async function createTopic(topic: string): Promise<void> {
  await withAdmin((admin) =>
    admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true }),
  );
}

/** Sum over partitions of the group's committed offsets (0 where nothing is committed). */
async function committed(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<Map<number, number>> {
  const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
  return new Map(
    (offsets[0]?.partitions ?? []).map((p) => [p.partition, Math.max(Number(p.offset), 0)]),
  );
}

function sum(map: Map<number, number>): number {
  let total = 0;
  for (const v of map.values()) total += v;
  return total;
}

/** Settings for every service run, from BENCH_SERVICE_ENV (a JSON object of variables). */
function serviceEnvOverrides(): Record<string, string> {
  const text = process.env['BENCH_SERVICE_ENV'];
  if (text === undefined || text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    Array.isArray(parsed) ||
    !Object.values(parsed).every((v) => typeof v === 'string')
  ) {
    throw new Error(
      'BENCH_SERVICE_ENV must be a JSON object of strings, e.g. {"LOG_LEVEL":"info"}',
    );
  }
  return parsed as Record<string, string>;
}

/** Read once, when the bench starts: a malformed value fails before minutes of evaluator runs. */
const SERVICE_ENV_OVERRIDES = serviceEnvOverrides();

/** The built service as a child process, configured by environment only. */
class Service {
  private child: ChildProcess | undefined;
  private output = '';
  maxRssKb = 0;
  private readonly port = 4400 + Math.floor(Math.random() * 400);

  constructor(private readonly env: Record<string, string>) {}

  start(): this {
    // BENCH_SERVICE_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/service-profiles" profiles the
    // service runs (node refuses --cpu-prof in NODE_OPTIONS).
    const nodeArgs = (process.env['BENCH_SERVICE_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
    this.child = spawn(process.execPath, [...nodeArgs, join(REPO_ROOT, 'dist/src/main.js')], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env['PATH'] ?? '',
        KAFKA_BROKERS: BROKER,
        ES_NODE,
        HTTP_PORT: String(this.port),
        HTTP_HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        // BENCH_SERVICE_ENV='{"KAFKA_PARTITIONS_CONCURRENTLY":"4"}' measures other settings.
        ...SERVICE_ENV_OVERRIDES,
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString()).slice(-20_000);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    return this;
  }

  /** CPU seconds the service has used so far (see processCpuSeconds). */
  cpuSeconds(): number | undefined {
    const pid = this.child?.pid;
    return pid === undefined ? undefined : processCpuSeconds(pid);
  }

  sampleRss(): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (match !== null) this.maxRssKb = Math.max(this.maxRssKb, Number(match[1]));
    } catch {
      // The process may have exited; the last sample stands.
    }
  }

  async waitReady(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child?.exitCode !== null && this.child?.exitCode !== undefined)
        throw new Error(`service exited with ${this.child.exitCode}:\n${this.output}`);
      try {
        const response = await fetch(`http://127.0.0.1:${this.port}/health/ready`);
        if (response.status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(200);
    }
    throw new Error(`service not ready after ${timeoutMs} ms:\n${this.output}`);
  }

  stop(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null) return Promise.resolve();
    return new Promise((done) => {
      child.once('exit', () => done());
      child.kill('SIGTERM');
    });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

async function produceAll(topic: string, values: string[]): Promise<void> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    for (let start = 0; start < values.length; start += 5000) {
      const messages: Message[] = values
        .slice(start, start + 5000)
        .map((value, i) => ({ partition: (start + i) % PARTITIONS, value }));
      await producer.send({ topic, acks: -1, messages });
    }
  } finally {
    await producer.disconnect();
  }
}

/**
 * Raw kafkajs consume rate of the topic: eachBatch, counting messages, nothing else.
 * One pass over a small topic takes a fraction of a second (a few fetches), too short
 * to be a ceiling, so each partition is read again from offset 0 whenever it reaches
 * its end, until at least `minSeconds` have passed since the first batch and every
 * partition was read at least `minPasses` times. Rate: records seen / time from the
 * first batch to the last.
 */
async function rawConsume(
  topic: string,
  count: number,
  minSeconds: number,
  minPasses = 3,
): Promise<ThroughputRow> {
  const consumer = kafka.consumer({ groupId: name('raw'), maxBytesPerPartition: 1_048_576 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let seen = 0;
  let first = 0;
  let last = 0;
  let cpuAtFirst = 0;
  let cpuAtLast = 0;
  const passes = new Map<number, number>();
  await new Promise<void>((done) => {
    let finished = false;
    void consumer.run({
      eachBatchAutoResolve: true,
      eachBatch: ({ batch }) => {
        if (finished) return Promise.resolve();
        if (first === 0) {
          first = performance.now();
          cpuAtFirst = ownCpuSeconds();
        }
        seen += batch.messages.length;
        last = performance.now();
        cpuAtLast = ownCpuSeconds();
        const atEnd = BigInt(batch.lastOffset()) + 1n >= BigInt(batch.highWatermark);
        if (atEnd) passes.set(batch.partition, (passes.get(batch.partition) ?? 0) + 1);
        const everyPartition =
          passes.size === PARTITIONS && [...passes.values()].every((n) => n >= minPasses);
        if (seen >= count && everyPartition && (last - first) / 1000 >= minSeconds) {
          finished = true;
          done();
        } else if (atEnd) {
          consumer.seek({ topic, partition: batch.partition, offset: '0' });
        }
        return Promise.resolve();
      },
    });
  });
  await consumer.disconnect();
  const seconds = (last - first) / 1000;
  return {
    kind: 'raw',
    name: 'raw kafkajs consume (ceiling)',
    records: seen,
    seconds,
    recordsPerSecond: Math.round(seen / seconds),
    cpuMicrosPerRecord: ((cpuAtLast - cpuAtFirst) * 1e6) / seen,
  };
}

/** Runs the service over the topic from the start; rate from the group's commits (first advance → all committed). */
async function serviceRun(
  kind: ThroughputKind,
  label: string,
  topic: string,
  count: number,
  env: Record<string, string>,
  log: (line: string) => void,
): Promise<ThroughputRow> {
  const groupId = name('group');
  const service = new Service({
    KAFKA_TOPIC: topic,
    KAFKA_GROUP_ID: groupId,
    KAFKA_DLQ_TOPIC: `${topic}.dlq`,
    RULES_DIR: 'rules',
    ...env,
  }).start();
  try {
    await service.waitReady();
    return await withAdmin(async (admin) => {
      let startAt = 0;
      let startCount = 0;
      let startCpu: number | undefined;
      let done = 0;
      const deadline = Date.now() + 600_000;
      while (Date.now() < deadline) {
        service.sampleRss();
        done = sum(await committed(admin, groupId, topic));
        const now = performance.now();
        if (startAt === 0 && done > 0) {
          startAt = now;
          startCount = done;
          startCpu = service.cpuSeconds();
        }
        if (done >= count) {
          const seconds = (now - startAt) / 1000;
          const endCpu = service.cpuSeconds();
          const records = done - startCount;
          const row: ThroughputRow = {
            kind,
            name: label,
            records,
            seconds,
            recordsPerSecond: Math.round(records / seconds),
            maxRssMb: Math.round(service.maxRssKb / 1024),
            ...(startCpu !== undefined && endCpu !== undefined
              ? { cpuMicrosPerRecord: ((endCpu - startCpu) * 1e6) / records }
              : {}),
          };
          log(`whole path: ${JSON.stringify(row)}`);
          return row;
        }
        await sleep(100);
      }
      throw new Error(`${label}: only ${done}/${count} committed after 10 minutes`);
    });
  } finally {
    await service.stop();
  }
}

/** Elasticsearch's own bulk rate for the service's documents, 5,000 per request (ES_BULK_MAX_DOCUMENTS), one at a time. */
async function elasticsearchBulk(
  values: string[],
  alertsIndex: string,
  commandsIndex: string,
): Promise<ThroughputRow> {
  const pack = packFiles();
  const loaded = loadRuleSet(pack.rules, pack.lists);
  if (!loaded.ok) throw new Error(formatRuleProblems(loaded.errors));
  const documents: OutputDocument[] = [];
  const decoder = createRecordDecoder({ format: 'auto' });
  const encoder = new TextEncoder();
  for (let start = 0; start < values.length; start += 2000) {
    const records: BatchRecord[] = values
      .slice(start, start + 2000)
      .map((value, i) => ({ offset: String(start + i), value: encoder.encode(value) }));
    documents.push(
      ...processBatch(records, {
        topic: 'bench',
        partition: 0,
        decoder,
        evaluator: loaded.evaluator,
        writeCommands: true,
        now: () => new Date(),
      }).documents,
    );
  }
  const started = performance.now();
  for (let start = 0; start < documents.length; start += 5000) {
    const operations: unknown[] = [];
    for (const document of documents.slice(start, start + 5000)) {
      // `-bulk` suffix: the service's index templates (pattern `<index>-*`) apply, same mappings.
      const index = `${document.target === 'alerts' ? alertsIndex : commandsIndex}-bulk`;
      operations.push({ create: { _index: index, _id: document.id } }, document.body);
    }
    const response = await elasticsearch.bulk({ operations });
    if (response.errors) throw new Error('bulk items failed in the Elasticsearch bulk measurement');
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    kind: 'bulk',
    name: 'Elasticsearch bulk, same documents (client directly)',
    records: values.length,
    seconds,
    recordsPerSecond: Math.round(values.length / seconds),
  };
}

function percentiles(values: number[]): { p50: number; p95: number; p99: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

/** Produces at `rate` records/s for `seconds`, sending every 20 ms what is due; returns each record's offset and produce time. */
async function produceSteady(
  producer: Producer,
  topic: string,
  rate: number,
  seconds: number,
  lines: { line: string }[],
  onTick: () => void,
): Promise<{ partition: number; offset: number; sentMs: number }[]> {
  const sent: { partition: number; offset: number; sentMs: number }[] = [];
  const started = Date.now();
  let seq = 0;
  const total = rate * seconds;
  while (seq < total) {
    const due = Math.min(total, Math.floor(((Date.now() - started) / 1000) * rate));
    if (due > seq) {
      const sentMs = Date.now();
      const batch: Message[] = [];
      const partitions: number[] = [];
      for (; seq < due; seq++) {
        const partition = seq % PARTITIONS;
        partitions.push(partition);
        batch.push({
          partition,
          value: benchRecordValue(seq, lines[seq % lines.length]!.line, sentMs),
        });
      }
      const metadata = await producer.send({ topic, acks: 1, messages: batch });
      const base = new Map(metadata.map((m) => [m.partition, Number(m.baseOffset ?? '0')]));
      const next = new Map<number, number>();
      for (const partition of partitions) {
        const index = next.get(partition) ?? 0;
        next.set(partition, index + 1);
        sent.push({ partition, offset: (base.get(partition) ?? 0) + index, sentMs });
      }
    }
    onTick();
    await sleep(20);
  }
  return sent;
}

async function latencyRun(
  rate: number,
  seconds: number,
  warmupSeconds: number,
  log: (line: string) => void,
): Promise<LatencyRow> {
  const topic = name(`latency-${rate}`);
  const groupId = name('latency-group');
  const alertsIndex = name('alerts');
  const commandsIndex = name('commands');
  await createTopic(topic);
  // 10% malicious here (1% elsewhere) so that there are enough alerts for a p99.
  const lines = commandMix(20_000, 0.1, 21);
  const service = new Service({
    KAFKA_TOPIC: topic,
    KAFKA_GROUP_ID: groupId,
    KAFKA_DLQ_TOPIC: `${topic}.dlq`,
    RULES_DIR: 'rules',
    ES_ALERTS_INDEX: alertsIndex,
    ES_COMMANDS_INDEX: commandsIndex,
  }).start();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  try {
    await service.waitReady();
    await producer.connect();
    const admin = kafka.admin();
    await admin.connect();
    const committedAt = new Map<number, { offset: number; at: number }[]>();
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const now = Date.now();
        for (const [partition, offset] of await committed(admin, groupId, topic)) {
          const list = committedAt.get(partition) ?? [];
          if (list.length === 0 || list[list.length - 1]!.offset < offset)
            list.push({ offset, at: now });
          committedAt.set(partition, list);
        }
        service.sampleRss();
        await sleep(50);
      }
    })();
    log(
      `latency: producing ${rate} records/s for ${warmupSeconds} s of warm-up, then ${seconds} s…`,
    );
    const started = Date.now();
    const measuredFrom = started + warmupSeconds * 1000;
    let cpuAtMeasured: number | undefined;
    const produced = await produceSteady(
      producer,
      topic,
      rate,
      warmupSeconds + seconds,
      lines,
      () => {
        service.sampleRss();
        if (cpuAtMeasured === undefined && Date.now() >= measuredFrom)
          cpuAtMeasured = service.cpuSeconds();
      },
    );
    const achievedRate = produced.length / ((Date.now() - started) / 1000);
    const sent = produced.filter((record) => record.sentMs >= measuredFrom);
    const deadline = Date.now() + 120_000;
    const lastOffsets = new Map<number, number>();
    for (const record of produced)
      lastOffsets.set(
        record.partition,
        Math.max(lastOffsets.get(record.partition) ?? 0, record.offset + 1),
      );
    while (Date.now() < deadline) {
      const all = [...lastOffsets].every(
        ([p, end]) => (committedAt.get(p)?.at(-1)?.offset ?? 0) >= end,
      );
      if (all) break;
      await sleep(100);
    }
    const cpuAtCommitted = service.cpuSeconds();
    polling = false;
    await poller;
    await admin.disconnect();
    const committedMs = sent.map((record) => {
      const seen = committedAt.get(record.partition)?.find((c) => c.offset > record.offset);
      return seen === undefined ? Number.POSITIVE_INFINITY : seen.at - record.sentMs;
    });
    await elasticsearch.indices.refresh({ index: alertsIndex });
    const alerts: number[] = [];
    const warmupAlerts: number[] = [];
    let response = await elasticsearch.search<{
      labels?: { sent_ms?: string | number };
      event?: { created?: string };
    }>({
      index: alertsIndex,
      size: 5000,
      scroll: '1m',
      _source: ['labels.sent_ms', 'event.created'],
      query: { match_all: {} },
    });
    while (response.hits.hits.length > 0) {
      for (const hit of response.hits.hits) {
        const sentMs = Number(hit._source?.labels?.sent_ms);
        const created = Date.parse(hit._source?.event?.created ?? '');
        if (Number.isFinite(sentMs) && Number.isFinite(created))
          (sentMs >= measuredFrom ? alerts : warmupAlerts).push(created - sentMs);
      }
      if (response._scroll_id === undefined) break;
      response = await elasticsearch.scroll({ scroll_id: response._scroll_id, scroll: '1m' });
    }
    const row: LatencyRow = {
      targetRate: rate,
      achievedRate: Math.round(achievedRate),
      records: sent.length,
      alerts: alerts.length,
      createdMs: percentiles(alerts),
      committedMs: percentiles(committedMs),
      warmupSeconds,
      warmupCreatedP99: percentiles(warmupAlerts).p99,
      maxRssMb: Math.round(service.maxRssKb / 1024),
      ...(cpuAtMeasured !== undefined && cpuAtCommitted !== undefined && sent.length > 0
        ? { cpuMicrosPerRecord: ((cpuAtCommitted - cpuAtMeasured) * 1e6) / sent.length }
        : {}),
    };
    log(`latency: ${JSON.stringify(row)}`);
    return row;
  } finally {
    await producer.disconnect();
    await service.stop();
  }
}

/** Runs the whole-path section. */
export async function benchWholePath(options: {
  quick: boolean;
  log: (line: string) => void;
}): Promise<WholePathResult> {
  const { log } = options;
  await ensureStack(log);
  const count = options.quick ? 20_000 : 200_000;
  const topic = name('throughput');
  await createTopic(topic);
  const mix = commandMix(count);
  const values = mix.map(({ line }, seq) => benchRecordValue(seq, line));
  const mixDistinctLineShare = new Set(mix.map(({ line }) => line)).size / count;
  log(`whole path: producing ${count} records to ${topic} (${PARTITIONS} partitions)…`);
  await produceAll(topic, values);
  log('whole path: raw kafkajs consume…');
  const raw = await rawConsume(topic, count, options.quick ? 3 : 10);
  log(`whole path: ${JSON.stringify(raw)}`);
  const alertsOff = name('alerts');
  const off = await serviceRun(
    'off',
    'service, commands index off',
    topic,
    count,
    { ES_ALERTS_INDEX: alertsOff, ES_COMMANDS_INDEX: '' },
    log,
  );
  // The same records again, in a topic of their own: correlation state is checkpointed
  // per input topic (<topic>.shellwatch-state), so a second service run over the first
  // topic would restore the first run's watermark, find every event late and skip the
  // correlation work a fresh deployment does.
  const topicOn = name('throughput');
  await createTopic(topicOn);
  await produceAll(topicOn, values);
  const alertsOn = name('alerts');
  const commandsOn = name('commands');
  const on = await serviceRun(
    'on',
    'service, commands index on',
    topicOn,
    count,
    { ES_ALERTS_INDEX: alertsOn, ES_COMMANDS_INDEX: commandsOn },
    log,
  );
  log('whole path: Elasticsearch bulk of the same documents…');
  const bulk = await elasticsearchBulk(values, alertsOn, commandsOn);
  log(`whole path: ${JSON.stringify(bulk)}`);
  // The mix repeats lines, as audit streams do, and the service keeps per-line work for
  // a repeated line; the same records with every line unique (an extra argument
  // ` x<seq>`, as scan-ab.ts --distinct does) show what a line seen once costs.
  const topicUnique = name('throughput-unique');
  await createTopic(topicUnique);
  await produceAll(
    topicUnique,
    mix.map(({ line }, seq) => benchRecordValue(seq, uniqueLine(line, seq))),
  );
  const offUnique = await serviceRun(
    'off-unique',
    'service, commands index off, no repeated line',
    topicUnique,
    count,
    { ES_ALERTS_INDEX: name('alerts'), ES_COMMANDS_INDEX: '' },
    log,
  );
  const latency: LatencyRow[] = [];
  for (const rate of [1000, 5000])
    latency.push(await latencyRun(rate, options.quick ? 5 : 20, options.quick ? 2 : 5, log));
  return {
    records: count,
    partitions: PARTITIONS,
    mixDistinctLineShare,
    throughput: [raw, off, offUnique, on, bulk],
    latency,
  };
}

/** `line` made unique within the run: one more argument, ` x<seq>`. */
export function uniqueLine(line: string, seq: number): string {
  return `${line} x${seq}`;
}

/** The raw-consume ceiling alone (for checking the measurement): a fresh topic of `count` records. */
export async function benchRawConsume(count: number, minSeconds: number): Promise<ThroughputRow> {
  const topic = name('raw-check');
  await createTopic(topic);
  await produceAll(
    topic,
    commandMix(count).map(({ line }, seq) => benchRecordValue(seq, line)),
  );
  return rawConsume(topic, count, minSeconds);
}
