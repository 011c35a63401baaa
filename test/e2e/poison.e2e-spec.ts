import { afterAll, describe, expect, it } from 'vitest';
import { allDocuments, testElasticsearch, uniqueIndex } from '../support/elasticsearch';
import {
  consumeAll,
  createTopic,
  groupLag,
  produce,
  uniqueName,
  withAdmin,
} from '../support/kafka';
import { plannedRecord } from '../support/records';
import { ServiceProcess } from '../support/service';
import { waitFor } from '../support/wait-for';

/**
 * Bad input never stops the stream and is never dropped silently: each poison
 * record ends in the dead-letter topic with its original bytes and a reason,
 * and every good record around it is processed. Every record sent is accounted
 * for: part of a command document, a dead letter, or counted as ignored
 * (`shellwatch_records_ignored_total`); auditd events that never complete are
 * dead-lettered `AUDITD_INCOMPLETE` after their time-out, even at the end of the
 * topic where no later batch comes (issue 20, finding 4: 500 such records vanished).
 */
describe('poison records', () => {
  const topic = uniqueName('e2e-poison');
  const dlqTopic = `${topic}.dlq`;
  const groupId = uniqueName('e2e-poison-group');
  const alertsIndex = uniqueIndex('e2e-poison-alerts');
  const commandsIndex = uniqueIndex('e2e-poison-commands');
  let service: ServiceProcess | undefined;

  afterAll(async () => {
    await service?.stop();
  });

  it('dead-letters each bad record with a reason and processes all good ones', async () => {
    // Topics that accept records over 1 MiB, as a fleet sending huge lines would need.
    const large = { 'max.message.bytes': String(3 * 1024 * 1024) };
    await createTopic(topic, 1, large);
    await createTopic(dlqTopic, 1, large);
    // An index whose mapping disagrees with one record: Elasticsearch rejects that
    // document (a 400 per item), which must dead-letter the record, not retry forever.
    await testElasticsearch.indices.create({
      index: commandsIndex,
      mappings: {
        properties: {
          shellwatch: { properties: { session: { properties: { id: { type: 'long' } } } } },
        },
      },
    });
    const good = (seq: number): { value: string } => ({ value: plannedRecord(seq).value });
    const huge = JSON.stringify({
      user: 'alice',
      host: 'web-1',
      command: `echo ${'A'.repeat(1_200_000)}`,
    });
    const poison: { value: Buffer | string | null; reason: string }[] = [
      { value: '{"user": "alice", "command": "ls', reason: 'INVALID_JSON' },
      {
        value: Buffer.from([0xff, 0xfe, 0x00, 0x81, 0xc3, 0x28, 0xa0, 0xa1]),
        reason: 'INVALID_UTF8',
      },
      { value: '', reason: 'EMPTY_RECORD' },
      { value: huge, reason: 'RECORD_TOO_LARGE' },
      {
        value: JSON.stringify({ user: 'alice', host: 'web-1', command: { argv: ['ls'] } }),
        reason: 'INVALID_FIELD',
      },
      {
        value: JSON.stringify({
          user: 'alice',
          host: 'web-1',
          session_id: 'not-a-number',
          command: 'uptime',
        }),
        reason: 'ES_REJECTED',
      },
    ];
    const messages: { value: Buffer | string | null }[] = [];
    let goodCount = 0;
    for (const p of poison) {
      for (let k = 0; k < 5; k += 1) messages.push(good(goodCount++));
      messages.push({ value: p.value });
    }
    for (let k = 0; k < 5; k += 1) messages.push(good(goodCount++));
    // Good records whose words are names every JS object inherits: they once made the
    // shell parser throw, and the batch failed again on every retry.
    for (const command of ['toString --x "a"', 'constructor -v rm -rf /tmp/x']) {
      messages.push({ value: JSON.stringify({ user: 'alice', host: 'web-1', command }) });
      goodCount += 1;
    }
    // auditd, after everything else (the offsets above stay as they are), ending the
    // topic with events that never complete: no later record comes to close them.
    const auditd = auditdRecords();
    const auditdFrom = messages.length;
    messages.push(...auditd.records.map((value) => ({ value })));
    await produce(topic, messages, 10);

    service = new ServiceProcess({
      KAFKA_TOPIC: topic,
      KAFKA_GROUP_ID: groupId,
      KAFKA_DLQ_TOPIC: dlqTopic,
      // The dead-letter topic takes 3 MiB: the 1.2 MB record is dead-lettered whole.
      KAFKA_DLQ_MAX_BYTES: String(3 * 1024 * 1024 - 64 * 1024),
      ES_ALERTS_INDEX: alertsIndex,
      ES_COMMANDS_INDEX: commandsIndex,
      RULES_DIR: 'test/fixtures/rules/basic',
    }).start();
    await service.waitReady();
    await waitFor(
      'the whole topic committed',
      () => groupLag(groupId, topic),
      (lag) => lag === 0,
      {
        timeoutMs: 120_000,
      },
    );

    // Every record accounted for: part of a document, a dead letter, or ignored.
    const documents = await allDocuments<{
      event: { original: string };
      shellwatch: { log: { source: string } };
    }>(commandsIndex);
    const inDocuments = documents.reduce(
      (n, d) =>
        n +
        (d.source.shellwatch.log.source === 'auditd'
          ? d.source.event.original.split('\n').length
          : 1),
      0,
    );
    const dlqEnd = await withAdmin((admin) => admin.fetchTopicOffsets(dlqTopic));
    const deadLettered = dlqEnd.reduce((n, p) => n + Number(p.high), 0);
    const metrics = await (await fetch(`${service.baseUrl}/metrics`)).text();
    const ignored = {
      not_a_command: sample(metrics, 'shellwatch_records_ignored_total{reason="not_a_command"}'),
      auditd_late_eoe: sample(
        metrics,
        'shellwatch_records_ignored_total{reason="auditd_late_eoe"}',
      ),
    };
    expect({
      sent: messages.length,
      inDocuments,
      deadLettered,
      ignored,
    }).toEqual({
      sent: inDocuments + deadLettered + ignored.not_a_command + ignored.auditd_late_eoe,
      inDocuments: goodCount + auditd.inDocuments,
      deadLettered: poison.length + auditd.incomplete.length,
      ignored: auditd.ignored,
    });
    expect(documents.length).toBe(goodCount + auditd.documents);

    const letters = await consumeAll(dlqTopic, deadLettered);
    const expected = new Map<string, { reason: string; value: Buffer | string | null }>([
      ...poison.map((p, i) => [String(i * 6 + 5), p] as const),
      ...auditd.incomplete.map(
        (i) =>
          [
            String(auditdFrom + i),
            { reason: 'AUDITD_INCOMPLETE', value: auditd.records[i] ?? null },
          ] as const,
      ),
    ]);
    expect(letters.map((l) => l.headers['shellwatch.source.offset']).sort()).toEqual(
      [...expected.keys()].sort(),
    );
    for (const letter of letters) {
      const offset = letter.headers['shellwatch.source.offset'] ?? '';
      const original = expected.get(offset)!;
      expect(letter.headers['shellwatch.source.topic']).toBe(topic);
      expect(letter.headers['shellwatch.reason']).toBe(original.reason);
      expect(letter.headers['shellwatch.error']).toBeTruthy();
      if (original.reason === 'AUDITD_INCOMPLETE') {
        expect(letter.headers['shellwatch.error']).toMatch(
          /without a command: has SYSCALL, CWD, PATH; missing EXECVE, PROCTITLE, EOE$/,
        );
      }
      const expectedBytes = original.value === null ? Buffer.alloc(0) : Buffer.from(original.value);
      expect(Buffer.compare(letter.value ?? Buffer.alloc(0), expectedBytes)).toBe(0);
    }
  });
});

