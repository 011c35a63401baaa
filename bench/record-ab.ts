/**
 * A/B of the service's record path between two builds, in one process so that both
 * see the same machine noise: `node dist/bench/record-ab.js OLD_DIST NEW_DIST [rounds]
 * [--records N] [--commands off|on|both] [--profile FILE]`.
 *
 * Each build runs its own real `PipelineService` (the pipeline, the event run: decode,
 * evaluate, correlate, documents; the partition correlation with its checkpoint
 * serialisation; the real `ElasticsearchSink` and Elasticsearch client, whose HTTP
 * connection is replaced by one in memory that answers every bulk item `201`/`200`;
 * `MetricsService`, `HealthState`) over Kafka-shaped messages (Buffers, string offsets
 * and timestamps, as kafkajs hands them over, mapped to records as
 * `KafkaBatchServer` does): everything the service does per record but Kafka's own
 * fetch decoding and the network. Rules: the pack in rules/. Records: the whole-path
 * bench's vssh JSON records over the command mix, 4 partitions, 2,000-record batches,
 * offsets and times continuing from round to round as a stream's do.
 *
 * Outputs must be identical: every bulk request body (NDJSON, byte for byte), every
 * changelog record of the correlation checkpoints and every dead letter are hashed per
 * build, and the hashes compared at the end (exit 1 on a difference). The clock of
 * `event.created` is fixed for both builds so that the bodies can be compared.
 *
 * Timing: CPU time of this process (user + system, every thread: garbage collection
 * included) per record, alternating which build goes first; the in-memory connection's
 * own work (answering) is measured and left out. Prints the per-round figures and the
 * medians, with the load average before and after. `--profile FILE` writes
 * FILE.off.cpuprofile / FILE.on.cpuprofile: the timed rounds of both builds only
 * (compare a build with itself to profile it).
 *
 * A build directory needs node_modules beside it for its imports: for a copy of main's
 * build, `mkdir /tmp/base && cp -r dist /tmp/base/dist && ln -s "$PWD/node_modules"
 * /tmp/base/node_modules`, then `node dist/bench/record-ab.js /tmp/base/dist dist`.
 */
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg } from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { join, resolve } from 'node:path';
import { BaseConnection, Client } from '@elastic/elasticsearch';
import type {
  ConnectionRequestOptions,
  ConnectionRequestOptionsAsStream,
  ConnectionRequestParams,
  ConnectionRequestResponse,
  ConnectionRequestResponseAsStream,
} from '@elastic/elasticsearch';
import { commandMix, packFiles } from './corpus';
import { benchRecordValue } from './support/bench-record';

type Commands = 'off' | 'on';

/** What the bench needs of a build: a fresh service path, fed one batch at a time. */
interface Build {
  label: string;
  start(commands: Commands): Promise<ServicePath>;
}

interface ServicePath {
  /** Handles one kafkajs-shaped batch of one partition, as the service would. */
  handle(partition: number, messages: readonly KafkaMessage[]): Promise<void>;
  /** Hash of every output so far (bulk bodies, checkpoints, dead letters). */
  digest(): string;
}

/** The fields of a kafkajs message the adapter reads. */
interface KafkaMessage {
  offset: string;
  value: Buffer | null;
  headers: Record<string, Buffer | string | undefined>;
  timestamp: string;
}

const TOPIC = 'record-ab';
const PARTITIONS = 4;
const BATCH = 2000;
const FIXED_NOW = new Date(Date.UTC(2026, 11, 7, 12));

/** CPU seconds spent answering bulk requests in memory (left out of the figures). */
let connectionSeconds = 0;

function cpuSeconds(): number {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1e6;
}

/**
 * The Elasticsearch connection in memory: every bulk item succeeds. Each client gets
 * its own class, so that the bodies go to its build's hash.
 */
