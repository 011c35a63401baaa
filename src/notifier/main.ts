import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import type { LoggerService } from '@nestjs/common';
import pino from 'pino';
import { ConfigError, loadConfig } from '../config/config';
import type { Config } from '../config/config';
import { AlertsConsumer } from '../kafka/alerts-consumer';
import { KafkaConnection } from '../kafka/kafka-connection';
import { kafkaErrorType } from '../kafka/kafka-errors';
import { kafkaSecurityOptions } from '../kafka/kafka-security';
import { pinoOptions, scrubText } from '../logging/logger-options';
import { post } from './http-delivery';
import { Notifier } from './notifier';
import { NotifierMetrics } from './notifier-metrics';
import { NotifyConfigError, parseNotifyConfig } from './notify-config';
import type { NotifyConfig } from './notify-config';
import { errorMessage } from '../core/errors';

/*
 * The notifier mode of the image: `node dist/src/notifier/main.js` (or
 * `npm run notify`). Same configuration variables as the service, plus
 * NOTIFY_CONFIG_FILE, NOTIFY_GROUP_ID and NOTIFY_DLQ_TOPIC. It consumes the
 * alerts topic (KAFKA_ALERTS_TOPIC) in its own group and delivers to the
 * outputs of the config file; it serves /health/live, /health/ready and
 * /metrics on HTTP_PORT. The road not taken: a Nest module inside the service
 * process. Delivery to chat and webhooks has its own failure modes (a receiver
 * down for an hour) and its own scaling; in its own process it can never slow
 * down or stop the rule pipeline.
 */

class StartError extends Error {}

function readText(path: string): string {
  return readFileSync(path, 'utf8');
}

/** Reads and validates NOTIFY_CONFIG_FILE; every problem at once. */
function loadNotifyConfig(config: Config): NotifyConfig {
  if (config.notifier.configFile === '') {
    throw new StartError(
      'NOTIFY_CONFIG_FILE is not set: the notifier needs its outputs and routes',
    );
  }
  let text: string;
  try {
    text = readText(config.notifier.configFile);
  } catch (error) {
    throw new StartError(
      `NOTIFY_CONFIG_FILE=${config.notifier.configFile}: cannot read the file (${errorMessage(error)})`,
    );
  }
  return parseNotifyConfig(config.notifier.configFile, text, readText);
}

/** Nest's Logger (used by the Kafka adapter) through the same JSON lines as the rest. */
function pinoForNest(logger: pino.Logger): LoggerService {
  const line =
    (level: 'info' | 'warn' | 'error' | 'debug' | 'trace') =>
    (message: unknown, context?: unknown): void =>
      logger[level](
        { context: typeof context === 'string' ? context : 'Notifier' },
        String(message),
      );
  return {
    log: line('info'),
    warn: line('warn'),
    error: line('error'),
    debug: line('debug'),
    verbose: line('trace'),
  };
}

