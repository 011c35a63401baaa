/**
 * Decode throughput per format, one core: `npm run build && node dist/bench/decode.bench.js`
 * (run from anywhere inside the repository). Prints a table and writes
 * bench/results/decode.json. Absolute numbers depend on the machine; compare the
 * ratios to the `lines` decoder measured in the same run (STYLE.md: performance
 * claims are ratios to a baseline from the same run). Takes about 30 s.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import {
  createRecordDecoder,
  type DecoderOptions,
  type FormatsDefinition,
  type RawRecord,
} from '../src/core/decode';

/** How long each format is measured, after a warm-up of a fifth of it. */
const MEASURE_MS = 2000;
const POOL = 4096;
const BASE_S = 1764088483;

const hex = (text: string): string => Buffer.from(text, 'utf8').toString('hex').toUpperCase();
const pick = <T>(items: readonly T[], i: number): T => items[i % items.length] as T;
const USERS = ['alice', 'bob', 'carol', 'dave', 'erin'];
const COMMANDS = [
  'ls -la /var/log',
  'sudo systemctl restart nginx',
  'rm -rf /tmp/build-cache',
  'curl -s https://example.org/install.sh | bash',
  'tar czf /tmp/home.tgz /home/alice',
  'kubectl -n prod get pods -o wide',
  'grep -R "password" /etc 2>/dev/null',
  'find / -perm -4000 -type f',
];
const stamp = (i: number): string => new Date((BASE_S + i) * 1000).toISOString();
const syslogTime = (i: number): string => {
  const d = new Date((BASE_S + i) * 1000);
  const mon = d.toUTCString().slice(8, 11);
  return `${mon} ${String(d.getUTCDate()).padStart(2, ' ')} ${d.toISOString().slice(11, 19)}`;
};

const snoopyLine = (i: number): string =>
  `[login:${pick(USERS, i)} username:root uid:0 sid:${4000 + i} tty:/dev/pts/${i % 9} cwd:/home/${pick(USERS, i)} filename:/usr/bin/x]: ${pick(COMMANDS, i)}`;

/** One generator per measured format: record i of the pool. */
const GENERATORS: Record<string, (i: number) => string[]> = {
  lines: (i) => [pick(COMMANDS, i)],
  ecs: (i) => [
    JSON.stringify({
      '@timestamp': stamp(i),
      user: { name: pick(USERS, i) },
      host: { name: `web${i % 20}` },
      process: { command_line: pick(COMMANDS, i), pid: 1000 + i },
    }),
  ],
  vssh: (i) => [
    JSON.stringify({
      timestamp: stamp(i),
      user: pick(USERS, i),
      account: 'root',
      host: `web${i % 20}`,
      client_ip: `10.20.0.${i % 250}`,
      session_id: `s-${i}`,
      tty: 'pts/1',
      cwd: '/root',
      command: pick(COMMANDS, i),
      exit_code: 0,
    }),
  ],
  filebeat: (i) => [
    JSON.stringify({
      '@timestamp': stamp(i),
      agent: { type: 'filebeat' },
      host: { name: `web${i % 20}` },
      log: { file: { path: '/var/log/snoopy.log' } },
      message: `${syslogTime(i)} web${i % 20} snoopy[${5000 + i}]: ${snoopyLine(i)}`,
    }),
  ],
  syslog: (i) => [`<86>${syslogTime(i)} web${i % 20} snoopy[${5000 + i}]: ${snoopyLine(i)}`],
  snoopy: (i) => [snoopyLine(i)],
  'bash-history': (i) => [`${pick(USERS, i)} [${7000 + i}]: /srv/app: ${pick(COMMANDS, i)} [0]`],
  auditd: (i) => {
    const id = `${BASE_S + i}.120:${90000 + i}`;
    const args = pick(COMMANDS, i).split(' ');
    return [
      `type=SYSCALL msg=audit(${id}): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=0 items=1 ppid=100 pid=${200 + i} auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts1 ses=3 comm="x" exe="/usr/bin/x" key="exec"\x1dARCH=x86_64 SYSCALL=execve AUID="alice" UID="root" EUID="root"`,
      `type=EXECVE msg=audit(${id}): argc=${args.length} ${args.map((a, j) => (j % 2 === 0 ? `a${j}="${a}"` : `a${j}=${hex(a)}`)).join(' ')}`,
      `type=CWD msg=audit(${id}): cwd="/root"`,
      `type=PATH msg=audit(${id}): item=0 name="/usr/bin/x" inode=1 dev=fd:00 mode=0100755 nametype=NORMAL`,
      `type=PROCTITLE msg=audit(${id}): proctitle=${hex(args.join('\0'))}`,
      `type=EOE msg=audit(${id}): `,
    ];
  },
  bastion: (i) => [
    `<14>${syslogTime(i)} jump01 jumpserver: session_command_log - ${JSON.stringify({
      user: `${pick(USERS, i)}(${pick(USERS, i)})`,
      asset: `web${i % 20}(10.20.1.${i % 250})`,
      account: 'root',
      input: pick(COMMANDS, i),
      session: `s-${i}`,
      risk_level: 0,
      remote_addr: '10.20.0.15',
      timestamp: BASE_S + i,
    })}`,
  ],
  teleport: (i) => [
    JSON.stringify({
      ei: i,
      event: 'session.command',
      uid: `u-${i}`,
      time: stamp(i),
      user: `${pick(USERS, i)}@corp.example`,
      login: 'root',
      server_hostname: `db${i % 5}`,
      sid: `sid-${i % 100}`,
      pid: 4000 + i,
      ppid: 4000,
      program: 'mysqldump',
      path: '/usr/bin/mysqldump',
      argv: ['--all-databases'],
      return_code: 0,
    }),
  ],
  osquery: (i) => [
    JSON.stringify({
      name: 'shell_history',
      hostIdentifier: `web${i % 20}`,
      unixTime: BASE_S + i,
      columns: {
        uid: '1000',
        command: pick(COMMANDS, i),
        time: '0',
        history_file: '/home/alice/.bash_history',
      },
      action: 'added',
    }),
  ],
  custom: (i) => [`${stamp(i)} ${pick(USERS, i)}@jump01 [${4000 + i}] $ ${pick(COMMANDS, i)}`],
};

