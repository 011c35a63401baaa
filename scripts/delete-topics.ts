/**
 * Deletes the Kafka topics named one per line on standard input, in batches, and
 * prints how many went. `scripts/stack.sh prune` feeds it the test, bench and fuzz
 * topics older than the prune age (it reads their age from the broker's data
 * folder, which the Kafka admin API does not expose). Topics already gone are not
 * an error: two prunes may race.
 */
import { Kafka, logLevel } from 'kafkajs';
import { errorMessage } from '../src/core/errors';

const BATCH = 100;

async function readNames(): Promise<string[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

async function main(): Promise<void> {
  const broker = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
  const wanted = await readNames();
  if (wanted.length === 0) return;
  const admin = new Kafka({ brokers: [broker], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const names = wanted.filter((name) => existing.has(name));
    for (let i = 0; i < names.length; i += BATCH) {
      await admin.deleteTopics({ topics: names.slice(i, i + BATCH), timeout: 60_000 });
    }
    process.stdout.write(`${names.length}\n`);
  } finally {
    await admin.disconnect();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`deleting topics failed: ${errorMessage(error)}\n`);
  process.exit(1);
});
