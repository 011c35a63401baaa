/**
 * A/B of the whole service between two builds, over real Kafka and Elasticsearch:
 * `node dist/bench/service-ab.js OLD_DIST NEW_DIST [rounds] [--records N] [--commands off|on]`.
 *
 * Each round and build (alternating which goes first) produces the whole-path bench's
 * records (`--records`, 200,000 by default, 4 partitions) to a fresh topic, starts that
 * build's `src/main.js` as a child process with the bench's settings (`rules/`, the
 * commands index off or on) and measures, as `bench/whole-path.ts` does, the service's
 * CPU time (user + system, every thread, from /proc) from its group's first commit to
 * the commit of the last record, per record; it also splits that time into the main
 * thread and the others (V8's collector and compiler threads, libuv's pool) by name.
 * It prints every round and the medians, with the load average.
 *
 * Unlike `record-ab.ts`, which runs the service's path in one process, this includes
 * what only the running service does (kafkajs fetches and produces: the correlation
 * changelog, the alerts topic; the HTTP client; timers; a cold JIT) and leaves out
 * nothing. It does not compare outputs: use record-ab for that. A build directory needs
 * `node_modules` beside it. Needs the local stack (`npm run stack:status`).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { commandMix, REPO_ROOT } from './corpus';
import { CLOCK_TICKS, processCpuSeconds, statCpuTicks } from './process-cpu';
import { benchRecordValue } from './support/bench-record';

const PARTITIONS = 4;
const kafka = new Kafka({
  brokers: [process.env['BENCH_KAFKA_BROKERS'] ?? '127.0.0.1:9092'],
  clientId: 'service-ab',
  logLevel: logLevel.NOTHING,
});
const ES_NODE = process.env['BENCH_ES_NODE'] ?? 'http://127.0.0.1:9200';

interface Round {
  cpuMicros: number;
  recordsPerSecond: number;
  /** CPU µs per record by thread: `main`, and the others by name. */
  threads: Record<string, number>;
}

const name = (prefix: string): string => `service-ab-${prefix}-${randomUUID().slice(0, 8)}`;
const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));
const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');

/** CPU ticks per thread of a process, the main thread as `main`, the others summed by name. */
function threadTicks(pid: number): Map<string, number> {
  const ticks = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended
    }
    const thread =
      tid === String(pid) ? 'main' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    ticks.set(thread, (ticks.get(thread) ?? 0) + (statCpuTicks(stat) ?? 0));
  }
  return ticks;
}

async function produce(topic: string, values: readonly string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [{ topic, numPartitions: PARTITIONS }],
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    for (let start = 0; start < values.length; start += 5000) {
      const messages = values
        .slice(start, start + 5000)
        .map((value, i) => ({ partition: (start + i) % PARTITIONS, value }));
      await producer.send({ topic, acks: -1, messages });
    }
  } finally {
    await producer.disconnect();
  }
}