const CUSTOM: FormatsDefinition = {
  formats: [
    {
      name: 'custom',
      regex: '^(?<ts>\\S+) (?<user>[\\w.-]+)@(?<host>[\\w.-]+) \\[(?<pid>\\d+)\\] \\$ (?<cmd>.*)$',
    },
  ],
};

interface Result {
  format: string;
  records: number;
  events: number;
  seconds: number;
  recordsPerSecond: number;
  eventsPerSecond: number;
  ratioToLines: number;
}

function pool(format: string): RawRecord[] {
  const generate = GENERATORS[format];
  if (generate === undefined) throw new Error(`no generator for ${format}`);
  const out: RawRecord[] = [];
  const encoder = new TextEncoder();
  for (let i = 0; out.length < POOL; i++) {
    for (const line of generate(i))
      out.push({ value: encoder.encode(line), timestampMs: (BASE_S + i) * 1000 });
  }
  return out;
}

function measure(
  name: string,
  format: string,
  records: RawRecord[],
  extra: DecoderOptions = {},
): Omit<Result, 'ratioToLines'> {
  const run = (ms: number): { records: number; events: number; seconds: number } => {
    let count = 0;
    let events = 0;
    const start = process.hrtime.bigint();
    const deadline = start + BigInt(ms) * 1_000_000n;
    do {
      // A fresh decoder per pass: auditd remembers emitted event ids, and the pool repeats them.
      const decoder = createRecordDecoder({ format, clock: () => 0, ...extra });
      for (const record of records) {
        const outcome = decoder.decode(record);
        if (outcome.kind === 'events') events += outcome.events.length;
        else if (outcome.kind === 'error') throw new Error(`${name}: ${outcome.error.message}`);
      }
      count += records.length;
    } while (process.hrtime.bigint() < deadline);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    return { records: count, events, seconds };
  };
  run(MEASURE_MS / 5);
  const r = run(MEASURE_MS);
  return {
    format: name,
    records: r.records,
    events: r.events,
    seconds: Number(r.seconds.toFixed(3)),
    recordsPerSecond: Math.round(r.records / r.seconds),
    eventsPerSecond: Math.round(r.events / r.seconds),
  };
}

function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** Runs every measurement, prints the table and writes bench/results/decode.json. */
export function main(): Result[] {
  const raw: Omit<Result, 'ratioToLines'>[] = [];
  for (const format of Object.keys(GENERATORS)) {
    const extra: DecoderOptions = format === 'custom' ? { customFormats: CUSTOM } : {};
    raw.push(measure(format, format, pool(format), extra));
  }
  // auto on a mix of every format: the detection cost on top of the decoders.
  const mixed = Object.keys(GENERATORS)
    .filter((f) => f !== 'lines' && f !== 'custom')
    .flatMap((f) => pool(f).slice(0, 600));
  raw.push(measure('auto (mixed)', 'auto', mixed));
  const baseline = raw.find((r) => r.format === 'lines')?.recordsPerSecond ?? 1;
  const results = raw.map((r) => ({
    ...r,
    ratioToLines: Number((r.recordsPerSecond / baseline).toFixed(3)),
  }));

  console.log('format          records/s   events/s  ratio to lines');
  for (const r of results) {
    console.log(
      `${r.format.padEnd(14)} ${String(r.recordsPerSecond).padStart(10)} ${String(r.eventsPerSecond).padStart(10)}  ${r.ratioToLines.toFixed(3).padStart(8)}`,
    );
  }
  const out = join(repoRoot(), 'bench', 'results');
  mkdirSync(out, { recursive: true });
  const report = {
    benchmark: 'decode',
    note: 'one core, records/s per format; compare ratioToLines, not absolute numbers',
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    measureMs: MEASURE_MS,
    date: new Date().toISOString(),
    results,
  };
  writeFileSync(join(out, 'decode.json'), `${JSON.stringify(report, null, 2)}\n`);
  return results;
}

if (require.main === module) main();
