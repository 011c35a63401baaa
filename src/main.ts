import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { configureHttpApi } from './api/http-api';
import { AppModule } from './app.module';
import { DecoderFactory } from './pipeline/decoder-factory';
import { ConfigError, loadConfig } from './config/config';
import { KafkaBatchServer } from './kafka/kafka-batch.server';
import { KafkaConnection } from './kafka/kafka-connection';
import { HealthState } from './health/health-state';
import { runStartupChecks, StartupError } from './startup';

/*
 * One process, two faces: an HTTP API (rules, health, metrics) and a Kafka
 * consumer attached as a Nest microservice.
 *
 * The road not taken: Nest's built-in Transport.KAFKA server. It hands one
 * message at a time to a handler (kafkajs eachMessage) and appends "-server" to
 * the group id; we need whole batches (one bulk request, commits after the
 * write), so KafkaBatchServer is a custom transport strategy on eachBatch.
 */

/**
 * Until Nest's shutdown hooks are in place a signal would be ignored when the
 * process is PID 1 in a container (no default handler there): stop at once,
 * nothing has been consumed yet.
 */
const exitBeforeStart = (): void => process.exit(143);
process.once('SIGTERM', exitBeforeStart);
process.once('SIGINT', exitBeforeStart);

async function bootstrap(): Promise<void> {
  const config = loadConfig(process.env, (path) => readFileSync(path, 'utf8'));
  const decoders = new DecoderFactory(config);
  // JSON lines through pino (src/logging/logger-options.ts); lines logged while
  // Nest builds the app are buffered until the pino logger exists.
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(config, decoders),
    {
      bufferLogs: true,
      bodyParser: true,
      abortOnError: false,
    },
  );
  const logger = app.get(Logger);
  app.useLogger(logger);
  app.flushLogs();
  if (!config.elasticsearchTlsVerify) {
    logger.warn(
      'ES_TLS_VERIFY=false: the Elasticsearch certificate is not verified (test clusters only)',
      'Shellwatch',
    );
  }
  app.enableShutdownHooks();
  process.off('SIGTERM', exitBeforeStart);
  process.off('SIGINT', exitBeforeStart);
  configureHttpApi(app);
  await runStartupChecks(app, config);
  app.connectMicroservice(
    {
      strategy: new KafkaBatchServer(
        app.get(KafkaConnection),
        {
          topic: config.kafkaTopic,
          groupId: config.kafkaGroupId,
          partitionsConsumedConcurrently: config.kafkaPartitionsConcurrently,
          maxBytesPerPartition: config.kafkaMaxBytesPerPartition,
          retryMaxDelayMs: config.retryMaxDelayMs,
        },
        app.get(HealthState),
      ),
    },
    { inheritAppConfig: true },
  );
  boundShutdown(config.shutdownTimeoutMs, logger);
  await app.startAllMicroservices();
  await app.listen(config.httpPort, config.httpHost);
  logger.log(
    `listening on ${config.httpHost}:${config.httpPort}; consuming ${config.kafkaTopic} as group ${config.kafkaGroupId}`,
    'Shellwatch',
  );
}

/**
 * Nest closes the app on SIGTERM/SIGINT, which stops the consumer after the batch
 * in flight. That batch may be stuck retrying a dead Elasticsearch: past the
 * time-out we exit anyway. Nothing uncommitted is lost; it is redelivered.
 */
function boundShutdown(timeoutMs: number, logger: Logger): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      setTimeout(() => {
        logger.warn(
          `shutdown did not finish within ${timeoutMs} ms; exiting, uncommitted records will be redelivered`,
          'Shellwatch',
        );
        process.exit(0);
      }, timeoutMs).unref();
    });
  }
}

bootstrap().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof StartupError) {
    process.stderr.write(`shellwatch: ${error.message}\n`);
  } else {
    process.stderr.write(
      `shellwatch: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
});
