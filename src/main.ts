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
  // Armed before anything else can take time (Elasticsearch at start, a stuck batch).
  const shutdown = boundShutdown(config.pipeline.shutdownTimeoutMs);
  const decoders = new DecoderFactory(config.input);
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
  if (!config.elasticsearch.tlsVerify) {
    logger.warn(
      'ES_TLS_VERIFY=false: the Elasticsearch certificate is not verified (test clusters only)',
      'Shellwatch',
    );
  }
  // process.exit(0) once closed rather than Nest's default of re-sending the signal
  // to itself: that would look like a second signal to boundShutdown, and as PID 1
  // in a container a re-sent SIGTERM is ignored.
  app.enableShutdownHooks([], { useProcessExit: true });
  process.off('SIGTERM', exitBeforeStart);
  process.off('SIGINT', exitBeforeStart);
  configureHttpApi(app);
  await runStartupChecks(app, config);
  const consumer = new KafkaBatchServer(
    app.get(KafkaConnection),
    {
      topic: config.kafka.topic,
      groupId: config.kafka.groupId,
      partitionsConsumedConcurrently: config.kafka.partitionsConcurrently,
      maxBytesPerPartition: config.kafka.maxBytesPerPartition,
      sessionTimeoutMs: config.kafka.sessionTimeoutMs,
      retryMaxDelayMs: config.elasticsearch.retryMaxDelayMs,
    },
    app.get(HealthState),
  );
  shutdown.uncommittedFrom(() => consumer.uncommittedBatches());
  app.connectMicroservice({ strategy: consumer }, { inheritAppConfig: true });
  await app.startAllMicroservices();
  await app.listen(config.http.port, config.http.host);
  logger.log(
    `listening on ${config.http.host}:${config.http.port}; consuming ${config.kafka.topic} as group ${config.kafka.groupId}`,
    'Shellwatch',
  );
}

/**
 * The hard deadline of a shutdown, whatever the service is doing. Nest closes the
 * app on SIGTERM/SIGINT, which stops the consumer after the batch in flight; that
 * batch may be stuck retrying a dead Elasticsearch or a dead-letter topic that
 * refuses it, and Nest ignores any further signal while it waits. So the first
 * signal starts a timer (unref'd: it never keeps an idle process alive) that exits
 * with code 0 once SHUTDOWN_TIMEOUT_MS is over, and a second signal exits at once.
 * Nothing uncommitted is lost: it is redelivered to the next consumer, and the exit
 * line names it (`uncommittedFrom`: the consumer's batches in flight).
 * (A timer needs a free event loop: nothing CPU-bound may run long on the main
 * thread.)
 */
function boundShutdown(timeoutMs: number): {
  uncommittedFrom(source: () => string[]): void;
} {
  let uncommitted: () => string[] = () => [];
  let signalled = false;
  const leave = (why: string): never => {
    // On stderr: the logger may be what is stuck.
    const left = uncommitted();
    const what =
      left.length === 0
        ? 'uncommitted records will be redelivered'
        : `left uncommitted, to be redelivered: ${left.join(', ')}`;
    process.stderr.write(`shellwatch: ${why}; ${what}\n`);
    process.exit(0);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) {
      leave(`second ${signal} during shutdown, exiting now`);
      return;
    }
    signalled = true;
    setTimeout(
      () => leave(`shutdown did not finish within ${timeoutMs} ms (SHUTDOWN_TIMEOUT_MS), exiting`),
      timeoutMs,
    ).unref();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return {
    uncommittedFrom: (source) => {
      uncommitted = source;
    },
  };
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
