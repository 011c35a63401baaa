import { ensureStack } from './stack';

/** Vitest global setup for the e2e project: the real Kafka and Elasticsearch must be up. */
export default async function setup(): Promise<void> {
  await ensureStack();
}