function memoryConnection(sink: { hash: Hash }): typeof BaseConnection {
  return class MemoryConnection extends BaseConnection {
    override request(
      params: ConnectionRequestParams,
      options: ConnectionRequestOptions,
    ): Promise<ConnectionRequestResponse>;
    override request(
      params: ConnectionRequestParams,
      options: ConnectionRequestOptionsAsStream,
    ): Promise<ConnectionRequestResponseAsStream>;
    override request(
      params: ConnectionRequestParams,
      _options: ConnectionRequestOptions,
    ): Promise<ConnectionRequestResponse | ConnectionRequestResponseAsStream> {
      const started = cpuSeconds();
      // The client sends every body this bench causes as a string (bulk: NDJSON).
      const body = typeof params.body === 'string' ? params.body : '';
      sink.hash.update(`${params.method} ${params.path}?${params.querystring ?? ''}\n`);
      sink.hash.update(body);
      let items = '';
      if (params.path.endsWith('/_bulk')) {
        let at = 0;
        let action = true;
        while (at < body.length) {
          const end = body.indexOf('\n', at);
          if (action) {
            items += items === '' ? '' : ',';
            items += body.startsWith('{"update"', at)
              ? '{"update":{"status":200}}'
              : '{"create":{"status":201}}';
          }
          action = !action;
          at = end === -1 ? body.length : end + 1;
        }
      }
      const response = {
        body: `{"errors":false,"items":[${items}]}`,
        statusCode: 200,
        headers: { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' },
      };
      connectionSeconds += cpuSeconds() - started;
      return Promise.resolve(response);
    }
  };
}

/* The modules of a build, as much of their types as the bench uses. */
interface BuildModules {
  config: { loadConfig(env: Record<string, string>): ServiceConfig };
  rules: {
    loadRuleSet(
      files: unknown,
      lists: unknown,
      options: { checkRegex: () => undefined },
    ): { ok: true; evaluator: unknown; rules: unknown[] } | { ok: false; errors: unknown };
  };
  pipeline: { PipelineService: new (...args: unknown[]) => PipelineLike };
  sink: { ElasticsearchSink: new (options: unknown, metrics?: unknown) => { client: unknown } };
  health: { HealthState: new (config: unknown) => unknown };
  metrics: { MetricsService: new () => unknown };
  decoders: { DecoderFactory: new (config: unknown) => unknown };
  correlation: {
    PartitionCorrelations: new (
      changelog: unknown,
      options: unknown,
    ) => {
      begin(partition: number, firstOffset: string, rules: readonly unknown[]): Promise<unknown>;
    };
  };
  kafkaOptions: {
    headersToStrings(headers: KafkaMessage['headers']): Record<string, string>;
  };
}

/**
 * The parts of the service's configuration the bench hands on, by group (config.ts).
 * Typed, not indexed by name: an index by a stale flat name (before the settings were
 * grouped) gave `undefined`, so the sink sent empty bulk requests and the correlation
 * watermark was NaN, and both builds agreed on it.
 */
interface ServiceConfig {
  elasticsearch: { alertsIndex: string; commandsIndex: string | null; bulkMaxDocuments: number };
  correlation: { graceMs: number; maxKeys: number };
}

interface PipelineLike {
  handleBatch(batch: unknown): Promise<{ complete: boolean }>;
}

async function importFrom<T>(dist: string, path: string): Promise<T> {
  return (await import(join(resolve(dist), path))) as T;
}

async function loadBuild(label: string, dist: string): Promise<Build> {
  const m: BuildModules = {
    config: await importFrom(dist, 'src/config/config.js'),
    rules: await importFrom(dist, 'src/core/rules/index.js'),
    pipeline: await importFrom(dist, 'src/pipeline/pipeline.service.js'),
    sink: await importFrom(dist, 'src/elasticsearch/elasticsearch.sink.js'),
    health: await importFrom(dist, 'src/health/health-state.js'),
    metrics: await importFrom(dist, 'src/metrics/metrics.service.js'),
    decoders: await importFrom(dist, 'src/pipeline/decoder-factory.js'),
    correlation: await importFrom(dist, 'src/correlation/partition-correlation.js'),
    kafkaOptions: await importFrom(dist, 'src/kafka/kafka-options.js'),
  };
  const pack = packFiles();
  // The pack's regexes are proven safe by its tests; here, on a loaded machine, the
  // analysis can time out and refuse one, which would end the A/B for no reason.
  const loaded = m.rules.loadRuleSet(pack.rules, pack.lists, { checkRegex: () => undefined });
  if (!loaded.ok) throw new Error(`${label}: the pack does not load`);
  const { evaluator, rules } = loaded;
  return {
    label,
    start(commands) {
      const config = m.config.loadConfig({
        KAFKA_TOPIC: TOPIC,
        ES_ALERTS_INDEX: 'record-ab-alerts',
        ES_COMMANDS_INDEX: commands === 'on' ? 'record-ab-commands' : '',
      });
      const outputs = { hash: createHash('sha256') };
      const sink = m.sink.ElasticsearchSink;
      const metrics = new m.metrics.MetricsService();
      const elasticsearch = new sink(
        {
          node: 'http://127.0.0.1:9200',
          alertsIndex: config.elasticsearch.alertsIndex,
          commandsIndex: config.elasticsearch.commandsIndex,
          bulkMaxDocuments: config.elasticsearch.bulkMaxDocuments,
        },
        metrics,
      );
      // The sink's own client, but talking to memory.
      Object.defineProperty(elasticsearch, 'client', {
        value: new Client({
          node: 'http://127.0.0.1:9200',
          Connection: memoryConnection(outputs),
          maxRetries: 0,
          compression: false,
        }),
      });
      const changelog = {
        ensureTopic: () => Promise.resolve(),
        write: (partition: number, records: unknown[]) => {
          outputs.hash.update(`changelog ${partition} ${JSON.stringify(records)}\n`);
          return Promise.resolve();
        },
        read: () => Promise.resolve(new Map<string, string>()),
      };
      const partitions = new m.correlation.PartitionCorrelations(changelog, {
        graceMs: config.correlation.graceMs,
        maxKeys: config.correlation.maxKeys,
      });
      const kafka = {
        alerts: undefined,
        deadLetters: {
          delivery: (topic: string, partition: number, letters: unknown[]) => {
            if (letters.length > 0)
              outputs.hash.update(`dlq ${topic} ${partition} ${JSON.stringify(letters)}\n`);
            return { remaining: 0, deliver: () => Promise.resolve() };
          },
        },
      };
      const pipeline = new m.pipeline.PipelineService(
        config,
        elasticsearch,
        kafka,
        { snapshot: () => ({ evaluator, loaded: rules }) },
        new m.health.HealthState(config),
        new m.decoders.DecoderFactory(config),
        metrics,
        { begin: partitions.begin.bind(partitions) },
      );
      // The same clock for both builds, so that the documents compare byte for byte.
      const runOptions = (pipeline as unknown as { runOptions: { now: () => Date } }).runOptions;
      Object.defineProperty(pipeline, 'runOptions', {
        value: { ...runOptions, now: () => FIXED_NOW },
      });
      return Promise.resolve({
        async handle(partition, messages) {
          // As KafkaBatchServer.handleBatch maps a kafkajs batch.
          const ack = await pipeline.handleBatch({
            topic: TOPIC,
            partition,
            records: messages.map((message) => ({
              offset: message.offset,
              value: message.value,
              headers: m.kafkaOptions.headersToStrings(message.headers),
              topic: TOPIC,
              timestampMs: Number(message.timestamp),
            })),
            lag: 0,
            heartbeat: () => Promise.resolve(),
            isActive: () => true,
          });
          if (!ack.complete) throw new Error(`${label}: a batch was not completed`);
        },
        digest: () => outputs.hash.copy().digest('hex'),
      });
    },
  };
}

/** One round's batches: `count` records from `first` on, spread over the partitions. */
function roundBatches(
  lines: readonly string[],
  first: number,
  count: number,
): { partition: number; messages: KafkaMessage[] }[] {
  const perPartition: KafkaMessage[][] = Array.from({ length: PARTITIONS }, () => []);
  for (let seq = first; seq < first + count; seq++) {
    const partition = seq % PARTITIONS;
    perPartition[partition]!.push({
      offset: String(Math.floor(seq / PARTITIONS)),
      value: Buffer.from(benchRecordValue(seq, lines[seq % lines.length]!)),
      headers: {},
      timestamp: String(Date.UTC(2026, 10, 25, 12) + seq),
    });
  }
  const batches: { partition: number; messages: KafkaMessage[] }[] = [];
  for (let start = 0; start < count / PARTITIONS; start += BATCH) {
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const messages = perPartition[partition]!.slice(start, start + BATCH);
      if (messages.length > 0) batches.push({ partition, messages });
    }
  }
  return batches;
}