/**
 * auditd records, one per Kafka record, of a host whose events come in pairs
 * interleaved: complete execve events (6 records, written at their PROCTITLE, the
 * EOE after it ignored), execve events cut after EXECVE (a document at the
 * time-out), events that never get their EXECVE or PROCTITLE (3 dead letters
 * each, at the end of the topic), login records and open() events (ignored).
 */
function auditdRecords(): {
  records: string[];
  /** Indexes (in `records`) of the records that must be dead-lettered. */
  incomplete: number[];
  documents: number;
  inDocuments: number;
  ignored: { not_a_command: number; auditd_late_eoe: number };
} {
  let serial = 7000;
  const head = (type: string, id: number): string =>
    `node=e2e-host type=${type} msg=audit(1764088800.000:${id}):`;
  const syscall = (id: number, nr: number): string =>
    `${head('SYSCALL', id)} arch=c000003e syscall=${nr} success=yes exit=0 items=1 ppid=1 pid=${id} auid=1000 uid=0 euid=0 ses=3 tty=pts0 comm="x" exe="/usr/bin/x"`;
  const execve = (id: number): string => `${head('EXECVE', id)} argc=2 a0="echo" a1="audit${id}"`;
  const cwd = (id: number): string => `${head('CWD', id)} cwd="/home/alice"`;
  const path = (id: number): string => `${head('PATH', id)} item=0 name="/usr/bin/echo"`;
  const proctitle = (id: number): string => `${head('PROCTITLE', id)} proctitle=6563686F`;
  const eoe = (id: number): string => `${head('EOE', id)} `;
  const records: string[] = [];
  const incomplete: number[] = [];
  /** Two events' records, alternating, as two processes of one host write them. */
  const pair = (a: string[], b: string[], dead = false): void => {
    for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
      for (const part of [a[i], b[i]]) {
        if (part === undefined) continue;
        if (dead) incomplete.push(records.length);
        records.push(part);
      }
    }
  };
  const whole = (id: number): string[] => [
    syscall(id, 59),
    execve(id),
    cwd(id),
    path(id),
    proctitle(id),
    eoe(id),
  ];
  for (let k = 0; k < 10; k += 1) pair(whole(serial++), whole(serial++));
  for (let k = 0; k < 5; k += 1) {
    const a = serial++;
    const b = serial++;
    pair([syscall(a, 59), execve(a)], [syscall(b, 59), execve(b)]);
  }
  for (let k = 0; k < 5; k += 1) {
    records.push(
      `${head('USER_LOGIN', serial++)} pid=1 uid=0 auid=1000 ses=3 msg='op=login id=1000 exe="/usr/sbin/sshd" hostname=? addr=10.0.0.1 terminal=ssh res=success'`,
    );
    const open = serial++;
    records.push(syscall(open, 257), cwd(open), path(open), eoe(open));
  }
  for (let k = 0; k < 50; k += 1) {
    const a = serial++;
    const b = serial++;
    pair([syscall(a, 59), cwd(a), path(a)], [syscall(b, 59), cwd(b), path(b)], true);
  }
  return {
    records,
    incomplete,
    documents: 20 + 10,
    inDocuments: 20 * 5 + 10 * 2,
    ignored: { not_a_command: 5 + 5 * 4, auditd_late_eoe: 20 },
  };
}

function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? Number.NaN : Number(line.slice(series.length + 1));
}
