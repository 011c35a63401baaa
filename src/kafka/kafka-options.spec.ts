import { createServer } from 'node:net';
import { Logger } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { kafkaClientConfig } from './kafka-options';

/** A local port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('kafkaClientConfig', () => {
  it('hands each error the client logs to onError: the cause readiness gives for a lost broker', async () => {
    const port = await closedPort();
    const errors: string[] = [];
    const logger = new Logger('test');
    logger.warn = () => undefined;
    const kafka = new Kafka(
      kafkaClientConfig([`127.0.0.1:${port}`], 'test', logger, {}, (line) => errors.push(line)),
    );
    const admin = kafka.admin({ retry: { retries: 0 } });
    await expect(admin.connect()).rejects.toThrow();
    expect(errors.join('\n')).toContain(`ECONNREFUSED 127.0.0.1:${port}`);
  });
});