async function bootstrap(): Promise<void> {
  const config = loadConfig(process.env, readText);
  if (config.kafka.alertsTopic === null) {
    throw new StartError('KAFKA_ALERTS_TOPIC is empty: the notifier has no topic to consume');
  }
  const alertsTopic = config.kafka.alertsTopic;
  const notifyConfig = loadNotifyConfig(config);
  const base = pinoOptions(config);
  const logger = pino({
    ...base,
    hooks: {
      // The service's scrubbing, plus the secrets read from the notifier's files.
      logMethod(args, method, level) {
        const cleaned = args.map((arg: unknown) =>
          typeof arg === 'string' ? scrubText(arg, notifyConfig.secrets) : arg,
        ) as Parameters<typeof method>;
        const inner = base.hooks?.logMethod;
        if (inner) inner.call(this, cleaned, method, level);
        else method.apply(this, cleaned);
      },
    },
  });
  Logger.overrideLogger(pinoForNest(logger));

  const metrics = new NotifierMetrics([...notifyConfig.outputs.keys()]);
  const connection = new KafkaConnection({
    brokers: config.kafka.brokers,
    clientId: `${config.kafka.clientId}-notifier`,
    dlqTopic: config.notifier.dlqTopic,
    dlqMaxBytes: config.kafka.dlqMaxBytes,
    security: kafkaSecurityOptions(config.kafka, readText),
  });
  // The consumer calls the notifier, the notifier commits through the consumer.
  const consumer: AlertsConsumer = new AlertsConsumer(connection.kafka, {
    topic: alertsTopic,
    groupId: config.notifier.groupId,
    sessionTimeoutMs: config.kafka.sessionTimeoutMs,
    handle: (batch) => notifier.handleBatch(batch),
    onRebalance: () => notifier.rebalanced(),
  });
  const notifier = new Notifier(
    notifyConfig,
    {
      send: (output, body, headers) => post(output, body, headers),
      deadLetter: (topic, partition, letters) =>
        connection.deadLetters.delivery(topic, partition, letters).deliver(),
      commit: (topic, partition, offset) => consumer.commit(topic, partition, offset),
      now: () => Date.now(),
      sleep: (ms) => sleep(ms),
      logger: { warn: (m) => logger.warn(m), error: (m) => logger.error(m) },
    },
    metrics,
  );
  let running = false;
  const server = serve(config, metrics, () => running);
  await connection.deadLetters.connect();
  const ticker = setInterval(() => {
    notifier
      .tick()
      .catch((error: unknown) => logger.error(`digest delivery: ${errorMessage(error)}`));
  }, 1000);
  await consumer.start().catch((error: unknown) => {
    // The service writes the alerts topic; a notifier started first finds none.
    if (kafkaErrorType(error) === 'UNKNOWN_TOPIC_OR_PARTITION') {
      throw new StartError(
        `alerts topic ${alertsTopic} does not exist (yet): create it, or start the service first (it writes the topic; KAFKA_ALERTS_TOPIC must name the same one); exiting so that a supervisor restarts the notifier`,
      );
    }
    throw error;
  });
  running = true;
  logger.info(
    `notifier consuming ${alertsTopic} as group ${config.notifier.groupId}; outputs: ${[...notifyConfig.outputs.keys()].join(', ')}; ${notifyConfig.routes.length} routes`,
  );

  let signalled = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (signalled) process.exit(0);
    signalled = true;
    logger.info(`${signal}: stopping; uncommitted alerts will be redelivered`);
    setTimeout(() => process.exit(0), config.pipeline.shutdownTimeoutMs).unref();
    clearInterval(ticker);
    notifier.stop();
    void (async () => {
      await consumer.stop().catch(() => undefined);
      await connection.deadLetters.disconnect().catch(() => undefined);
      server.close();
      process.exit(0);
    })();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

/** GET /health/live, /health/ready (200 once consuming) and /metrics on HTTP_PORT. */
function serve(config: Config, metrics: NotifierMetrics, ready: () => boolean): Server {
  const server = createServer((request, response) => {
    const send = (status: number, type: string, body: string): void => {
      response.writeHead(status, { 'content-type': type });
      response.end(body);
    };
    const json = (status: number, body: unknown): void =>
      send(status, 'application/json', JSON.stringify(body));
    if (request.method !== 'GET') return json(405, { message: 'only GET' });
    switch (request.url ?? '') {
      case '/health/live':
        return json(200, { status: 'ok' });
      case '/health/ready':
        return ready() ? json(200, { status: 'ready' }) : json(503, { status: 'starting' });
      case '/metrics':
        void metrics.render().then(({ contentType, body }) => send(200, contentType, body));
        return;
      default:
        return json(404, { message: 'not found' });
    }
  });
  server.listen(config.http.port, config.http.host);
  return server;
}

bootstrap().catch((error: unknown) => {
  if (
    error instanceof ConfigError ||
    error instanceof NotifyConfigError ||
    error instanceof StartError
  ) {
    process.stderr.write(`shellwatch notifier: ${error.message}\n`);
  } else {
    process.stderr.write(
      `shellwatch notifier: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
});