/** Garbage collection pauses (wall time, main thread) since the last call, in ms. */
const gcObserver = new PerformanceObserver(() => undefined);
gcObserver.observe({ entryTypes: ['gc'] });

function gcMillis(): number {
  return gcObserver.takeRecords().reduce((sum, entry) => sum + entry.duration, 0);
}

/** CPU µs per record of one round, and the µs per record of it spent in GC pauses. */
async function timeRound(
  path: ServicePath,
  batches: readonly { partition: number; messages: KafkaMessage[] }[],
  records: number,
): Promise<{ cpu: number; gc: number }> {
  const connectionBefore = connectionSeconds;
  // GC entries reach the observer from a macrotask: let the earlier ones in first.
  await new Promise((resolve) => setImmediate(resolve));
  gcMillis();
  const started = cpuSeconds();
  for (const { partition, messages } of batches) await path.handle(partition, messages);
  const used = cpuSeconds() - started - (connectionSeconds - connectionBefore);
  await new Promise((resolve) => setImmediate(resolve));
  return { cpu: (used * 1e6) / records, gc: (gcMillis() * 1e3) / records };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** `--profile FILE`: a CPU profile of the timed rounds only (not the loading, not the warm-up). */
let profiler: { session: Session; file: string } | undefined;

async function compare(
  builds: readonly [Build, Build],
  commands: Commands,
  rounds: number,
  records: number,
  lines: readonly string[],
): Promise<boolean> {
  const paths = [await builds[0].start(commands), await builds[1].start(commands)] as const;
  const figures: [number[], number[]] = [[], []];
  const gc: [number[], number[]] = [[], []];
  const warmUp = 2;
  for (let round = 0; round < warmUp + rounds; round++) {
    // A stream: each round continues where the last ended (offsets, times, state).
    const batches = roundBatches(lines, round * records, records);
    if (round === warmUp && profiler) await profiler.session.post('Profiler.start');
    const order = round % 2 === 0 ? [0, 1] : [1, 0];
    for (const which of order) {
      const { cpu, gc: gcMicros } = await timeRound(paths[which as 0 | 1], batches, records);
      if (round >= warmUp) {
        figures[which as 0 | 1].push(cpu);
        gc[which as 0 | 1].push(gcMicros);
      }
    }
  }
  if (profiler) {
    const { profile } = await profiler.session.post('Profiler.stop');
    writeFileSync(`${profiler.file}.${commands}.cpuprofile`, JSON.stringify(profile));
  }
  const [old, now] = figures;
  const format = (values: number[]): string => values.map((v) => v.toFixed(1)).join(' ');
  console.log(`commands ${commands}: CPU µs / record over ${records} records a round`);
  console.log(`  ${builds[0].label}: ${format(old)}`);
  console.log(`  ${builds[1].label}: ${format(now)}`);
  console.log(
    `  median ${builds[0].label} ${median(old).toFixed(1)}, ${builds[1].label} ${median(now).toFixed(1)}, ` +
      `${(median(old) / median(now)).toFixed(2)}x fewer µs`,
  );
  console.log(
    `  GC pauses µs / record (median): ${builds[0].label} ${median(gc[0]).toFixed(1)}, ` +
      `${builds[1].label} ${median(gc[1]).toFixed(1)}`,
  );
  const same = paths[0].digest() === paths[1].digest();
  console.log(
    same
      ? `  same outputs (${paths[0].digest().slice(0, 16)}…)`
      : `  OUTPUTS DIFFER: ${paths[0].digest()} vs ${paths[1].digest()}`,
  );
  return same;
}

function option(argv: string[], name: string): string | undefined {
  const at = argv.indexOf(name);
  if (at === -1) return undefined;
  const value = argv[at + 1];
  argv.splice(at, 2);
  return value;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const records = Number(option(argv, '--records') ?? 20_000);
  const commands = option(argv, '--commands') ?? 'both';
  const profileFile = option(argv, '--profile');
  if (profileFile !== undefined) {
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    profiler = { session, file: profileFile };
  }
  const [oldDist, newDist, roundsArg] = argv;
  if (oldDist === undefined || newDist === undefined) {
    console.error(
      'usage: node dist/bench/record-ab.js OLD_DIST NEW_DIST [rounds] [--records N] [--commands off|on|both] [--profile FILE]',
    );
    process.exit(2);
  }
  const rounds = Number(roundsArg ?? 5);
  const builds = [await loadBuild('old', oldDist), await loadBuild('new', newDist)] as const;
  const lines = commandMix(50_000).map((m) => m.line);
  const load = (): string =>
    loadavg()
      .map((v) => v.toFixed(1))
      .join(' ');
  console.log(`load average before: ${load()}`);
  let same = true;
  for (const which of commands === 'both' ? (['off', 'on'] as const) : [commands as Commands]) {
    same = (await compare(builds, which, rounds, records, lines)) && same;
  }
  console.log(`load average after: ${load()}`);
  // The metrics' default collectors keep timers: end explicitly.
  process.exit(same ? 0 : 1);
}

void main();