/** One service run of `dist` over `topic`, until `count` records are committed. */
async function serviceRound(
  dist: string,
  topic: string,
  count: number,
  commandsOn: boolean,
): Promise<Round> {
  const groupId = name('group');
  const port = 4800 + Math.floor(Math.random() * 300);
  const child = spawn(process.execPath, [join(dist, 'src/main.js')], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env['PATH'] ?? '',
      KAFKA_BROKERS: process.env['BENCH_KAFKA_BROKERS'] ?? '127.0.0.1:9092',
      ES_NODE,
      HTTP_PORT: String(port),
      HTTP_HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      KAFKA_TOPIC: topic,
      KAFKA_GROUP_ID: groupId,
      KAFKA_DLQ_TOPIC: `${topic}.dlq`,
      RULES_DIR: 'rules',
      ES_ALERTS_INDEX: name('alerts'),
      ES_COMMANDS_INDEX: commandsOn ? name('commands') : '',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${dist}: the service did not start`);
  const admin = kafka.admin();
  try {
    for (let tries = 0; ; tries++) {
      if (child.exitCode !== null)
        throw new Error(`${dist}: the service exited with ${child.exitCode}`);
      const ready = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
        (response) => response.status === 200,
        () => false,
      );
      if (ready) break;
      if (tries > 600) throw new Error(`${dist}: the service was not ready after 2 minutes`);
      await sleep(200);
    }
    await admin.connect();
    let startAt = 0;
    let startCount = 0;
    let startCpu = 0;
    let startThreads = new Map<string, number>();
    for (const deadline = Date.now() + 600_000; Date.now() < deadline;) {
      const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
      const done = (offsets[0]?.partitions ?? []).reduce(
        (sum, p) => sum + Math.max(Number(p.offset), 0),
        0,
      );
      const now = performance.now();
      if (startAt === 0 && done > 0) {
        startAt = now;
        startCount = done;
        startCpu = processCpuSeconds(pid) ?? 0;
        startThreads = threadTicks(pid);
      }
      if (done >= count) {
        const records = done - startCount;
        const threads: Record<string, number> = {};
        for (const [thread, ticks] of threadTicks(pid)) {
          const used = (ticks - (startThreads.get(thread) ?? 0)) / CLOCK_TICKS;
          threads[thread] = Number(((used * 1e6) / records).toFixed(1));
        }
        return {
          cpuMicros: (((processCpuSeconds(pid) ?? 0) - startCpu) * 1e6) / records,
          recordsPerSecond: Math.round(records / ((now - startAt) / 1000)),
          threads,
        };
      }
      await sleep(100);
    }
    throw new Error(`${dist}: not every record was committed in 10 minutes`);
  } finally {
    await admin.disconnect();
    if (child.exitCode === null) {
      await new Promise((done) => {
        child.once('exit', done);
        child.kill('SIGTERM');
      });
    }
  }
}

function option(argv: readonly string[], flag: string): string | undefined {
  const at = argv.indexOf(flag);
  return at === -1 ? undefined : argv[at + 1];
}

const median = (values: readonly number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const positional = argv.filter(
    (arg, i) => !arg.startsWith('--') && !argv[i - 1]?.startsWith('--'),
  );
  const [oldDist, newDist, roundsText] = positional;
  if (oldDist === undefined || newDist === undefined) {
    throw new Error(
      'usage: service-ab.js OLD_DIST NEW_DIST [rounds] [--records N] [--commands off|on]',
    );
  }
  const rounds = Number(roundsText ?? 3);
  const count = Number(option(argv, '--records') ?? 200_000);
  const commandsOn = option(argv, '--commands') === 'on';
  const builds = [resolve(oldDist), resolve(newDist)] as const;
  const values = commandMix(count).map(({ line }, seq) => benchRecordValue(seq, line));
  const results: Round[][] = [[], []];
  console.log(`load average before: ${load()}`);
  console.log(
    `commands ${commandsOn ? 'on' : 'off'}: service CPU µs / record over ${count} records`,
  );
  for (let round = 0; round < rounds; round++) {
    for (const which of round % 2 === 0 ? [0, 1] : [1, 0]) {
      const topic = name('topic');
      await produce(topic, values);
      const result = await serviceRound(builds[which]!, topic, count, commandsOn);
      results[which]!.push(result);
      console.log(
        `  round ${round} ${which === 0 ? 'old' : 'new'}: ${result.cpuMicros.toFixed(1)} µs (${Object.entries(
          result.threads,
        )
          .map(([t, us]) => `${t} ${us}`)
          .join(', ')}), ${result.recordsPerSecond} records/s, load ${load()}`,
      );
    }
  }
  const [old, neu] = results.map((rows) => median(rows.map((r) => r.cpuMicros)));
  console.log(
    `  median old ${old!.toFixed(1)}, new ${neu!.toFixed(1)}, ${(old! / neu!).toFixed(2)}x fewer µs`,
  );
  console.log(`load average after: ${load()}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
